//! The fast density of a view: bilinear splat onto a grid with a margin, separable truncated
//! Gaussian on cells sized to the radius, Catmull-Rom upsampling back to device pixels.
//!
//! Cost: O(N) for the splat plus O(W·H) for the rest, whatever the radius (see [`super::blur`]).

use super::blur::{cell_for_radius, convolve_x, convolve_y, gaussian_half_taps};
use super::grid::{Grid, GridMut};
use super::resample::{UpsampleScratch, upsample_catmull_rom};
use super::splat::{NodeTransform, splat_bilinear};
use crate::frame::DensityField;
use crate::geo::View;
use crate::points::PointBuffer;

/// Buffers reused between frames; they only grow.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    grid: Vec<f32>,
    rows: Vec<f32>,
    coarse: Vec<f32>,
    taps: Vec<f32>,
    upsample: UpsampleScratch,
}

/// Clears `v` to `len` zeros, reallocating only when it has to grow.
pub(crate) fn zeroed<T: Clone + Default>(v: &mut Vec<T>, len: usize) -> &mut [T] {
    v.clear();
    v.resize(len, T::default());
    v
}

/// Resizes `v` to `len` without clearing what it holds: for buffers that are then written in full.
fn sized(v: &mut Vec<f32>, len: usize) -> &mut [f32] {
    v.resize(len, 0.0);
    v
}

/// The grid of one frame: its geometry and the splat transform of each visible world copy.
/// Built by [`begin`], filled by [`splat`] in as many slices as the caller likes, turned into
/// densities by [`finish`].
#[derive(Debug, Clone, Default)]
pub(crate) struct GridFrame {
    w: usize,
    h: usize,
    cell: usize,
    margin: usize,
    nx: usize,
    ny: usize,
    /// One per world copy the view needs (usually one).
    transforms: Vec<NodeTransform>,
}

impl GridFrame {
    /// The grid cell in device pixels.
    pub(crate) fn cell(&self) -> u32 {
        // The cell is derived from a u32 (`cell_for_radius`).
        self.cell as u32
    }
}

/// Sizes and clears the grid for `view` and computes the kernel taps; `frame` is reused so a
/// steady size allocates nothing.
pub(crate) fn begin(
    points: &PointBuffer,
    view: &View,
    radius_px: f64,
    scratch: &mut Scratch,
    frame: &mut GridFrame,
) {
    let (w, h) = (view.pixel_width() as usize, view.pixel_height() as usize);
    let cell = cell_for_radius(radius_px);
    let c = cell as usize;
    gaussian_half_taps(radius_px, cell, &mut scratch.taps);
    let half = scratch.taps.len() - 1;
    // Nodes beyond the first and last pixel: the kernel's reach, one more for the bilinear
    // splat, and two for the upsampling stencil.
    let margin = half + 3;
    // Node k sits at device pixel coordinate x0 + k·c, so pixel centre i + 0.5 lands on node
    // margin + i/c: for c = 1 every pixel centre is a node.
    let x0 = 0.5 - (margin * c) as f64;
    let nx = (w - 1).div_ceil(c) + 1 + 2 * margin;
    let ny = (h - 1).div_ceil(c) + 1 + 2 * margin;
    zeroed(&mut scratch.grid, nx * ny);

    let s = view.scale();
    let cf = c as f64;
    frame.transforms.clear();
    // Points within the radius plus one cell outside the view still reach it.
    frame
        .transforms
        .extend(view.world_copies(radius_px + 2.0 * cf).map(|copy| {
            let [bx, by] = origin_px(points, view, copy);
            NodeTransform {
                scale: s / cf,
                offset: [(bx - x0) / cf, (by - x0) / cf],
            }
        }));
    (
        frame.w,
        frame.h,
        frame.cell,
        frame.margin,
        frame.nx,
        frame.ny,
    ) = (w, h, c, margin, nx, ny);
}

/// Where the origin of `points` lands in device pixels (origin top left) on world copy `copy`:
/// a point at offset `[x, y]` is at `[x, y] · view.scale() + origin_px`. In f64, since at high
/// zoom the products are far larger than f32 resolves. The density splat and the points layer
/// both place points with it, so dots sit exactly on their heat.
pub(crate) fn origin_px(points: &PointBuffer, view: &View, copy: i32) -> [f64; 2] {
    let s = view.scale();
    let [cx, cy] = view.center_world();
    let [ox, oy] = points.origin();
    [
        (ox - cx) * s + f64::from(view.pixel_width()) / 2.0 + f64::from(copy) * s,
        (oy - cy) * s + f64::from(view.pixel_height()) / 2.0,
    ]
}

/// Splats a slice of the packed `[x, y, w]` points (whole triples) for every world copy.
pub(crate) fn splat(xyw: &[f32], intensity: f32, scratch: &mut Scratch, frame: &GridFrame) {
    for &transform in &frame.transforms {
        splat_bilinear(
            xyw,
            transform,
            intensity,
            GridMut::new(&mut scratch.grid, frame.nx),
        );
    }
}

/// Blurs the splatted grid into `field`, resized to the frame's device pixels.
pub(crate) fn finish(scratch: &mut Scratch, frame: &GridFrame, field: &mut DensityField) {
    let GridFrame {
        w,
        h,
        cell: c,
        margin,
        nx,
        ny,
        ..
    } = *frame;
    // Both sides came from u32 device sizes.
    (field.width, field.height) = (w as u32, h as u32);
    let values = sized(&mut field.values, w * h);
    let Scratch {
        grid,
        rows,
        coarse,
        taps,
        upsample,
    } = scratch;
    if c == 1 {
        // Pixel centres are nodes margin.. margin + w.
        let rows = sized(rows, ny * w);
        convolve_x(Grid::new(grid, nx), margin, taps, GridMut::new(rows, w));
        convolve_y(Grid::new(rows, w), margin, taps, GridMut::new(values, w));
    } else {
        // One node before the first pixel and two past the last, for the upsampling stencil.
        let (out_w, out_h) = ((w - 1) / c + 4, (h - 1) / c + 4);
        let rows = sized(rows, ny * out_w);
        convolve_x(
            Grid::new(grid, nx),
            margin - 1,
            taps,
            GridMut::new(rows, out_w),
        );
        let coarse = sized(coarse, out_h * out_w);
        let rows = Grid::new(rows, out_w);
        convolve_y(rows, margin - 1, taps, GridMut::new(coarse, out_w));
        upsample_catmull_rom(
            Grid::new(coarse, out_w),
            c,
            GridMut::new(values, w),
            upsample,
        );
    }
}
