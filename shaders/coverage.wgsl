// Coverage pass of a points layer (after shared/point_quad.wgsl): a disc of `radius` CSS pixels
// at every point and world copy, anti-aliased over one device pixel, into an R32Float target with
// Max blending (overlapping discs keep the largest coverage, whatever their order). The layer's
// fullscreen pass (layers/points.wgsl) then reads it as geoheat_coverage.

// The first member of the points layer's `Uniforms` (layer::LayerKind::Points declares `radius`
// first): its uniform buffer is bound here as it is.
struct Dots {
    radius: f32,
}

@group(1) @binding(0) var<uniform> dots: Dots;

struct CoverageOut {
    @builtin(position) position: vec4<f32>,
    @location(0) @interpolate(flat) center: vec2<f32>,
}

fn dot_radius() -> f32 {
    return dots.radius * frame.pixel_ratio;
}

@vertex
fn coverage_vs(@builtin(vertex_index) vertex: u32, @location(0) point: vec3<f32>) -> CoverageOut {
    var out: CoverageOut;
    out.center = point_pixel(point.xy);
    // Half a pixel of anti-aliasing beyond the radius, and half a pixel more for rasterisation.
    out.position = quad_corner(vertex, out.center, dot_radius() + 1.0);
    return out;
}

@fragment
fn coverage_fs(in: CoverageOut) -> @location(0) vec4<f32> {
    let distance = length(in.position.xy - in.center);
    return vec4(clamp(dot_radius() + 0.5 - distance, 0.0, 1.0), 0.0, 0.0, 0.0);
}
