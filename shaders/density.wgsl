// Density pass: one instanced quad per point (drawn once per world copy) adds the exact kernel of
// raster::reference at every pixel centre it covers:
//   w · intensity · exp(-dx² / 2σ²) · exp(-dy² / 2σ²)   for |dx| <= r and |dy| <= r, else 0.
// The target is R32Float with additive blending, so the sum is the reference's up to f32 rounding.

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
    _pad: vec2<f32>,
}

@group(0) @binding(0) var<uniform> frame: Frame;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    // The point in device pixels (origin top left), the same for the whole quad.
    @location(0) @interpolate(flat) center: vec2<f32>,
    @location(1) @interpolate(flat) weight: f32,
}

@vertex
fn vs_main(@builtin(vertex_index) vertex: u32, @location(0) point: vec3<f32>) -> VertexOut {
    // Two triangles over the corners (-1, -1), (1, -1), (-1, 1) and (-1, 1), (1, -1), (1, 1).
    var corners = array<vec2<f32>, 6>(
        vec2(-1.0, -1.0), vec2(1.0, -1.0), vec2(-1.0, 1.0),
        vec2(-1.0, 1.0), vec2(1.0, -1.0), vec2(1.0, 1.0),
    );
    let offset = (point.xy - frame.center_hi) - frame.center_lo;
    let center = offset * frame.scale + frame.half_size;
    // One pixel wider than the support, so that rasterisation rules never drop a pixel centre at
    // exactly r; the fragment shader applies the exact bound.
    let pixel = center + corners[vertex] * (frame.radius + 1.0);
    var out: VertexOut;
    out.position = vec4(pixel.x / frame.half_size.x - 1.0, 1.0 - pixel.y / frame.half_size.y, 0.0, 1.0);
    out.center = center;
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
    return vec4(in.weight * k, 0.0, 0.0, 0.0);
}
