// Colour pass of a frame whose stack is just the heat layer: straight into the RGBA8 target,
// without a composite. The module is layers/heat.wgsl, shared/layer_prelude.wgsl,
// shared/fullscreen.wgsl and this file, so the mapping is the heat layer's `shade` itself
// (raster::colorize's twin):
//   value = clamp(density / max, 0, 1); transparent if value < threshold;
//   else lut[floor(value · 255 + 0.5)] (opacity already in the palette's alpha).
// The colour is written as the palette holds it, neither clamped nor scaled by a layer opacity,
// so frames stay byte-identical to the CPU path.

fn colorize(position: vec4<f32>) -> vec4<f32> {
    let pixel = vec2<i32>(position.xy);
    return shade(value_at(pixel), density_at(pixel), position.xy);
}

@fragment
fn colorize_straight(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    return colorize(position);
}

// A WebGPU canvas composites premultiplied colours only.
@fragment
fn colorize_premultiplied(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let color = colorize(position);
    return vec4(color.rgb * color.a, color.a);
}
