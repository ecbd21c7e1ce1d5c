// Resolve pass of the layer composite (after shared/fullscreen.wgsl): the premultiplied f32
// composite of the layers, clamped to [0, 1], into the RGBA8/BGRA8 target.

@group(0) @binding(0) var composite: texture_2d<f32>;

fn clamped(position: vec4<f32>) -> vec4<f32> {
    return clamp(textureLoad(composite, vec2<i32>(position.xy), 0), vec4(0.0), vec4(1.0));
}

// Straight alpha (surfaces, PNG): rgb / a; transparent black where nothing was drawn. Additive
// layers can leave rgb above a, hence the clamp after the division.
@fragment
fn resolve_straight(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let c = clamped(position);
    if c.a <= 0.0 {
        return vec4(0.0);
    }
    return vec4(min(c.rgb / c.a, vec3(1.0)), c.a);
}

// Premultiplied (a WebGPU canvas): a valid premultiplied colour has rgb <= a.
@fragment
fn resolve_premultiplied(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let c = clamped(position);
    return vec4(min(c.rgb, vec3(c.a)), c.a);
}
