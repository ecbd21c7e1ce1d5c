//! Moving a frame's pixels by whole device pixels: what a pan keeps, what it exposes.
//!
//! The fast path's densities are a function of the world pixel alone once the splat grid, the
//! kernel and the sub-pixel phase are fixed (see `fast.rs`), so after a pan by whole device pixels
//! the pixels both frames show have the same densities, and the same colours under the same
//! palette and maximum. A frame then moves what it keeps ([`move_within`], [`Surface::scroll`])
//! and computes only the strips the pan [`exposed`].
//!
//! [`Surface::scroll`]: crate::surface::Surface

/// A rectangle of device pixels, `x0..x1` × `y0..y1` (half-open).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PixelRect {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl PixelRect {
    /// The whole of a `w`×`h` frame.
    pub(crate) fn whole(w: usize, h: usize) -> Self {
        Self {
            x0: 0,
            y0: 0,
            x1: w,
            y1: h,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.x0 >= self.x1 || self.y0 >= self.y1
    }
}

/// How a frame's pixels relate to the last frame's: pixel `(i, j)` shows what the last frame's
/// pixel `(i + by[0], j + by[1])` showed, wherever that lies inside the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shift {
    pub by: [i64; 2],
}

impl Shift {
    /// The shift between two frames of `size` whose pixel 0 lies at world pixels `from` and `to`,
    /// or `None` when they share no pixel.
    pub(crate) fn between(from: [i64; 2], to: [i64; 2], size: [usize; 2]) -> Option<Self> {
        let by = [to[0] - from[0], to[1] - from[1]];
        // Frame sides are at most 8192 pixels, far inside the i64 range.
        let overlaps = by
            .iter()
            .zip(size)
            .all(|(&d, n)| d.unsigned_abs() < n as u64);
        overlaps.then_some(Self { by })
    }

    /// The pixels of a `w`×`h` frame that no pixel of the last frame covers: a strip across the
    /// full height on the side the view moved towards, and one across the rest of the width.
    pub(crate) fn exposed(&self, w: usize, h: usize) -> [PixelRect; 2] {
        let [(kept_x0, kept_x1), (kept_y0, kept_y1)] = self.kept_ranges([w, h]);
        let columns = if self.by[0] > 0 {
            (kept_x1, w)
        } else {
            (0, kept_x0)
        };
        let rows = if self.by[1] > 0 {
            (kept_y1, h)
        } else {
            (0, kept_y0)
        };
        [
            PixelRect {
                x0: columns.0,
                y0: 0,
                x1: columns.1,
                y1: h,
            },
            PixelRect {
                x0: kept_x0,
                y0: rows.0,
                x1: kept_x1,
                y1: rows.1,
            },
        ]
    }

    /// Per axis, the range of the new frame's pixels that the last frame covers.
    fn kept_ranges(&self, size: [usize; 2]) -> [(usize, usize); 2] {
        // |by| < side (checked by `between`), so both ends lie in 0..=side.
        std::array::from_fn(|k| {
            let (d, n) = (self.by[k], size[k]);
            let m = d.unsigned_abs() as usize;
            if d >= 0 { (0, n - m) } else { (m, n) }
        })
    }

    /// For each row of the new frame that the last frame covers: the row it comes from, and the
    /// columns it goes to and comes from (`len` values each, in units of `unit` values per pixel),
    /// in an order that lets the move happen in place (rows read before they are overwritten).
    pub(crate) fn rows(
        &self,
        [w, h]: [usize; 2],
        unit: usize,
    ) -> impl Iterator<Item = RowMove> + use<> {
        let [(x0, x1), (y0, y1)] = self.kept_ranges([w, h]);
        let [dx, dy] = self.by;
        // Inside 0..w and 0..h: the ranges are the pixels whose sources lie in the frame.
        let src_x = (x0 as i64 + dx) as usize;
        let down = dy > 0;
        (y0..y1).map(move |k| {
            // Sources below are read before their rows are written: top down. Sources above:
            // bottom up.
            let j = if down { k } else { y0 + y1 - 1 - k };
            let src_j = (j as i64 + dy) as usize;
            RowMove {
                to: (j * w + x0) * unit,
                from: (src_j * w + src_x) * unit,
                len: (x1 - x0) * unit,
            }
        })
    }
}

/// One row of a [`Shift`]: `len` values from offset `from` to offset `to`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowMove {
    pub to: usize,
    pub from: usize,
    pub len: usize,
}

/// Moves the values of a row-major `w`×`h` frame (`unit` values per pixel) in place as `shift`
/// says; the exposed pixels keep stale values, for the caller to overwrite.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(crate) fn move_within<T: Copy>(values: &mut [T], size: [usize; 2], unit: usize, shift: Shift) {
    for row in shift.rows(size, unit) {
        values.copy_within(row.from..row.from + row.len, row.to);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks moving and exposing against the definition on every shift of a 5×4 frame.
    #[test]
    fn moves_and_exposes_what_the_definition_says() {
        let (w, h) = (5usize, 4usize);
        let old: Vec<i32> = (0..(w * h) as i32).collect();
        for dx in -5i64..=5 {
            for dy in -4i64..=4 {
                let shift = Shift::between([10, 20], [10 + dx, 20 + dy], [w, h]);
                if dx.abs() >= 5 || dy.abs() >= 4 {
                    assert_eq!(shift, None, "({dx}, {dy}) shares no pixel");
                    continue;
                }
                let shift = shift.expect("overlapping frames");
                let mut moved = old.clone();
                move_within(&mut moved, [w, h], 1, shift);
                let exposed = shift.exposed(w, h);
                for j in 0..h {
                    for i in 0..w {
                        let (si, sj) = (i as i64 + dx, j as i64 + dy);
                        let kept = (0..w as i64).contains(&si) && (0..h as i64).contains(&sj);
                        let in_exposed = exposed
                            .iter()
                            .filter(|r| (r.x0..r.x1).contains(&i) && (r.y0..r.y1).contains(&j))
                            .count();
                        assert_eq!(
                            in_exposed,
                            usize::from(!kept),
                            "({dx}, {dy}): pixel ({i}, {j}) is exposed once or kept"
                        );
                        if kept {
                            assert_eq!(moved[j * w + i], old[sj as usize * w + si as usize]);
                        }
                    }
                }
            }
        }
    }
}
