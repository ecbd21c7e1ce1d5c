//! Normalisation and colouring, shared by the reference and the fast path so that the two differ
//! only in density.

use super::field::PixelRect;
use crate::style::{HeatStyle, Rgba};

/// `1 / max`, the factor that normalises densities, or `None` when `max` is not a positive number
/// (no density in a viewport-normalised frame): such a frame has no values and is transparent.
/// Multiplying by the reciprocal rather than dividing is what every backend does, so the values
/// match bit for bit.
pub(crate) fn inverse_max(max: f32) -> Option<f32> {
    (max > 0.0 && max.is_finite()).then(|| 1.0 / max)
}

/// The normalised value of a density: `clamp(density · inv, 0, 1)`.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(crate) fn normalized(density: f32, inv: f32) -> f32 {
    (density * inv).clamp(0.0, 1.0)
}

/// The palette entry of a value: `round(clamp(value, 0, 1) · 255)`, as the WGSL `ramp` does.
/// Called per pixel: inlined even under the wasm build's low inlining threshold.
#[cfg_attr(wasm_for_size, optimize(speed))]
#[inline]
pub(crate) fn lut_index(value: f32) -> usize {
    // In [0.5, 255.5] (NaN saturates to 0), so the index is in [0, 255]. Through i32, which
    // converts in one instruction where usize may not (x86-64).
    (value.clamp(0.0, 1.0) * 255.0 + 0.5) as i32 as usize
}

/// Writes straight RGBA8 for each density into `rgba` (4 bytes per value):
/// `value = clamp(density / max, 0, 1)`, colour `lut[round(value · 255)]` with alpha times
/// opacity, transparent where `value < threshold`. A `max` that is not a positive number (no
/// density in a viewport-normalised frame) gives a transparent frame.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(crate) fn colorize(values: &[f32], max: f32, style: &HeatStyle, rgba: &mut [u8]) {
    Colors::new(style, max).paint_all(values, rgba);
}

/// How densities become colours in one frame: the palette, the threshold and the normalisation.
/// Two frames with equal `Colors` colour equal densities alike.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Colors {
    lut: [Rgba; 256],
    threshold: f32,
    /// `1 / max` (see [`inverse_max`]).
    inv: f32,
}

impl Colors {
    /// The colours of `style` normalised by `max`; a `max` that is not a positive number gives
    /// transparent colours throughout.
    pub(crate) fn new(style: &HeatStyle, max: f32) -> Self {
        match inverse_max(max) {
            Some(inv) => Self {
                lut: style.palette(),
                threshold: style.threshold,
                inv,
            },
            None => Self {
                lut: [[0; 4]; 256],
                threshold: 0.0,
                inv: 0.0,
            },
        }
    }

    /// Colours every pixel.
    #[inline(never)]
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(crate) fn paint_all(&self, values: &[f32], rgba: &mut [u8]) {
        // As one long row: runs without heat may span rows.
        let len = values.len();
        self.paint(values, len.max(1), PixelRect::whole(len, 1), rgba);
    }

    /// Colours the pixels `rect` of a frame `width` pixels wide: densities in `values`, RGBA8 in
    /// `rgba`, both row-major over the whole frame.
    #[inline(never)]
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(crate) fn paint(&self, values: &[f32], width: usize, rect: PixelRect, rgba: &mut [u8]) {
        debug_assert_eq!(values.len() * 4, rgba.len());
        let lines = values
            .chunks_exact(width)
            .zip(rgba.chunks_exact_mut(4 * width))
            .skip(rect.y0)
            .take(rect.y1 - rect.y0);
        let color = |density: f32| {
            let value = normalized(density, self.inv);
            if value < self.threshold {
                [0; 4]
            } else {
                self.lut[lut_index(value)]
            }
        };
        // Where there is no heat (most of the frame for sparse data) a whole run of pixels takes
        // the colour of 0: finding such a run is a compare that vectorises, cheaper than the
        // palette lookups it saves. -0.0 and 0.0 give the same colour.
        let empty = color(0.0);
        for (densities, line) in lines {
            let densities = &densities[rect.x0..rect.x1];
            let line = &mut line[4 * rect.x0..4 * rect.x1];
            for (pixels, run) in line
                .chunks_mut(4 * EMPTY_RUN)
                .zip(densities.chunks(EMPTY_RUN))
            {
                if run.iter().all(|&d| d == 0.0) {
                    for pixel in pixels.chunks_exact_mut(4) {
                        pixel.copy_from_slice(&empty);
                    }
                    continue;
                }
                for (pixel, &density) in pixels.chunks_exact_mut(4).zip(run) {
                    pixel.copy_from_slice(&color(density));
                }
            }
        }
    }
}

/// Pixels checked at a time for having no heat at all.
const EMPTY_RUN: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::{ColorRamp, ColorStop, Normalize};

    fn grey_style() -> HeatStyle {
        let ramp = ColorRamp::new(vec![
            ColorStop {
                offset: 0.0,
                color: [0, 0, 0, 0],
            },
            ColorStop {
                offset: 1.0,
                color: [255, 255, 255, 255],
            },
        ])
        .expect("valid ramp");
        HeatStyle {
            ramp,
            normalize: Normalize::Viewport,
            ..HeatStyle::default()
        }
    }

    #[test]
    fn maps_clamps_and_thresholds() {
        let style = HeatStyle {
            opacity: 0.5,
            threshold: 0.2,
            ..grey_style()
        };
        let mut rgba = [0; 16];
        colorize(&[0.0, 1.0, 2.0, 4.0], 2.0, &style, &mut rgba);
        let mut long = vec![9; 4 * 3 * EMPTY_RUN];
        let mut densities = vec![0.0; 3 * EMPTY_RUN];
        densities[2 * EMPTY_RUN + 5] = 2.0;
        colorize(&densities, 2.0, &style, &mut long);
        // Runs without heat are below the threshold too; the run with heat is coloured per pixel.
        assert!(long[..8 * EMPTY_RUN].iter().all(|&b| b == 0));
        assert_eq!(&long[4 * (2 * EMPTY_RUN + 5)..][..4], &[255, 255, 255, 128]);
        // 0 → below the threshold; 0.5 → index 128 (round(127.5)); 1 and clamped 2 → 255.
        assert_eq!(&rgba[0..4], &[0, 0, 0, 0]);
        assert_eq!(&rgba[4..8], &[128, 128, 128, 64]);
        assert_eq!(&rgba[8..12], &[255, 255, 255, 128]);
        assert_eq!(&rgba[12..16], &[255, 255, 255, 128]);
    }

    #[test]
    fn zero_max_is_transparent() {
        let mut rgba = [7; 8];
        colorize(&[0.0, 0.0], 0.0, &grey_style(), &mut rgba);
        assert_eq!(rgba, [0; 8]);
    }
}
