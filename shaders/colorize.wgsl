// Colour pass: density → normalised value → 256-entry palette → straight RGBA8, exactly the
// mapping of raster::colorize:
//   value = clamp(density / max, 0, 1); transparent if value < threshold;
//   else lut[floor(value · 255 + 0.5)] (opacity already in the palette's alpha).

struct Params {
    // The density that maps to the top of the ramp, and its reciprocal computed on the CPU as
    // raster::colorize does; ignored when flags bit 0 is set.
    max_density: f32,
    inv_max: f32,
    threshold: f32,
    // Bit 0: take the maximum from the max_reduce result (viewport normalisation).
    // Bit 1: write premultiplied alpha (a WebGPU canvas composites premultiplied colours only).
    flags: u32,
    // The palette, 4 packed RGBA8 entries (red in the low byte) per element.
    lut: array<vec4<u32>, 64>,
}

@group(0) @binding(0) var density: texture_2d<f32>;
@group(0) @binding(1) var<uniform> params: Params;
// Bits of the frame's maximum density, written by max_reduce.wgsl.
@group(0) @binding(2) var<storage, read> reduced: u32;

@vertex
fn vs_main(@builtin(vertex_index) vertex: u32) -> @builtin(position) vec4<f32> {
    // One triangle that covers the whole target: (-1, -1), (3, -1), (-1, 3).
    let uv = vec2(f32((vertex << 1u) & 2u), f32(vertex & 2u));
    return vec4(uv * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    var max_density = params.max_density;
    var inv = params.inv_max;
    if (params.flags & 1u) != 0u {
        max_density = bitcast<f32>(reduced);
        inv = 1.0 / max_density;
    }
    // No positive finite maximum (nothing in a viewport-normalised frame): transparent.
    if !(max_density > 0.0 && max_density <= 3.4028234e38) {
        return vec4(0.0);
    }
    let d = textureLoad(density, vec2<u32>(position.xy), 0).r;
    let value = clamp(d * inv, 0.0, 1.0);
    if value < params.threshold {
        return vec4(0.0);
    }
    let index = u32(value * 255.0 + 0.5);
    // unorm8 k/255 written to an 8-bit unorm target comes back as exactly k.
    let color = unpack4x8unorm(params.lut[index / 4u][index % 4u]);
    if (params.flags & 2u) != 0u {
        return vec4(color.rgb * color.a, color.a);
    }
    return color;
}
