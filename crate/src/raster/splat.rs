//! Sub-pixel bilinear splatting of points onto a grid of density samples.
//!
//! Rounding each point to its nearest grid node moves it by up to half a cell, which the notes
//! measured as a 0.3-0.7% error of the peak; spreading the weight over the four surrounding nodes
//! keeps each point's mass and centroid, and the Gaussian blur that follows turns that into
//! a second-order error only.

use super::grid::GridMut;

/// Maps the `[x, y]` offsets of a [`crate::PointBuffer`] to continuous grid coordinates, in
/// nodes: `u = x·scale + offset[0]`, `v = y·scale + offset[1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NodeTransform {
    pub scale: f64,
    pub offset: [f64; 2],
}

/// What each point adds to the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Weight {
    /// Its weight times this factor (the intensity): the density `Σ wᵢ·K`.
    Scaled(f32),
    /// 1, whatever its weight: the coverage `Σ K` a mean divides by.
    Unit,
}

/// Nodes `x0..x1` × `y0..y1` of a grid (half-open, in its own indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NodeRect {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl NodeRect {
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn contains(&self, i: usize, j: usize) -> bool {
        (self.x0..self.x1).contains(&i) && (self.y0..self.y1).contains(&j)
    }
}

impl Target<'_> {
    /// A grid that is the whole lattice, every node to be written.
    pub(crate) const WHOLE: Target<'static> = Target {
        first: [0, 0],
        keep: None,
    };
}

/// Where a point lands on a grid and how its weight spreads over the four nodes around it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    /// The grid coordinates of node `(0, 0)`: a grid can be a window onto a larger lattice whose
    /// coordinates [`NodeTransform`] gives.
    pub first: [i64; 2],
    /// Nodes already holding their final value: left untouched (see [`splat_bilinear`]).
    pub keep: Option<&'a NodeRect>,
}

/// `⌊u⌋` for a finite `u` within the i64 range, as a float and an integer. Wasm has a floor
/// instruction; baseline x86-64 has none, and `f64::floor` would be a library call per point
/// there, so it truncates and corrects instead. Both give the same values.
#[cfg_attr(wasm_for_size, optimize(speed))]
#[inline]
fn floor_both(u: f64) -> (f64, i64) {
    if cfg!(target_arch = "wasm32") {
        let f = u.floor();
        (f, f as i64)
    } else {
        let t = u as i64;
        let t = t - i64::from(t as f64 > u);
        (t as f64, t)
    }
}

/// Adds what every point's [`Weight`] says to the four nodes around it of `grid`, with
/// bilinear weights.
///
/// Points whose four nodes are not all inside the grid are skipped: callers give the grid a
/// margin wide enough that such points cannot reach any sample they read back. The weights of a
/// point depend only on its lattice coordinates, never on where the window `target.first` lies,
/// so two windows onto one lattice get bit-identical values at the nodes they share (apart from
/// each one's outer ring, which misses the points skipped there). Nodes inside `target.keep` are
/// not written, so a grid whose nodes there are already final can be completed around them; a
/// node outside it receives the points in buffer order, as in a grid splatted in one go.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(crate) fn splat_bilinear(
    xyw: &[f32],
    transform: NodeTransform,
    weight: Weight,
    grid: GridMut<'_>,
    target: Target<'_>,
) {
    let (nx, ny) = (grid.width, grid.height());
    let grid = grid.values;
    if nx < 2 || ny < 2 {
        return;
    }
    let NodeTransform {
        scale,
        offset: [ox, oy],
    } = transform;
    let [fx0, fy0] = target.first;
    // A point may floor to nodes first..=last: its right/bottom neighbour must exist. Window
    // sizes and lattice positions are far inside the range where f64 holds integers exactly.
    let (u_lo, v_lo) = (fx0 as f64, fy0 as f64);
    let (u_end, v_end) = (u_lo + (nx - 1) as f64, v_lo + (ny - 1) as f64);
    for p in xyw.chunks_exact(3) {
        // f64: at high zoom the offsets times the scale are far larger than f32 resolves.
        let u = f64::from(p[0]) * scale + ox;
        let v = f64::from(p[1]) * scale + oy;
        // Written so that NaN fails too.
        if !(u >= u_lo && u < u_end && v >= v_lo && v < v_end) {
            continue;
        }
        let ((fu, tu), (fv, tv)) = (floor_both(u), floor_both(v));
        let fx = (u - fu) as f32;
        let fy = (v - fv) as f32;
        // Within 0..nx - 1 and 0..ny - 1 by the test above.
        let (i, j) = ((tu - fx0) as usize, (tv - fy0) as usize);
        let w = match weight {
            Weight::Scaled(factor) => p[2] * factor,
            Weight::Unit => 1.0,
        };
        let below = w * fy;
        let above = w - below;
        let quad = [
            above - above * fx,
            above * fx,
            below - below * fx,
            below * fx,
        ];
        let at = j * nx + i;
        match target.keep {
            None => {
                // One bounds check for the 2×2 block.
                let block = &mut grid[at..at + nx + 2];
                block[0] += quad[0];
                block[1] += quad[1];
                block[nx] += quad[2];
                block[nx + 1] += quad[3];
            }
            Some(keep) => {
                for (k, (di, dj)) in [(0, 0), (1, 0), (0, 1), (1, 1)].into_iter().enumerate() {
                    if !keep.contains(i + di, j + dj) {
                        grid[at + dj * nx + di] += quad[k];
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_mass_and_centroid() {
        let (nx, ny) = (4, 3);
        let mut grid = vec![0.0; nx * ny];
        let t = NodeTransform {
            scale: 1.0,
            offset: [1.0, 0.5],
        };
        // Lands at node coordinates (1.25, 1.25).
        splat_bilinear(
            &[0.25, 0.75, 2.0],
            t,
            Weight::Scaled(1.5),
            GridMut::new(&mut grid, nx),
            Target::WHOLE,
        );
        let mass: f32 = grid.iter().sum();
        assert!((mass - 3.0).abs() < 1e-6);
        let cx: f32 = grid
            .iter()
            .enumerate()
            .map(|(k, g)| (k % nx) as f32 * g)
            .sum();
        let cy: f32 = grid
            .iter()
            .enumerate()
            .map(|(k, g)| (k / nx) as f32 * g)
            .sum();
        assert!((cx / mass - 1.25).abs() < 1e-6 && (cy / mass - 1.25).abs() < 1e-6);
        assert!((grid[nx + 1] - 3.0 * 0.75 * 0.75).abs() < 1e-6);
    }

    #[test]
    fn skips_points_off_the_grid() {
        let mut grid = vec![0.0; 9];
        let t = NodeTransform {
            scale: 1.0,
            offset: [0.0, 0.0],
        };
        splat_bilinear(
            &[-0.5, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, f32::NAN, 1.0],
            t,
            Weight::Unit,
            GridMut::new(&mut grid, 3),
            Target::WHOLE,
        );
        assert!(grid.iter().all(|&g| g == 0.0));
    }

    #[test]
    fn windows_onto_one_lattice_agree_and_kept_nodes_stay() {
        // Points anywhere on a 12×10 lattice; a 12×10 grid over all of it, and a 7×6 window at
        // lattice node (4, 3) whose nodes of the lattice's columns 5..8 are already final.
        let mut xyw = Vec::new();
        for k in 0..200 {
            let t = k as f32 * 0.37;
            xyw.extend([(t * 1.7) % 11.0, (t * 2.3) % 9.0, 1.0 + (k % 5) as f32]);
        }
        let t = NodeTransform {
            scale: 1.0,
            offset: [0.0, 0.0],
        };
        let mut whole = vec![0.0; 12 * 10];
        splat_bilinear(
            &xyw,
            t,
            Weight::Scaled(1.0),
            GridMut::new(&mut whole, 12),
            Target::WHOLE,
        );
        let keep = NodeRect {
            x0: 1,
            y0: 0,
            x1: 4,
            y1: 6,
        };
        let mut window = vec![-1.0; 7 * 6];
        for (k, g) in window.iter_mut().enumerate() {
            if !keep.contains(k % 7, k / 7) {
                *g = 0.0;
            }
        }
        let target = Target {
            first: [4, 3],
            keep: Some(&keep),
        };
        splat_bilinear(
            &xyw,
            t,
            Weight::Scaled(1.0),
            GridMut::new(&mut window, 7),
            target,
        );
        for (k, &g) in window.iter().enumerate() {
            let (i, j) = (k % 7, k / 7);
            if keep.contains(i, j) {
                assert_eq!(g, -1.0, "kept node ({i}, {j}) was written");
            } else if (1..6).contains(&i) && (1..5).contains(&j) {
                let expected = whole[(j + 3) * 12 + i + 4];
                assert_eq!(g.to_bits(), expected.to_bits(), "node ({i}, {j})");
            }
        }
    }
}
