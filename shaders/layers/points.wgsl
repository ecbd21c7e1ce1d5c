// The built-in points layer, second half: the dots' coverage (drawn before this pass into
// geoheat_coverage by coverage.wgsl, the maximum over overlapping dots) in the layer's
// colour. raster::layers::points is its CPU twin.
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    let coverage = textureLoad(geoheat_coverage, vec2<i32>(floor(px)), 0).r;
    return vec4(u.color.rgb, u.color.a * coverage);
}
