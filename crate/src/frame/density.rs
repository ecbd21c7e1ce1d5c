//! [`DensityField`]: one frame's densities before normalisation, as every backend hands them out.

/// Density values of one frame, one f32 per device pixel, row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DensityField {
    /// Width in device pixels.
    pub width: u32,
    /// Height in device pixels.
    pub height: u32,
    /// `width · height` densities (before normalisation), row by row from the top left.
    pub values: Vec<f32>,
}

impl DensityField {
    /// The density of the device pixel that contains `(x, y)` (device pixel coordinates, origin
    /// top left), or `None` outside the field.
    pub fn value_at(&self, x: f64, y: f64) -> Option<f32> {
        let inside = |v: f64, len: u32| v >= 0.0 && v < f64::from(len);
        if !(inside(x, self.width) && inside(y, self.height)) {
            return None;
        }
        // Both are non-negative and below the side, so truncation is floor and in range.
        self.values
            .get(y as usize * self.width as usize + x as usize)
            .copied()
    }

    /// The highest density (0 when empty).
    pub fn max(&self) -> f32 {
        max_of(&self.values)
    }
}

/// The largest value, at least 0. Densities are never NaN, so a plain comparison does:
/// `f32::max` handles NaN and in wasm becomes a call to `fmaxf` per value.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(crate) fn max_of(values: &[f32]) -> f32 {
    let pick = |m: f32, v: f32| if v > m { v } else { m };
    // Independent running maxima, one per lane: a single one is a chain of dependent compares,
    // which does not vectorise (the maximum does not depend on the order).
    let mut lanes = [0.0; LANES];
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (m, &v) in lanes.iter_mut().zip(chunk) {
            *m = pick(*m, v);
        }
    }
    lanes
        .into_iter()
        .chain(rest.iter().copied())
        .fold(0.0, pick)
}

/// Running maxima of [`max_of`]: one 128-bit vector's worth.
const LANES: usize = 4;
