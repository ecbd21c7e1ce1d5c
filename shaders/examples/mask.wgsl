// Threshold mask: veils everything whose value is below `u.threshold` in `u.veil` (straight RGBA),
// with a soft edge one tenth of the threshold wide, so only the hot areas stay clear.
// Uniforms: threshold (f32), veil (vec4).
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    let clear = smoothstep(u.threshold * 0.9, u.threshold, value);
    return vec4(u.veil.rgb, u.veil.a * (1.0 - clear));
}
