// The fragment entry point of a layer pass (after shared/fullscreen.wgsl): calls the layer's
// `shade`, refuses non-finite results (transparent, and the layer's fault bit set), clamps, applies
// the layer's opacity and returns premultiplied colour for the blend state of the layer's blend
// mode.

@fragment
fn geoheat_fs(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let pixel = vec2<i32>(position.xy);
    let color = shade(value_at(pixel), density_at(pixel), position.xy);
    if !geoheat_is_finite(color) {
        atomicOr(&geoheat_faults, geoheat_layer.fault_bit);
        return vec4(0.0);
    }
    let c = clamp(color, vec4(0.0), vec4(1.0));
    let alpha = c.a * geoheat_layer.opacity;
    return vec4(c.rgb * alpha, alpha);
}
