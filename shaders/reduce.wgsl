// Viewport normalisation: the highest density of the frame, reduced on the GPU so that the colour
// pass can use it without a round trip through the CPU.
//
// Densities are never negative, and non-negative IEEE floats order like their bit patterns read as
// unsigned integers, so an atomic max on the bits is a max on the values. The result buffer is
// cleared to 0 (the bits of 0.0) before the dispatch.

@group(0) @binding(0) var density: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> result: atomic<u32>;

var<workgroup> local_max: atomic<u32>;

// Each invocation reads a TILE × TILE block, so a 16 × 16 workgroup covers 64 × 64 pixels.
const TILE: u32 = 4u;

@compute @workgroup_size(16, 16)
fn main(
    @builtin(global_invocation_id) id: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    if local == 0u {
        atomicStore(&local_max, 0u);
    }
    workgroupBarrier();
    let size = textureDimensions(density);
    var m = 0.0;
    for (var j = 0u; j < TILE; j++) {
        for (var i = 0u; i < TILE; i++) {
            let p = id.xy * TILE + vec2(i, j);
            if all(p < size) {
                // The density, or a mean (see shared/layer_prelude.wgsl's density_at).
                let d = textureLoad(density, p, 0);
                m = max(m, d.r / max(d.g, 1.0));
            }
        }
    }
    atomicMax(&local_max, bitcast<u32>(m));
    workgroupBarrier();
    // One global atomic per workgroup instead of one per invocation.
    if local == 0u {
        atomicMax(&result, atomicLoad(&local_max));
    }
}
