// What every layer's `shade` function can use. geoheat appends this (then shared/fullscreen.wgsl
// and layers.wgsl) after a layer's own source, so the layer's line numbers are its own. The
// contract (README, "Custom WGSL layers"):
//
//   fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32>
//
// runs once per device pixel; `value` is the normalised density in [0, 1], `density` the raw sum,
// `px` the pixel centre in device pixels from the top left. It returns straight (not
// premultiplied) RGBA in [0, 1]; geoheat clamps it, applies the layer's opacity and blends it.
//
// Names a layer may use: `geoheat` (below), `u` (the layer's uniforms, when it declares any),
// `density_at`, `value_at`, `max_density`, `ramp`. Everything named `geoheat_*` is internal.

struct Geoheat {
    // Target size in device pixels.
    size: vec2<f32>,
    // Seconds since the heatmap started; reading it makes a layer animated.
    time: f32,
    // Map zoom (the world is 512 · 2^zoom CSS pixels wide).
    zoom: f32,
    // Device pixels per CSS pixel.
    pixel_ratio: f32,
    // Kernel radius in device pixels.
    radius: f32,
    // The density that maps to value 1 when known on the CPU (fixed or stable normalisation).
    _max_density: f32,
    // Its reciprocal, computed on the CPU as raster::colorize does, so the products match.
    _inv_max: f32,
    // Values below it are transparent in the heat layer.
    _threshold: f32,
    // Bit 0: the maximum is the reduce.wgsl result of this frame (viewport normalisation).
    _flags: u32,
    _pad: vec2<u32>,
}

struct GeoheatPalette {
    // The 256-entry ramp, 4 packed RGBA8 colours (red in the low byte) per element, the heat
    // style's opacity already in alpha.
    lut: array<vec4<u32>, 64>,
}

struct GeoheatLayer {
    // The layer's opacity, applied after `shade`.
    opacity: f32,
    // This layer's bit in geoheat_faults.
    fault_bit: u32,
    _pad: vec2<u32>,
}

@group(0) @binding(0) var geoheat_density: texture_2d<f32>;
@group(0) @binding(1) var<uniform> geoheat: Geoheat;
@group(0) @binding(2) var<uniform> geoheat_palette: GeoheatPalette;
// Bits of the frame's maximum density, written by reduce.wgsl.
@group(0) @binding(3) var<storage, read> geoheat_reduced: u32;
// One bit per layer whose `shade` returned NaN or an infinity this frame.
@group(0) @binding(4) var<storage, read_write> geoheat_faults: atomic<u32>;
// Disc coverage of the points layer being drawn (see layers/points.wgsl).
@group(0) @binding(5) var geoheat_coverage: texture_2d<f32>;
@group(1) @binding(0) var<uniform> geoheat_layer: GeoheatLayer;

// The density that maps to value 1; 0 or less when the frame has no density.
fn max_density() -> f32 {
    if (geoheat._flags & 1u) != 0u {
        return bitcast<f32>(geoheat_reduced);
    }
    return geoheat._max_density;
}

// Raw density (or mean) at a device pixel; coordinates are clamped to the target.
fn density_at(px: vec2<i32>) -> f32 {
    let last = vec2<i32>(textureDimensions(geoheat_density)) - 1;
    let d = textureLoad(geoheat_density, clamp(px, vec2(0), last), 0);
    // Red is Σ w·K, green Σ K for a mean (0 for a sum): the mean divides by at least 1
    // (MEAN_MIN_COVERAGE, so it fades where less than one kernel covers the pixel), and a sum
    // divided by 1 is itself.
    return d.r / max(d.g, 1.0);
}

// clamp(density / max, 0, 1) at a device pixel (clamped to the target); 0 in a frame without
// density.
fn value_at(px: vec2<i32>) -> f32 {
    var max_d = geoheat._max_density;
    var inv = geoheat._inv_max;
    if (geoheat._flags & 1u) != 0u {
        max_d = bitcast<f32>(geoheat_reduced);
        inv = 1.0 / max_d;
    }
    if !(max_d > 0.0 && max_d <= 3.4028234e38) {
        return 0.0;
    }
    return clamp(density_at(px) * inv, 0.0, 1.0);
}

// The heatmap's colour ramp at a value in [0, 1] (straight RGBA), the same 256-entry palette the
// heat layer uses.
fn ramp(value: f32) -> vec4<f32> {
    let index = u32(clamp(value, 0.0, 1.0) * 255.0 + 0.5);
    // unorm8 k/255 written to an 8-bit unorm target comes back as exactly k.
    return unpack4x8unorm(geoheat_palette.lut[index / 4u][index % 4u]);
}

// True when no component is NaN or infinite, by the exponent bits: WGSL lets a compiler assume
// floats are finite, so `x != x` may be folded away.
fn geoheat_is_finite(color: vec4<f32>) -> bool {
    let exponent = bitcast<vec4<u32>>(color) & vec4(0x7f800000u);
    return all(exponent != vec4(0x7f800000u));
}
