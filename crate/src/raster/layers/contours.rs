//! The contours layer on the CPU: the math of `shaders/contours_layer.wgsl`, step for step in f32,
//! so both backends draw the same lines.

use super::{Ramp, Values};
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
}

impl Contours {
    pub(super) fn new(layer: &Layer, pixel_ratio: f32) -> Self {
        let interval = layer.uniform_f32("interval");
        Self {
            interval,
            half_width: 0.5 * layer.uniform_f32("width") * pixel_ratio,
            color: layer.uniform_vec4("color"),
            fill: layer.uniform_f32("fill"),
            last: (0.9999 / interval).floor(),
        }
    }

    /// The straight colour at device pixel `(x, y)`: the line, anti-aliased by its distance in
    /// pixels (`|value − level| / |gradient|`, the gradient by central differences), over the
    /// band's fill.
    pub(super) fn shade(&self, values: &Values, ramp: &Ramp, x: usize, y: usize) -> [f32; 4] {
        let Self {
            interval,
            half_width,
            color,
            fill,
            last,
        } = *self;
        let value = values.at(x, y);
        // Image sides are at most 8192, so the coordinates fit an isize.
        let (x, y) = (x as isize, y as isize);
        let gx = (values.clamped(x + 1, y) - values.clamped(x - 1, y)) * 0.5;
        let gy = (values.clamped(x, y + 1) - values.clamped(x, y - 1)) * 0.5;
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
        [mix(0), mix(1), mix(2), alpha]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::HeatStyle;

    /// The straight colour at column `x` of a 101×3 frame whose value grows by 0.01 a pixel to
    /// the right: the gradient is 0.01, so a pixel `n` columns from a level is `n` pixels from
    /// its line. The ramp is the default style's.
    fn shade_on_slope(contours: &Contours, x: usize) -> [f32; 4] {
        let density: Vec<f32> = (0..3).flat_map(|_| (0..=100).map(|x| x as f32)).collect();
        let values = Values {
            density: &density,
            width: 101,
            height: 3,
            inv: 0.01,
        };
        contours.shade(&values, &Ramp::new(&HeatStyle::default()), x, 1)
    }

    fn contours(interval: f32, fill: f32) -> Contours {
        Contours {
            interval,
            half_width: 0.5,
            color: [1.0, 0.0, 0.0, 1.0],
            fill,
            last: (0.9999 / interval).floor(),
        }
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
        let ramp = Ramp::new(&HeatStyle::default());
        let c = contours(0.25, 0.5);
        // Value 0.6: band 2, level 0.5, far from any line.
        let [r, g, b, a] = shade_on_slope(&c, 62);
        let [er, eg, eb, ea] = ramp.at(0.5);
        assert_eq!([r, g, b], [er, eg, eb]);
        assert!((a - ea * 0.5).abs() < 1e-6);
        // Below the first level: no band.
        assert_eq!(shade_on_slope(&c, 12), [0.0; 4]);
    }
}
