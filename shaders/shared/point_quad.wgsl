// Instanced quads around points, shared by the density pass (density.wgsl) and the points layer's
// coverage pass (coverage.wgsl): each is drawn once per world copy, with that copy's `Frame`
// at a dynamic offset.

struct Frame {
    // (view centre - points' origin - world copy) in world units, split into a high and a low f32:
    // subtracting them one after the other from a point's f32 offset keeps the result (small for
    // points near the view) almost as precise as the f64 the CPU uses, however far the view is
    // from the origin.
    center_hi: vec2<f32>,
    center_lo: vec2<f32>,
    // Device pixels per world unit.
    scale: f32,
    // Kernel radius r in device pixels.
    radius: f32,
    // 1 / (2σ²), σ = r / 3.
    inv_two_sigma2: f32,
    intensity: f32,
    // Half the target's size in device pixels (the view centre's pixel position).
    half_size: vec2<f32>,
    // Device pixels per CSS pixel.
    pixel_ratio: f32,
    // 1 when the density pass also sums the coverage Σ K into green (a mean frame), else 0.
    coverage: f32,
}

@group(0) @binding(0) var<uniform> frame: Frame;

// A point's position in device pixels (origin top left) in this world copy.
fn point_pixel(point: vec2<f32>) -> vec2<f32> {
    let offset = (point - frame.center_hi) - frame.center_lo;
    return offset * frame.scale + frame.half_size;
}

// Corner `vertex` (0 to 5) of the square of half-size `half_extent` device pixels around `center`,
// in clip space: two triangles over (-1, -1), (1, -1), (-1, 1) and (-1, 1), (1, -1), (1, 1).
fn quad_corner(vertex: u32, center: vec2<f32>, half_extent: f32) -> vec4<f32> {
    var corners = array<vec2<f32>, 6>(
        vec2(-1.0, -1.0), vec2(1.0, -1.0), vec2(-1.0, 1.0),
        vec2(-1.0, 1.0), vec2(1.0, -1.0), vec2(1.0, 1.0),
    );
    let pixel = center + corners[vertex] * half_extent;
    return vec4(pixel.x / frame.half_size.x - 1.0, 1.0 - pixel.y / frame.half_size.y, 0.0, 1.0);
}
