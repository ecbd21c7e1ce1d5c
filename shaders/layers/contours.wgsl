// The built-in contours layer: iso-lines of the normalised value at every multiple of
// u.interval below 1, anti-aliased by their distance in pixels (|value - level| / |gradient|,
// the gradient by central differences), over optional bands filled with the ramp's colour at
// each band's lower level. raster::layers::contours is its CPU twin.
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    let p = vec2<i32>(floor(px));
    let gx = (value_at(p + vec2(1, 0)) - value_at(p - vec2(1, 0))) * 0.5;
    let gy = (value_at(p + vec2(0, 1)) - value_at(p - vec2(0, 1))) * 0.5;
    let gradient = max(sqrt(gx * gx + gy * gy), 1e-6);
    // Levels k · interval for k = 1 ..= last, all below 1: the value is clamped at 1, so a level
    // there would paint every saturated pixel.
    let last = floor(0.9999 / u.interval);
    let k = clamp(round(value / u.interval), 1.0, max(last, 1.0));
    let distance = abs(value - k * u.interval) / gradient;
    let half_width = 0.5 * u.width * geoheat.pixel_ratio;
    var line = clamp(half_width + 0.5 - distance, 0.0, 1.0) * u.color.a;
    if last < 1.0 {
        line = 0.0;
    }
    let band = min(floor(value / u.interval), last);
    var fill = vec4(0.0);
    if band >= 1.0 && u.fill > 0.0 {
        fill = ramp(band * u.interval);
        fill.a *= u.fill;
    }
    // The line over the fill, back to straight alpha.
    let alpha = line + fill.a * (1.0 - line);
    if alpha <= 0.0 {
        return vec4(0.0);
    }
    let rgb = (u.color.rgb * line + fill.rgb * fill.a * (1.0 - line)) / alpha;
    return vec4(rgb, alpha);
}
