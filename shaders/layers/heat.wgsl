// The built-in heat layer: the colour ramp over the normalised density, transparent below the
// style's threshold and where the frame has no density. raster::colorize is its CPU twin.
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    if !(max_density() > 0.0) || value < geoheat._threshold {
        return vec4(0.0);
    }
    return ramp(value);
}
