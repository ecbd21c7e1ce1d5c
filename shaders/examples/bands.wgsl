// Banded colours: the heatmap's ramp in `u.bands` flat steps, like a printed density map.
// Uniforms: bands (f32).
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    if value <= 0.0 {
        return vec4(0.0);
    }
    let band = ceil(value * u.bands) / u.bands;
    return ramp(band);
}
