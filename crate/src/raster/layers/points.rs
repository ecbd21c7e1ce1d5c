//! The points layer's coverage on the CPU: an anti-aliased disc at every point and world copy,
//! placed exactly as the density splat places the point.

use crate::geo::View;
use crate::points::PointBuffer;
use crate::raster::fast::{origin_px, zeroed};

/// Fills `coverage` (resized to the view's device pixels) with, at each pixel, the largest
/// `clamp(radius + 0.5 − |pixel centre − point|, 0, 1)` over the points, `radius` in device
/// pixels. Taking the maximum rather than summing makes the result independent of point order.
/// `dx2` is working space, its contents overwritten.
///
/// Cost: one pass to clear, then O(r²) per point on screen; points off screen cost a test.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(super) fn coverage<'a>(
    points: &PointBuffer,
    view: &View,
    radius: f32,
    coverage: &'a mut Vec<f32>,
    dx2: &mut Vec<f32>,
) -> &'a [f32] {
    let (w, h) = (view.pixel_width() as usize, view.pixel_height() as usize);
    let out = zeroed(coverage, w * h);
    // Coverage is positive only within `radius + 0.5` of a point.
    if radius.is_nan() || radius <= -0.5 {
        return out;
    }
    // Past `radius + 0.5` from a point the coverage is 0; one pixel more is a safe bound.
    let reach = f64::from(radius) + 1.0;
    let (wf, hf) = (w as f64, h as f64);
    let s = view.scale();
    for copy in view.world_copies(reach) {
        let [bx, by] = origin_px(points, view, copy);
        for p in points.as_slice().chunks_exact(3) {
            let x = f64::from(p[0]) * s + bx;
            let y = f64::from(p[1]) * s + by;
            // Off screen (or NaN): nothing to draw.
            if !(x > -reach && x < wf + reach && y > -reach && y < hf + reach) {
                continue;
            }
            let columns = covered(x, radius, wf);
            let rows = covered(y, radius, hf);
            // Most dots are narrow: one fixed window of columns, which the compiler unrolls.
            if columns.len() <= WINDOW && w >= WINDOW {
                let x0 = columns.start.min(w - WINDOW);
                // Columns of the window outside the disc get an infinite offset: coverage 0,
                // exactly as if they were skipped.
                let dx2: [f32; WINDOW] = std::array::from_fn(|k| {
                    let i = x0 + k;
                    let dx = (i as f64 + 0.5 - x) as f32;
                    if columns.contains(&i) {
                        dx * dx
                    } else {
                        f32::INFINITY
                    }
                });
                for j in rows {
                    let dy = (j as f64 + 0.5 - y) as f32;
                    cover_row(&mut out[j * w + x0..][..WINDOW], &dx2, dy * dy, radius);
                }
                continue;
            }
            // Squared column offsets, shared by the rows: the inner loop is then plain f32
            // arithmetic the compiler vectorises.
            dx2.clear();
            dx2.extend(columns.clone().map(|i| {
                let dx = (i as f64 + 0.5 - x) as f32;
                dx * dx
            }));
            for j in rows {
                let dy = (j as f64 + 0.5 - y) as f32;
                cover_row(&mut out[j * w..][columns.clone()], dx2, dy * dy, radius);
            }
        }
    }
    out
}

/// A disc at most this many columns wide is drawn through a fixed window of as many pixels.
const WINDOW: usize = 8;

/// Raises each pixel of `row` to the coverage of the pixel whose squared offsets from the point
/// are `dx2` (same index) and `dy2`.
#[cfg_attr(wasm_for_size, optimize(speed))]
#[inline]
fn cover_row(row: &mut [f32], dx2: &[f32], dy2: f32, radius: f32) {
    for (c, &dx2) in row.iter_mut().zip(dx2) {
        let cover = (radius + 0.5 - (dx2 + dy2).sqrt()).clamp(0.0, 1.0);
        *c = c.max(cover);
    }
}

/// The pixels `i` along a side of `side` pixels whose centre `i + 0.5` is closer than
/// `radius + 0.5` to `c`: those with `c − radius − 1 < i < c + radius`. `c` is within
/// `radius + 1` of the side (the caller skips points farther off screen).
#[cfg_attr(wasm_for_size, optimize(speed))]
#[inline]
fn covered(c: f64, radius: f32, side: f64) -> std::ops::Range<usize> {
    let r = f64::from(radius);
    // floor(c − r − 1) + 1 and ceil(c + r), clamped to [0, side]: below 0 both clamp to 0, and
    // at or above 0 the truncation is the floor (f64::floor and ceil are library calls on
    // baseline x86-64, a cost per point). The conversions saturate and the bounds are clamped.
    let low = c - r - 1.0;
    let first = if low < 0.0 {
        0.0
    } else {
        (low as i64 + 1) as f64
    };
    let high = c + r;
    let end = if high <= 0.0 {
        0.0
    } else {
        let t = high as i64 as f64;
        if t < high { t + 1.0 } else { t }
    };
    first.clamp(0.0, side) as usize..end.clamp(0.0, side) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> View {
        View {
            center: [10.0, 50.0],
            zoom: 10.0,
            width: 40,
            height: 30,
            device_pixel_ratio: 1.0,
        }
    }

    /// One point at device pixel `[x, y]` of `view`.
    fn point_at(view: &View, x: f64, y: f64) -> PointBuffer {
        let [lon, lat] = view.pixel_to_lon_lat([x, y]);
        let mut points = PointBuffer::new();
        points.push(lon, lat, 1.0);
        points
    }

    #[test]
    fn off_screen_points_and_empty_discs_cover_nothing() {
        let view = view();
        let mut buffer = Vec::new();
        let far = point_at(&view, -10.0, 12.0);
        assert!(
            coverage(&far, &view, 8.0, &mut buffer, &mut Vec::new())
                .iter()
                .all(|&c| c == 0.0)
        );
        let near = point_at(&view, 20.5, 15.5);
        for radius in [-0.5, -3.0, f32::NAN] {
            let cover = coverage(&near, &view, radius, &mut buffer, &mut Vec::new());
            assert!(cover.iter().all(|&c| c == 0.0), "{radius}");
        }
        // A radius of 0 still half covers the pixel under the point (the edge's half pixel).
        let under = coverage(&near, &view, 0.0, &mut buffer, &mut Vec::new())[15 * 40 + 20];
        assert!((under - 0.5).abs() < 1e-3, "{under}");
    }

    #[test]
    fn covered_ranges_are_the_floor_and_ceil_bounds() {
        for radius in [-0.4, 0.0, 0.3, 2.5, 3.0, 7.75, 1e6] {
            for step in -80..=480 {
                let c = f64::from(step) * 0.125 - 5.0;
                let r = f64::from(radius);
                let first = ((c - r - 1.0).floor() + 1.0).clamp(0.0, 40.0) as usize;
                let end = (c + r).ceil().clamp(0.0, 40.0) as usize;
                assert_eq!(covered(c, radius, 40.0), first..end, "{c} {radius}");
            }
        }
    }

    #[test]
    fn a_disc_larger_than_the_frame_covers_all_of_it() {
        let view = view();
        let mut buffer = Vec::new();
        let cover = coverage(
            &point_at(&view, 5.0, 5.0),
            &view,
            1e6,
            &mut buffer,
            &mut Vec::new(),
        );
        assert_eq!(cover.len(), 40 * 30);
        assert!(cover.iter().all(|&c| c == 1.0));
    }
}
