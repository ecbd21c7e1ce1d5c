//! The contours layer on the CPU: the math of `shaders/layers/contours.wgsl`, step for step in f32,
//! so both backends draw the same lines.

use super::Ramp;
use super::composite::finite_or_transparent;
use crate::layer::Layer;

/// A contours layer's uniforms, with what the shader derives from them once per pixel hoisted.
#[derive(Debug, Clone, Copy)]
pub(super) struct Contours {
    interval: f32,
    /// Half the line width in device pixels.
    half_width: f32,
    color: [f32; 4],
    fill: f32,
    /// The top level's index: levels are `k · interval` for `k = 1 ..= last`, all below 1 (the
    /// value is clamped at 1, so a level there would outline every saturated pixel).
    last: f32,
    /// The colour where the value and its four neighbours are 0, as most of a sparse frame is:
    /// the same everywhere, so worked out once.
    flat: [f32; 4],
}

/// Rows `y − 1`, `y` and `y + 1` of the frame's normalised values, the outer two clamped to the
/// frame as the WGSL `value_at` clamps them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window<'a> {
    pub above: &'a [f32],
    pub here: &'a [f32],
    pub below: &'a [f32],
    /// True when no value of the three rows is NaN.
    pub ordered: bool,
}

/// Pixels per span that [`Contours::shade_row`] tests at once: enough that the test costs little
/// per pixel, few enough that a line crossing the span leaves little to shade one by one.
const SPAN: usize = 16;

/// Lanes of the running least and greatest value in [`range`]: one SIMD register of f32.
const LANES: usize = 4;

/// The least and greatest of `window`'s values in `columns` (a span and its neighbours). The
/// window is `ordered`: the comparisons would skip a NaN.
#[cfg_attr(wasm_for_size, optimize(speed))]
fn range(window: &Window, columns: std::ops::Range<usize>) -> [f32; 2] {
    let mut lo = [f32::INFINITY; LANES];
    let mut hi = [f32::NEG_INFINITY; LANES];
    for row in [window.above, window.here, window.below] {
        let values = &row[columns.clone()];
        let mut chunks = values.chunks_exact(LANES);
        for chunk in &mut chunks {
            for i in 0..LANES {
                lo[i] = min(lo[i], chunk[i]);
                hi[i] = max(hi[i], chunk[i]);
            }
        }
        for &v in chunks.remainder() {
            lo[0] = min(lo[0], v);
            hi[0] = max(hi[0], v);
        }
    }
    [
        lo.into_iter().fold(f32::INFINITY, min),
        hi.into_iter().fold(f32::NEG_INFINITY, max),
    ]
}

/// A bound on the gradient of the pixels of a span, `columns` being the span and its neighbours:
/// the largest step between neighbours across plus the largest down, each of which bounds one
/// central difference. Tighter than the range of the values, and dearer.
#[cfg_attr(wasm_for_size, optimize(speed))]
fn slope(window: &Window, columns: std::ops::Range<usize>) -> f32 {
    let (above, here, below) = (
        &window.above[columns.clone()],
        &window.here[columns.clone()],
        &window.below[columns],
    );
    let across = here
        .iter()
        .zip(&here[1..])
        .fold(0.0, |m, (a, b)| max(m, (b - a).abs()));
    let down = above
        .iter()
        .zip(here)
        .zip(below)
        .fold(0.0, |m, ((a, h), b)| {
            max(max(m, (h - a).abs()), (b - h).abs())
        });
    across + down
}

/// The lesser of two values that are not NaN (one comparison, which vectorises).
#[inline]
fn min(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

/// The greater of two values that are not NaN.
#[inline]
fn max(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// `floor(t)` for a finite `t`, without the library call `f32::floor` is on baseline x86-64;
/// beyond ±2^63 it saturates (the callers compare it with bounds far smaller).
#[inline]
fn floor(t: f32) -> f32 {
    let truncated = t as i64 as f32;
    if truncated > t {
        truncated - 1.0
    } else {
        truncated
    }
}

/// `ceil(t)` as [`floor`] has it.
#[inline]
fn ceil(t: f32) -> f32 {
    -floor(-t)
}

impl Contours {
    pub(super) fn new(layer: &Layer, pixel_ratio: f32, ramp: &Ramp) -> Self {
        Self::from_uniforms(
            layer.uniform_f32("interval"),
            0.5 * layer.uniform_f32("width") * pixel_ratio,
            layer.uniform_vec4("color"),
            layer.uniform_f32("fill"),
            ramp,
        )
    }

    fn from_uniforms(
        interval: f32,
        half_width: f32,
        color: [f32; 4],
        fill: f32,
        ramp: &Ramp,
    ) -> Self {
        let mut contours = Self {
            interval,
            half_width,
            color,
            fill,
            last: (0.9999 / interval).floor(),
            flat: [0.0; 4],
        };
        contours.flat = contours.color_at(0.0, 0.0, 0.0, ramp);
        contours
    }

    /// Calls `paint(x, colour)` with the straight colour of each pixel `x` of `window`'s middle
    /// row that may have alpha, as [`Contours::shade`] gives it: spans that are one colour (see
    /// [`Contours::uniform`]) are not shaded pixel by pixel, and transparent ones not at all.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn shade_row(
        &self,
        window: &Window,
        ramp: &Ramp,
        mut paint: impl FnMut(usize, [f32; 4]),
    ) {
        let w = window.here.len();
        if !window.ordered {
            (0..w).for_each(|x| paint(x, self.shade(window, ramp, x)));
            return;
        }
        for x0 in (0..w).step_by(SPAN) {
            let x1 = (x0 + SPAN).min(w);
            // The span's pixels and their left and right neighbours.
            let around = x0.saturating_sub(1)..(x1 + 1).min(w);
            let [lo, hi] = range(window, around.clone());
            // The range bounds the gradient too: enough where the values are far from any level,
            // as over most of a frame; the tighter bound only where that fails.
            let color = self
                .uniform(lo, hi, hi - lo, ramp)
                .or_else(|| self.uniform(lo, hi, slope(window, around), ramp));
            match color {
                Some(color) if color[3] <= 0.0 => {}
                Some(color) => (x0..x1).for_each(|x| paint(x, color)),
                None => (x0..x1).for_each(|x| paint(x, self.shade(window, ramp, x))),
            }
        }
    }

    /// The straight colour at column `x` of `window`'s middle row, finite (a tiny interval can
    /// overflow the shader's math; see [`finite_or_transparent`]).
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn shade(&self, window: &Window, ramp: &Ramp, x: usize) -> [f32; 4] {
        let Window {
            above, here, below, ..
        } = *window;
        let value = here[x];
        let left = here[x.saturating_sub(1)];
        let right = here[(x + 1).min(here.len() - 1)];
        let (up, down) = (above[x], below[x]);
        if [value, left, right, up, down] == [0.0; 5] {
            return self.flat;
        }
        self.color_at(value, (right - left) * 0.5, (down - up) * 0.5, ramp)
    }

    /// The straight colour of `value` with gradient `(gx, gy)` (central differences): the line,
    /// anti-aliased by its distance in pixels (`|value − level| / |gradient|`), over the band's
    /// fill.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn color_at(&self, value: f32, gx: f32, gy: f32, ramp: &Ramp) -> [f32; 4] {
        let Self {
            interval,
            half_width,
            color,
            last,
            ..
        } = *self;
        let gradient = (gx * gx + gy * gy).sqrt().max(1e-6);
        // WGSL's round() breaks ties to even; max() keeps the bounds ordered even for NaN.
        let k = (value / interval)
            .round_ties_even()
            .clamp(1.0, last.max(1.0));
        let distance = (value - k * interval).abs() / gradient;
        let line = if last < 1.0 {
            0.0
        } else {
            (half_width + 0.5 - distance).clamp(0.0, 1.0) * color[3]
        };
        self.over_band(line, value, ramp)
    }

    /// The line's colour with alpha `line` over the fill of `value`'s band, straight.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn over_band(&self, line: f32, value: f32, ramp: &Ramp) -> [f32; 4] {
        let Self {
            interval,
            color,
            fill,
            last,
            ..
        } = *self;
        let band = (value / interval).floor().min(last);
        let mut below = [0.0; 4];
        if band >= 1.0 && fill > 0.0 {
            below = ramp.at(band * interval);
            below[3] *= fill;
        }
        // The line over the fill, back to straight alpha.
        let alpha = line + below[3] * (1.0 - line);
        if alpha <= 0.0 {
            return [0.0; 4];
        }
        let mix = |c: usize| (color[c] * line + below[c] * below[3] * (1.0 - line)) / alpha;
        finite_or_transparent([mix(0), mix(1), mix(2), alpha])
    }

    /// The colour of every pixel of a span whose values and their neighbours' all lie in
    /// `[lo, hi]` and whose gradients are at most `slope` long, when it is one colour: no level
    /// lies close enough to any of those values for its line to reach a pixel, and all values
    /// are in one band. `None` when the pixels must be shaded one by one (or `lo` or `hi` is NaN).
    ///
    /// A pixel's line has alpha only where a level lies within `(half_width + 0.5) · gradient`
    /// of its value (the gradient floored at 1e-6); the test takes twice that, and 1e-6 more, so
    /// that the f32 rounding of [`Contours::shade`] cannot put a line where it finds none.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn uniform(&self, lo: f32, hi: f32, slope: f32, ramp: &Ramp) -> Option<[f32; 4]> {
        let Self {
            interval,
            half_width,
            fill,
            last,
            ..
        } = *self;
        // Levels so fine that the index arithmetic loses precision: shade each pixel.
        if !(interval >= 1e-4 && lo <= hi) {
            return None;
        }
        if last >= 1.0 {
            let reach = 2.0 * (half_width + 0.5).max(0.0) * slope.max(1e-6) + 1e-6;
            // The levels k · interval, k in 1..=last, that lie in [lo − reach, hi + reach].
            let first = ceil((lo - reach) / interval).max(1.0);
            let end = floor((hi + reach) / interval).min(last);
            if first <= end {
                return None;
            }
        }
        // `band` in `over_band` only grows with the value (and `floor` is exact on it).
        let band = |v: f32| floor(v / interval).min(last);
        let band_lo = band(lo);
        if band_lo != band(hi) {
            return None;
        }
        // No fill below the first level or without `fill`: what `over_band` gives there.
        Some(if band_lo < 1.0 || fill <= 0.0 {
            [0.0; 4]
        } else {
            self.over_band(0.0, lo, ramp)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::colorize::normalized;
    use crate::style::HeatStyle;

    fn ramp() -> Ramp {
        Ramp::new(&HeatStyle::default())
    }

    /// The straight colour at column `x` of a 101×3 frame whose value grows by 0.01 a pixel to
    /// the right: the gradient is 0.01, so a pixel `n` columns from a level is `n` pixels from
    /// its line. The ramp is the default style's.
    fn shade_on_slope(contours: &Contours, x: usize) -> [f32; 4] {
        let row: Vec<f32> = (0..=100).map(|x| normalized(x as f32, 0.01)).collect();
        let window = Window {
            above: &row,
            here: &row,
            below: &row,
            ordered: true,
        };
        contours.shade(&window, &ramp(), x)
    }

    fn contours(interval: f32, fill: f32) -> Contours {
        Contours::from_uniforms(interval, 0.5, [1.0, 0.0, 0.0, 1.0], fill, &ramp())
    }

    fn alpha_at(contours: &Contours, x: usize) -> f32 {
        shade_on_slope(contours, x)[3]
    }

    #[test]
    fn lines_are_one_pixel_wide_at_each_level_below_one() {
        let c = contours(0.25, 0.0);
        for level in [25, 50, 75] {
            assert!((alpha_at(&c, level) - 1.0).abs() < 1e-4, "{level}");
            for off in [level - 1, level + 1, level + 12] {
                assert!(alpha_at(&c, off) < 1e-3, "{off}");
            }
        }
        // Value 1 (and the image edge) carries no line.
        assert_eq!(alpha_at(&c, 100), 0.0);
        // An interval of 1 or more leaves no level below 1.
        assert!((0..=100).all(|x| alpha_at(&contours(1.0, 0.0), x) == 0.0));
    }

    #[test]
    fn bands_take_the_ramp_at_their_lower_level() {
        let ramp = ramp();
        let c = contours(0.25, 0.5);
        // Value 0.6: band 2, level 0.5, far from any line.
        let [r, g, b, a] = shade_on_slope(&c, 62);
        let [er, eg, eb, ea] = ramp.at(0.5);
        assert_eq!([r, g, b], [er, eg, eb]);
        assert!((a - ea * 0.5).abs() < 1e-6);
        // Below the first level: no band.
        assert_eq!(shade_on_slope(&c, 12), [0.0; 4]);
    }

    #[test]
    fn shading_by_spans_gives_every_pixel_its_own_colour() {
        let ramp = ramp();
        // Ramps, plateaus and ridges across levels, steep and shallow, 100 pixels wide.
        let rows: Vec<Vec<f32>> = (0..40)
            .map(|k| {
                let (slope, offset) = (0.0005 * (k % 8) as f32, 0.05 * (k / 8) as f32);
                (0..100)
                    .map(|x| {
                        let ridge = if k % 3 == 0 {
                            (x % 23) as f32 * 0.01
                        } else {
                            0.0
                        };
                        (offset + slope * x as f32 + ridge).min(1.0)
                    })
                    .collect()
            })
            .collect();
        for contours in [contours(0.2, 0.0), contours(0.1, 0.35), contours(0.05, 1.0)] {
            for y in 1..rows.len() - 1 {
                let window = Window {
                    above: &rows[y - 1],
                    here: &rows[y],
                    below: &rows[y + 1],
                    ordered: true,
                };
                let mut painted = vec![[0.0; 4]; 100];
                contours.shade_row(&window, &ramp, |x, color| painted[x] = color);
                for (x, got) in painted.iter().enumerate() {
                    let mut want = contours.shade(&window, &ramp, x);
                    // Skipped pixels are the transparent ones.
                    if want[3] <= 0.0 {
                        want = [0.0; 4];
                    }
                    assert_eq!(*got, want, "row {y}, pixel {x}");
                }
            }
        }
    }

    #[test]
    fn flat_zero_areas_take_the_shaders_colour() {
        let zeros = [0.0, -0.0, 0.0];
        let window = Window {
            above: &zeros,
            here: &zeros,
            below: &zeros,
            ordered: true,
        };
        // Far from the first level: nothing.
        assert_eq!(contours(0.25, 1.0).shade(&window, &ramp(), 1), [0.0; 4]);
        // A level 1e-9 from 0 is 0.001 px from it at the gradient's floor of 1e-6: on the line.
        let [r, g, b, a] = contours(1e-9, 0.0).shade(&window, &ramp(), 1);
        assert_eq!([r, g, b], [1.0, 0.0, 0.0]);
        assert!(a > 0.99, "{a}");
    }
}
