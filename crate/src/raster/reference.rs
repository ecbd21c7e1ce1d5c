//! The exact density: a direct f64 sum over each point's square support, O(N·r²). Slow, exact,
//! and the oracle every other path is tested against.
//!
//! `density(pixel centre c) = intensity · Σᵢ wᵢ · K(c − pᵢ)` with
//! `K(dx, dy) = exp(−(dx² + dy²) / 2σ²)` for `|dx| ≤ r` and `|dy| ≤ r` (0 elsewhere), σ = r/3,
//! r = [`HeatStyle::radius_px`]; pixel (i, j) has its centre at (i + 0.5, j + 0.5), and points are
//! projected with [`View::world_to_pixel`] once per world copy in [`View::world_copies`]`(r)`, so
//! points just outside the image and across the antimeridian count.
//!
//! With [`Aggregation::Mean`] a second sum, the coverage `Σᵢ K(c − pᵢ)`, is kept beside it and
//! the value is `intensity · Σᵢ wᵢ·K / max(Σᵢ K, MEAN_MIN_COVERAGE)`.

use super::colorize::colorize;
use crate::clock::Stopwatch;
use crate::error::Result;
use crate::frame::{DensityField, FramePlan, FrameStats, StableMax, max_of};
use crate::geo::View;
use crate::points::PointBuffer;
use crate::style::{Aggregation, HeatStyle, MEAN_MIN_COVERAGE};
use crate::surface::Surface;

/// The exact density (or mean) of every device pixel of `view`, summed in f64 and stored as f32.
pub fn density(points: &PointBuffer, style: &HeatStyle, view: &View) -> Result<DensityField> {
    style.validate()?;
    view.validate()?;
    let r = style.radius_px(view)?;
    let (w, h) = (view.pixel_width(), view.pixel_height());
    let mut sum = vec![0.0f64; w as usize * h as usize];
    let mean = style.aggregation == Aggregation::Mean;
    let mut coverage = vec![0.0f64; if mean { sum.len() } else { 0 }];
    let two_sigma2 = 2.0 * (r / 3.0).powi(2);
    let intensity = f64::from(style.intensity);
    // Kernel factors along x and y for the pixels of the current point's support.
    let (mut kx, mut ky) = (Vec::new(), Vec::new());
    for copy in view.world_copies(r) {
        for ([x, y], weight) in points.iter_world() {
            let [px, py] = view.world_to_pixel([x + f64::from(copy), y]);
            let Some(xs) = support(px, r, w, two_sigma2, &mut kx) else {
                continue;
            };
            let Some(ys) = support(py, r, h, two_sigma2, &mut ky) else {
                continue;
            };
            let wi = intensity * f64::from(weight);
            for (j, &fy) in ys.zip(&ky) {
                let row = &mut sum[j * w as usize..][..w as usize];
                // The kernel is separable: exp(-(dx² + dy²)/2σ²) = exp(-dx²/2σ²)·exp(-dy²/2σ²).
                for (i, &fx) in xs.clone().zip(&kx) {
                    row[i] += wi * fy * fx;
                }
                if mean {
                    let row = &mut coverage[j * w as usize..][..w as usize];
                    for (i, &fx) in xs.clone().zip(&kx) {
                        row[i] += fy * fx;
                    }
                }
            }
        }
    }
    Ok(DensityField {
        width: w,
        height: h,
        values: if mean {
            sum.iter()
                .zip(&coverage)
                .map(|(&d, &k)| (d / k.max(f64::from(MEAN_MIN_COVERAGE))) as f32)
                .collect()
        } else {
            sum.into_iter().map(|v| v as f32).collect()
        },
    })
}

/// The pixels along one axis (of `len`) whose centres are within `r` of `p`, with their kernel
/// factors written to `k`; `None` when there are none.
fn support(
    p: f64,
    r: f64,
    len: u32,
    two_sigma2: f64,
    k: &mut Vec<f64>,
) -> Option<std::ops::Range<usize>> {
    // Centre i + 0.5 is within r when p - r - 0.5 <= i <= p + r - 0.5; the exact test below
    // decides the boundary pixels, so this range only has to contain them.
    let lo = (p - r - 1.5).floor().max(0.0);
    let hi = (p + r + 0.5).ceil().min(f64::from(len) - 1.0);
    if lo > hi {
        return None;
    }
    let (mut first, mut last) = (None, 0);
    k.clear();
    for i in lo as usize..=hi as usize {
        let d = i as f64 + 0.5 - p;
        if d.abs() <= r {
            first.get_or_insert(i);
            last = i;
            k.push(libm::exp(-d * d / two_sigma2));
        }
    }
    first.map(|first| first..last + 1)
}

/// Renders like [`super::CpuRenderer::render`] but from the exact [`density`]: the same
/// normalisation (the `Stable` maximum is the same estimate) and colouring.
pub fn render(
    points: &PointBuffer,
    style: &HeatStyle,
    view: &View,
    surface: &mut Surface,
) -> Result<FrameStats> {
    let clock = Stopwatch::start();
    let field = density(points, style, view)?;
    let plan = FramePlan::for_parts(points, points, style, view, &mut StableMax::new())?;
    surface.resize(field.width, field.height)?;
    let max_density = max_of(&field.values);
    let normalize = plan.normalize_max(points, max_density)?;
    colorize(&field.values, normalize, style, surface.back_mut());
    surface.swap();
    Ok(plan.stats(1, [max_density, normalize], clock.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_is_the_closed_radius() {
        let mut k = Vec::new();
        // p = 10.5 is the centre of pixel 10; r = 3 reaches centres 7.5 ..= 13.5 exactly.
        assert_eq!(support(10.5, 3.0, 100, 2.0, &mut k), Some(7..14));
        assert_eq!(k.len(), 7);
        assert_eq!(k[3], 1.0);
        assert_eq!(support(-3.0, 3.0, 100, 2.0, &mut k), None);
        assert_eq!(support(-2.0, 3.0, 100, 2.0, &mut k), Some(0..1));
        assert_eq!(support(102.0, 3.0, 100, 2.0, &mut k), Some(99..100));
        assert_eq!(support(103.0, 3.0, 100, 2.0, &mut k), None);
    }
}
