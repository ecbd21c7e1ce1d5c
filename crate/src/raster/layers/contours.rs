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

    /// The straight colour at column `x` of `window`'s middle row, finite (a tiny interval can
    /// overflow the shader's math; see [`finite_or_transparent`]).
    pub(super) fn shade(&self, window: &Window, ramp: &Ramp, x: usize) -> [f32; 4] {
        let Window { above, here, below } = *window;
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
    fn color_at(&self, value: f32, gx: f32, gy: f32, ramp: &Ramp) -> [f32; 4] {
        let Self {
            interval,
            half_width,
            color,
            fill,
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
    fn flat_zero_areas_take_the_shaders_colour() {
        let zeros = [0.0, -0.0, 0.0];
        let window = Window {
            above: &zeros,
            here: &zeros,
            below: &zeros,
        };
        // Far from the first level: nothing.
        assert_eq!(contours(0.25, 1.0).shade(&window, &ramp(), 1), [0.0; 4]);
        // A level 1e-9 from 0 is 0.001 px from it at the gradient's floor of 1e-6: on the line.
        let [r, g, b, a] = contours(1e-9, 0.0).shade(&window, &ramp(), 1);
        assert_eq!([r, g, b], [1.0, 0.0, 0.0]);
        assert!(a > 0.99, "{a}");
    }
}
