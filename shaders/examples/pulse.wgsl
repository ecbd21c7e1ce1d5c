// Pulsing hot-spots: above `u.level`, rings of light run outwards from the peaks, `u.speed`
// radians a second. Reads geoheat.time, so the heatmap keeps drawing while it is visible.
// Uniforms: level (f32), speed (f32). Looks best with blend "add".
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    let hot = smoothstep(u.level, 1.0, value);
    let wave = 0.5 + 0.5 * sin(value * 40.0 - geoheat.time * u.speed);
    return vec4(1.0, 0.9, 0.55, hot * wave);
}
