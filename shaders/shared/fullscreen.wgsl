// The vertex stage of every full-target pass (colorize, layers, resolve): one triangle that covers
// the whole target, (-1, -1), (3, -1), (-1, 3), drawn with 3 vertices and no buffers.

@vertex
fn geoheat_vs(@builtin(vertex_index) vertex: u32) -> @builtin(position) vec4<f32> {
    let uv = vec2(f32((vertex << 1u) & 2u), f32(vertex & 2u));
    return vec4(uv * 2.0 - 1.0, 0.0, 1.0);
}
