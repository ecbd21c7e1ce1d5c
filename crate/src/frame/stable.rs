//! The `Stable` normalisation maximum: the highest density over all the data at the current
//! scale, on a grid aligned to the data's bounding box instead of the view, so that it does not
//! change while the map pans.
//!
//! It is computed with the fast path (splat, blur) and cached by data revision, scale, radius and
//! intensity. The peak between grid nodes is found by Catmull-Rom interpolation around the highest
//! nodes, so for data whose grid fits [`MAX_CELLS`] it matches the true maximum within the fast
//! path's error. Larger extents use coarser cells, with the kernel sampled at the coarse spacing:
//! the result is then an estimate (once a cell is wider than the radius, it approaches the largest
//! weight per cell).

use super::density::max_of;
use crate::points::PointBuffer;
use crate::raster::blur::{cell_for_radius, convolve_x, convolve_y, gaussian_half_taps};
use crate::raster::fast::zeroed;
use crate::raster::grid::{Grid, GridMut};
use crate::raster::resample::catmull_rom;
use crate::raster::splat::{NodeTransform, Target, Weight, splat_bilinear};
use crate::style::{Aggregation, MEAN_MIN_COVERAGE};

/// Most grid nodes the estimate may use (4 MiB of f32 per buffer).
pub const MAX_CELLS: usize = 1 << 20;

/// Candidate nodes must be within this fraction of the highest node to be refined: sampling a
/// Gaussian with σ ≥ 8/3 cells at its nodes misses its peak by less than 2%.
const CANDIDATE_FRACTION: f32 = 0.97;
/// At most this many local maxima are refined.
const MAX_CANDIDATES: usize = 32;
/// Refinement samples per cell along each axis.
const SUBSTEPS: i32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    revision: (u64, usize),
    scale: u64,
    radius: u64,
    intensity: u32,
    aggregation: Aggregation,
}

/// Computes and caches the `Stable` maximum; buffers are reused between computations. A
/// heatmap keeps exactly one and hands it to every [`FramePlan::new`](super::FramePlan::new), so
/// a switch of backend neither recomputes nor disagrees on the maximum.
#[derive(Debug, Default)]
pub struct StableMax {
    key: Option<Key>,
    value: f32,
    grid: Vec<f32>,
    rows: Vec<f32>,
    blurred: Vec<f32>,
    taps: Vec<f32>,
    candidates: Vec<(f32, usize)>,
    /// The blurred coverage `Σ K` of a mean.
    coverage: Vec<f32>,
}

impl StableMax {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The maximum for `points` at `scale` device pixels per world unit, with a kernel radius of
    /// `radius_px` device pixels, `intensity` and `aggregation`; 0 for no points.
    ///
    /// The maximum of a [`Aggregation::Mean`] is the largest mean (divided by at least
    /// [`MEAN_MIN_COVERAGE`]) over the grid's nodes, without refinement between nodes: a mean is
    /// flat where one point dominates, and its peak is the weight found there.
    pub(crate) fn get(
        &mut self,
        points: &PointBuffer,
        scale: f64,
        radius_px: f64,
        intensity: f32,
        aggregation: Aggregation,
    ) -> f32 {
        let key = Key {
            revision: points.revision(),
            scale: scale.to_bits(),
            radius: radius_px.to_bits(),
            intensity: intensity.to_bits(),
            aggregation,
        };
        if self.key != Some(key) {
            self.value = self.compute(points, scale, radius_px, intensity, aggregation);
            self.key = Some(key);
        }
        self.value
    }

    fn compute(
        &mut self,
        points: &PointBuffer,
        scale: f64,
        radius_px: f64,
        intensity: f32,
        aggregation: Aggregation,
    ) -> f32 {
        let xyw = points.as_slice();
        let Some([min_x, min_y, max_x, max_y]) = offset_bounds(xyw) else {
            return 0.0;
        };
        let extent = [(max_x - min_x) * scale, (max_y - min_y) * scale];
        let (cell, margin, nx, ny) = grid_for(extent, radius_px);
        let c = f64::from(cell);
        gaussian_half_taps(radius_px, cell, &mut self.taps);
        let half = self.taps.len() - 1;

        // Node k sits at (k - margin)·c device pixels from the bbox's west edge.
        let offset = [
            margin as f64 - min_x * scale / c,
            margin as f64 - min_y * scale / c,
        ];
        // Data reaching across the antimeridian (the gap round the back of the world is within two
        // radii) also needs its copies one world to the left and right.
        let wraps = (1.0 - (max_x - min_x)) * scale <= 2.0 * radius_px + 4.0 * c;
        let copies = if wraps { -1..=1 } else { 0..=0 };
        let field = DataGrid {
            xyw,
            size: [nx, ny],
            half,
            offset,
            node_scale: scale / c,
            copies,
        };
        field.blur(Weight::Scaled(intensity), self, Buffer::Density);
        let [out_w, out_h] = [nx - 2 * half, ny - 2 * half];
        match aggregation {
            Aggregation::Sum => refine_peak(&self.blurred, out_w, out_h, &mut self.candidates),
            Aggregation::Mean => {
                field.blur(Weight::Unit, self, Buffer::Coverage);
                self.blurred
                    .iter()
                    .zip(&self.coverage)
                    .fold(0.0, |top, (&d, &k)| top.max(d / k.max(MEAN_MIN_COVERAGE)))
            }
        }
    }
}

/// Which buffer of [`StableMax`] a blurred grid goes to.
#[derive(Clone, Copy)]
enum Buffer {
    Density,
    Coverage,
}

/// The data's grid: its size in nodes, where the points land on it, and the kernel's half width.
struct DataGrid<'a> {
    xyw: &'a [f32],
    size: [usize; 2],
    half: usize,
    offset: [f64; 2],
    node_scale: f64,
    copies: std::ops::RangeInclusive<i32>,
}

impl DataGrid<'_> {
    /// Splats every point with `weight` and blurs with `cache.taps` into the buffer `to`
    /// (`(nx - 2·half) × (ny - 2·half)` values).
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline(never)] // Two callers; the wasm download counts every copy.
    fn blur(&self, weight: Weight, cache: &mut StableMax, to: Buffer) {
        let ([nx, ny], half) = (self.size, self.half);
        let grid = zeroed(&mut cache.grid, nx * ny);
        for copy in self.copies.clone() {
            let transform = NodeTransform {
                scale: self.node_scale,
                offset: [
                    self.offset[0] + f64::from(copy) * self.node_scale,
                    self.offset[1],
                ],
            };
            splat_bilinear(
                self.xyw,
                transform,
                weight,
                GridMut::new(grid, nx),
                Target::WHOLE,
            );
        }
        let (out_w, out_h) = (nx - 2 * half, ny - 2 * half);
        let rows = zeroed(&mut cache.rows, ny * out_w);
        convolve_x(
            Grid::new(grid, nx),
            half,
            &cache.taps,
            GridMut::new(rows, out_w),
        );
        let out = match to {
            Buffer::Density => &mut cache.blurred,
            Buffer::Coverage => &mut cache.coverage,
        };
        let out = zeroed(out, out_h * out_w);
        convolve_y(
            Grid::new(rows, out_w),
            half,
            &cache.taps,
            GridMut::new(out, out_w),
        );
    }
}

/// `[min x, min y, max x, max y]` of the offsets (f64), or `None` for no points.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
fn offset_bounds(xyw: &[f32]) -> Option<[f64; 4]> {
    if xyw.is_empty() {
        return None;
    }
    let mut b = [
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    ];
    for p in xyw.chunks_exact(3) {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    Some(b.map(f64::from))
}

/// The cell (device pixels), margin (nodes) and grid size for a bbox of `extent` device pixels:
/// the view's cell for this radius, or coarser when that grid would exceed [`MAX_CELLS`].
fn grid_for(extent: [f64; 2], radius_px: f64) -> (u32, usize, usize, usize) {
    let size = |cell: u32| {
        let c = f64::from(cell);
        let margin = (radius_px / c).floor() as usize + 3;
        let nodes = |e: f64| (e / c).ceil() as usize + 1 + 2 * margin;
        (margin, nodes(extent[0]), nodes(extent[1]))
    };
    let mut cell = cell_for_radius(radius_px);
    loop {
        let (margin, nx, ny) = size(cell);
        if nx * ny <= MAX_CELLS {
            return (cell, margin, nx, ny);
        }
        // Cells scale the node count by 1/c²: jump close to the answer, then step.
        let grow = (nx as f64 * ny as f64 / MAX_CELLS as f64).sqrt();
        cell = ((f64::from(cell) * grow).floor() as u32).max(cell + 1);
    }
}

/// The highest value of the Catmull-Rom interpolation of `grid` (`w`×`h`), searched on a
/// 1/[`SUBSTEPS`] lattice around the highest local maxima of the samples.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
fn refine_peak(grid: &[f32], w: usize, h: usize, candidates: &mut Vec<(f32, usize)>) -> f32 {
    let top = max_of(grid);
    if top <= 0.0 {
        return 0.0;
    }
    candidates.clear();
    let floor = top * CANDIDATE_FRACTION;
    // Stay 2 nodes inside the edges so the stencil around a candidate fits; the peak is never
    // there (the margin holds only the kernels' tails).
    for j in 2..h.saturating_sub(2) {
        for i in 2..w.saturating_sub(2) {
            let k = j * w + i;
            let v = grid[k];
            if v >= floor && is_local_max(grid, w, k) {
                keep_highest(candidates, (v, k));
            }
        }
    }
    let mut best = top;
    for &(_, k) in candidates.iter() {
        let (i, j) = (k % w, k / w);
        for dy in -SUBSTEPS..=SUBSTEPS {
            for dx in -SUBSTEPS..=SUBSTEPS {
                let x = i as f32 + dx as f32 / SUBSTEPS as f32;
                let y = j as f32 + dy as f32 / SUBSTEPS as f32;
                best = best.max(interpolate(grid, w, x, y));
            }
        }
    }
    best
}

/// Inserts `candidate` into `highest`, kept sorted high to low and at most [`MAX_CANDIDATES`]
/// long: a bounded insertion instead of collecting and sorting every local maximum.
fn keep_highest(highest: &mut Vec<(f32, usize)>, candidate: (f32, usize)) {
    let at = highest.partition_point(|c| c.0 >= candidate.0);
    if at < MAX_CANDIDATES {
        if highest.len() == MAX_CANDIDATES {
            highest.pop();
        }
        highest.insert(at, candidate);
    }
}

fn is_local_max(grid: &[f32], w: usize, k: usize) -> bool {
    let v = grid[k];
    [
        k - w - 1,
        k - w,
        k - w + 1,
        k - 1,
        k + 1,
        k + w - 1,
        k + w,
        k + w + 1,
    ]
    .iter()
    .all(|&n| grid[n] <= v)
}

/// Catmull-Rom interpolation of `grid` at (x, y); the 4×4 stencil must be inside.
fn interpolate(grid: &[f32], w: usize, x: f32, y: f32) -> f32 {
    let (xf, yf) = (x.floor(), y.floor());
    let (wx, wy) = (catmull_rom(x - xf), catmull_rom(y - yf));
    // Callers keep (x, y) at least one node inside, so these are in range.
    let (i0, j0) = (xf as usize - 1, yf as usize - 1);
    let mut sum = 0.0;
    for (q, wyq) in wy.iter().enumerate() {
        let row = &grid[(j0 + q) * w + i0..(j0 + q) * w + i0 + 4];
        sum += wyq * (wx[0] * row[0] + wx[1] * row[1] + wx[2] * row[2] + wx[3] * row[3]);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_respects_the_cap() {
        let (cell, _, nx, ny) = grid_for([1e6, 5e5], 10.0);
        assert!(nx * ny <= MAX_CELLS);
        assert!(cell > 1);
        let (cell, margin, nx, _) = grid_for([100.0, 50.0], 10.0);
        assert_eq!((cell, margin, nx), (1, 13, 127));
    }

    #[test]
    fn refinement_finds_the_peak_between_nodes() {
        // A paraboloid peaking at (5.3, 4.6): Catmull-Rom reproduces quadratics exactly.
        let (w, h) = (11, 10);
        let grid: Vec<f32> = (0..w * h)
            .map(|k| {
                let (x, y) = ((k % w) as f32, (k / w) as f32);
                10.0 - (x - 5.25).powi(2) - (y - 4.625).powi(2)
            })
            .collect();
        let peak = refine_peak(&grid, w, h, &mut Vec::new());
        assert!((peak - 10.0).abs() < 1e-4, "{peak}");
    }
}
