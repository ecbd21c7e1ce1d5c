// Banded colours: the heatmap's ramp in `u.bands` flat steps, like a printed density map; values
// below the first step stay clear, so the kernel's faint square edges never show.
// Uniforms: bands (f32).
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    let band = floor(value * u.bands) / u.bands;
    if band <= 0.0 {
        return vec4(0.0);
    }
    return ramp(band);
}
