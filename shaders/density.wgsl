// Density pass (after shared/point_quad.wgsl): one instanced quad per point (drawn once per world
// copy) adds the exact kernel of raster::reference at every pixel centre it covers:
//   w · intensity · exp(-dx² / 2σ²) · exp(-dy² / 2σ²)   for |dx| <= r and |dy| <= r, else 0.
// The target is Rg32Float with additive blending, so the sum is the reference's up to f32 rounding;
// a mean frame (frame.coverage = 1) also sums the kernel alone, Σ K, into green.

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    // The point in device pixels (origin top left), the same for the whole quad.
    @location(0) @interpolate(flat) center: vec2<f32>,
    @location(1) @interpolate(flat) weight: f32,
}

@vertex
fn vs_main(@builtin(vertex_index) vertex: u32, @location(0) point: vec3<f32>) -> VertexOut {
    var out: VertexOut;
    out.center = point_pixel(point.xy);
    // One pixel wider than the support, so that rasterisation rules never drop a pixel centre at
    // exactly r; the fragment shader applies the exact bound.
    out.position = quad_corner(vertex, out.center, frame.radius + 1.0);
    out.weight = point.z * frame.intensity;
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    // position.xy is the pixel centre (i + 0.5, j + 0.5), as in the reference.
    let d = in.position.xy - in.center;
    if any(abs(d) > vec2(frame.radius)) {
        return vec4(0.0);
    }
    // Separable like the reference: the same factors, multiplied in the same order.
    let k = exp(-d.x * d.x * frame.inv_two_sigma2) * exp(-d.y * d.y * frame.inv_two_sigma2);
    return vec4(in.weight * k, k * frame.coverage, 0.0, 0.0);
}
