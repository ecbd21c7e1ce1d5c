//! The fast density of a view: bilinear splat onto a grid with a margin, separable truncated
//! Gaussian on cells sized to the radius, Catmull-Rom upsampling back to device pixels.
//!
//! Cost: O(N) for the splat plus O(W·H) for the rest, whatever the radius (see [`super::blur`]).
//!
//! The grid's nodes are anchored to the world, not to the view: at a given scale and cell, node
//! `n` sits at device pixel `n·cell + 0.5` of the world (`world · scale`), whatever the view
//! shows, and the upsampling places the view's pixels between the nodes. So the splat grid of one
//! view holds exactly the values of another view's at the nodes they share, and it is kept between
//! frames with [`KEEP_PX`] more on every side than a frame reads: a pan within that margin splats
//! nothing, a longer one splats only the nodes it exposes, and the frame is byte for byte the one
//! a fresh renderer draws.
//!
//! The densities are kept too ([`FieldOrigin`]): every pixel's density is computed from the
//! nodes around its world pixel with weights that depend only on the sub-pixel phase, so after a
//! pan by whole device pixels the field is moved and only the strips the pan exposed are blurred
//! and resampled (see [`super::field`]).

use super::blur::{cell_for_radius, convolve_x, convolve_y, gaussian_half_taps};
use super::field::{PixelRect, Shift, move_within};
use super::grid::{Grid, GridMut};
use super::resample::{UpsampleScratch, phase_weights, upsample_catmull_rom};
use super::splat::{NodeRect, NodeTransform, Target, Weight, splat_bilinear};
use crate::frame::{DensityField, max_of};
use crate::geo::View;
use crate::points::PointBuffer;

/// Device pixels of splat grid kept beyond what a frame reads, on every side: pans up to this far
/// reuse the grid as it is, and longer ones splat only the strips they expose.
pub(crate) const KEEP_PX: usize = 128;

/// Buffers reused between frames; they only grow. The splat grid is kept between frames (see
/// [`SplatCache`]), and so are the densities (see [`FieldOrigin`]).
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    grid: Vec<f32>,
    /// The next grid, while the kept nodes are copied over when the window moves.
    spare: Vec<f32>,
    rows: Vec<f32>,
    coarse: Vec<f32>,
    taps: Vec<f32>,
    /// The upsampling weights of the frame being finished, along x and y.
    weights: [Vec<[f32; 4]>; 2],
    upsample: UpsampleScratch,
    cache: SplatCache,
    field: FieldOrigin,
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

/// Nodes `x0..x1` × `y0..y1` of the world-anchored lattice (half-open).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Nodes {
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
}

impl Nodes {
    fn is_empty(&self) -> bool {
        self.x0 >= self.x1 || self.y0 >= self.y1
    }

    fn width(&self) -> usize {
        // Non-negative for the windows built here.
        (self.x1 - self.x0).max(0) as usize
    }

    fn height(&self) -> usize {
        (self.y1 - self.y0).max(0) as usize
    }

    fn contains(&self, other: &Nodes) -> bool {
        other.is_empty()
            || (self.x0 <= other.x0
                && other.x1 <= self.x1
                && self.y0 <= other.y0
                && other.y1 <= self.y1)
    }

    fn intersect(&self, other: &Nodes) -> Nodes {
        Nodes {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        }
    }

    /// `by` more nodes on every side (fewer when negative).
    fn grown(&self, by: i64) -> Nodes {
        Nodes {
            x0: self.x0 - by,
            y0: self.y0 - by,
            x1: self.x1 + by,
            y1: self.y1 + by,
        }
    }

    /// `self` in the indices of a grid whose node (0, 0) is `window`'s first; `self` lies inside
    /// `window`.
    fn within(&self, window: &Nodes) -> NodeRect {
        debug_assert!(window.contains(self));
        let at = |v: i64, first: i64| (v - first) as usize;
        NodeRect {
            x0: at(self.x0, window.x0),
            y0: at(self.y0, window.y0),
            x1: at(self.x1, window.x0),
            y1: at(self.y1, window.y0),
        }
    }
}

/// What a splat grid's values depend on besides the window: when any of it changes, nothing in
/// the grid can be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SplatKey {
    points: (u64, usize),
    origin: [u64; 2],
    scale: u64,
    cell: usize,
    intensity: u32,
    copies: (i32, i32),
}

/// The splat grid kept between frames: which part of the lattice the buffer covers, and which
/// of its nodes hold every point's weight. Nodes outside `complete` (the outer ring, nodes a
/// frame abandoned half splatted) are never read.
#[derive(Debug, Clone, Default)]
struct SplatCache {
    key: Option<SplatKey>,
    window: Nodes,
    complete: Nodes,
}

/// One axis of a frame: where its device pixels fall on the world's pixels. Pixel `i`'s centre
/// is at `whole + frac + i + 0.5`, lattice position `(whole + frac + i) / cell` (node `n` is at
/// `n·cell + 0.5`).
#[derive(Debug, Clone, Copy, Default)]
struct Axis {
    whole: i64,
    frac: f64,
}

/// The coarse samples that the pixels of a span of an axis read.
#[derive(Debug, Clone, Copy)]
struct Span {
    /// The lattice node of coarse sample 0, one before the cell of the first pixel.
    first: i64,
    /// Coarse samples the span needs: the pixels' cells, one before and two after.
    samples: usize,
    /// Pixels of the first cell before the span's first pixel.
    skip: usize,
}

impl Axis {
    /// The axis whose pixel edge 0 lies at device pixel `edge` of the world.
    fn new(edge: f64) -> Self {
        let floor = edge.floor();
        Self {
            // Device pixels of the world at the largest zoom stay far inside the i64 range.
            whole: floor as i64,
            frac: edge - floor,
        }
    }

    /// The coarse samples pixels `pixels` (not empty) read, on cells of `cell` pixels.
    #[inline]
    fn span(&self, pixels: &std::ops::Range<usize>, cell: usize) -> Span {
        // Frame sides are at most 8192 pixels.
        let whole = self.whole + pixels.start as i64;
        let c = cell as i64;
        let skip = whole.rem_euclid(c) as usize;
        Span {
            first: whole.div_euclid(c) - 1,
            samples: (pixels.len() - 1 + skip) / cell + 4,
            skip,
        }
    }
}

/// What the density field holds: the frame it was computed for, as far as its values depend on
/// it. A frame whose splat key, taps and upsampling weights are the same sees the same densities
/// at the same world pixels, so it can move the field by whole pixels (see [`super::field`]).
#[derive(Debug, Default)]
struct FieldOrigin {
    /// Counts the fields computed, so that a caller can tell which field a move starts from.
    generation: u64,
    /// `None` before the first field, or when it was computed for another grid.
    key: Option<SplatKey>,
    taps: Vec<f32>,
    weights: [Vec<[f32; 4]>; 2],
    size: [usize; 2],
    /// The world pixel of the field's pixel 0 along x and y.
    whole: [i64; 2],
    peak: Peak,
}

/// The highest density of a field (at least 0, as [`max_of`] gives it) and a pixel that has it:
/// while that pixel stays in view, a moved field's maximum is the larger of it and the exposed
/// strips' maxima, without reading the rest.
#[derive(Debug, Clone, Copy, Default)]
struct Peak {
    value: f32,
    at: [usize; 2],
}

impl Peak {
    /// The peak of the pixels `rect` of a field `w` pixels wide.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline(never)] // Two callers; the wasm download counts every copy.
    fn of(values: &[f32], w: usize, rect: PixelRect) -> Self {
        let mut peak = Self::default();
        for (j, row) in values
            .chunks_exact(w)
            .enumerate()
            .take(rect.y1)
            .skip(rect.y0)
        {
            let row = &row[rect.x0..rect.x1];
            let value = max_of(row);
            if value > peak.value {
                // Some value equals the maximum unless the row is all negative (it is not).
                let i = row.iter().position(|&v| v == value).unwrap_or(0);
                peak = Self {
                    value,
                    at: [rect.x0 + i, j],
                };
            }
        }
        peak
    }

    /// Where the peak's pixel lies after `shift` in a `w`×`h` frame, if it is still in it.
    fn moved(&self, shift: Shift, [w, h]: [usize; 2]) -> Option<Self> {
        let at = [0, 1].map(|k| self.at[k] as i64 - shift.by[k]);
        let inside = at[0] >= 0 && at[1] >= 0 && at[0] < w as i64 && at[1] < h as i64;
        inside.then(|| Self {
            value: self.value,
            at: at.map(|v| v as usize),
        })
    }
}

/// How [`finish`] brought the density field up to a frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldUpdate {
    /// The field's generation now.
    pub generation: u64,
    /// The field's highest density, at least 0 (as [`DensityField::max`] gives it).
    pub max: f32,
    /// When the field was moved from the one of generation `generation - 1` rather than
    /// computed whole: how, and so which pixels were computed anew.
    pub moved: Option<Shift>,
}

/// The grid of one frame: its geometry and the splat transform of each visible world copy.
/// Built by [`begin`], filled by [`splat`] in as many slices as the caller likes, marked whole by
/// [`splat_done`], turned into densities by [`finish`].
#[derive(Debug, Clone, Default)]
pub(crate) struct GridFrame {
    w: usize,
    h: usize,
    cell: usize,
    axes: [Axis; 2],
    /// The lattice nodes the grid buffer covers.
    window: Nodes,
    /// `None` when the kept grid already holds every node the frame reads; else the nodes that
    /// are already whole (the splat skips them).
    pending: Option<Nodes>,
    /// One per world copy the view needs (usually one).
    transforms: Vec<NodeTransform>,
}

impl GridFrame {
    /// The grid cell in device pixels.
    pub(crate) fn cell(&self) -> u32 {
        // The cell is derived from a u32 (`cell_for_radius`).
        self.cell as u32
    }

    /// True while points remain to be splatted for this frame.
    pub(crate) fn needs_splat(&self) -> bool {
        self.pending.is_some()
    }
}

/// Plans the grid for `view` and computes the kernel taps; `frame` is reused so a steady size
/// allocates nothing. Keeps what the grid from earlier frames holds of the nodes this one reads,
/// clears the rest for [`splat`].
pub(crate) fn begin(
    points: &PointBuffer,
    view: &View,
    radius_px: f64,
    intensity: f32,
    scratch: &mut Scratch,
    frame: &mut GridFrame,
) {
    let (w, h) = (view.pixel_width() as usize, view.pixel_height() as usize);
    let cell = cell_for_radius(radius_px);
    let c = cell as usize;
    gaussian_half_taps(radius_px, cell, &mut scratch.taps);
    let half = (scratch.taps.len() - 1) as i64;
    let s = view.scale();
    let cf = c as f64;
    let [cx, cy] = view.center_world();
    let axes = [
        Axis::new(cx * s - w as f64 / 2.0),
        Axis::new(cy * s - h as f64 / 2.0),
    ];
    let reads = reads_of(axes[0].span(&(0..w), c), axes[1].span(&(0..h), c), half);
    // Points within the radius plus one cell outside the view still reach it.
    let copies = view.world_copies(radius_px + 2.0 * cf);
    let [ox, oy] = points.origin();
    frame.transforms.clear();
    frame
        .transforms
        .extend(copies.clone().map(|copy| NodeTransform {
            scale: s / cf,
            offset: [((ox + f64::from(copy)) * s - 0.5) / cf, (oy * s - 0.5) / cf],
        }));
    let key = SplatKey {
        points: points.revision(),
        origin: [ox.to_bits(), oy.to_bits()],
        scale: s.to_bits(),
        cell: c,
        intensity: intensity.to_bits(),
        copies: (*copies.start(), *copies.end()),
    };
    let cache = &mut scratch.cache;
    let same = cache.key == Some(key);
    frame.pending = if same && cache.complete.contains(&reads) {
        None
    } else {
        // A new window centred on the frame; the nodes of the old one that are whole and inside
        // the new one's inner part (its outer ring misses points) are copied over.
        let window = reads.grown(KEEP_PX.div_ceil(c) as i64 + 1);
        let kept = if same {
            cache.complete.intersect(&window.grown(-1))
        } else {
            Nodes::default()
        };
        let next = zeroed(&mut scratch.spare, window.width() * window.height());
        if !kept.is_empty() {
            let (from, to) = (kept.within(&cache.window), kept.within(&window));
            let (old_w, new_w) = (cache.window.width(), window.width());
            for row in 0..kept.height() {
                let src = (from.y0 + row) * old_w;
                let dst = (to.y0 + row) * new_w;
                next[dst + to.x0..dst + to.x1]
                    .copy_from_slice(&scratch.grid[src + from.x0..src + from.x1]);
            }
        }
        std::mem::swap(&mut scratch.grid, &mut scratch.spare);
        *cache = SplatCache {
            key: Some(key),
            window,
            complete: kept,
        };
        Some(kept)
    };
    (frame.w, frame.h, frame.cell, frame.axes) = (w, h, c, axes);
    frame.window = scratch.cache.window;
}

/// Where the origin of `points` lands in device pixels (origin top left) on world copy `copy`:
/// a point at offset `[x, y]` is at `[x, y] · view.scale() + origin_px`. In f64, since at high
/// zoom the products are far larger than f32 resolves. The points layer places dots with it; the
/// density splat puts the same positions on the world-anchored lattice (equal up to f64
/// rounding), so dots sit on their heat.
pub(crate) fn origin_px(points: &PointBuffer, view: &View, copy: i32) -> [f64; 2] {
    let s = view.scale();
    let [cx, cy] = view.center_world();
    let [ox, oy] = points.origin();
    [
        (ox - cx) * s + f64::from(view.pixel_width()) / 2.0 + f64::from(copy) * s,
        (oy - cy) * s + f64::from(view.pixel_height()) / 2.0,
    ]
}

/// Splats a slice of the packed `[x, y, w]` points (whole triples) for every world copy into the
/// nodes the frame still needs, each adding `weight`.
pub(crate) fn splat(xyw: &[f32], weight: Weight, scratch: &mut Scratch, frame: &GridFrame) {
    let Some(kept) = &frame.pending else {
        return;
    };
    let keep = (!kept.is_empty()).then(|| kept.within(&frame.window));
    let target = Target {
        first: [frame.window.x0, frame.window.y0],
        keep: keep.as_ref(),
    };
    for &transform in &frame.transforms {
        splat_bilinear(
            xyw,
            transform,
            weight,
            GridMut::new(&mut scratch.grid, frame.window.width()),
            target,
        );
    }
}

/// Records that every point is in the frame's grid: its inner nodes are whole, for later frames.
pub(crate) fn splat_done(scratch: &mut Scratch, frame: &GridFrame) {
    if frame.pending.is_some() && scratch.cache.window == frame.window {
        scratch.cache.complete = frame.window.grown(-1);
    }
}

/// The lattice nodes the blur of the coarse samples of spans `x` and `y` reads: those within
/// `half` of them.
fn reads_of(x: Span, y: Span, half: i64) -> Nodes {
    Nodes {
        x0: x.first - half,
        y0: y.first - half,
        x1: x.first + x.samples as i64 + half,
        y1: y.first + y.samples as i64 + half,
    }
}

/// Brings `field` up to the frame (resized to its device pixels) from the splatted grid. When the
/// field holds an earlier frame that differs only by a pan of whole device pixels, it is moved
/// and only the pixels the pan exposed are blurred and resampled; else all are.
pub(crate) fn finish(
    scratch: &mut Scratch,
    frame: &GridFrame,
    field: &mut DensityField,
) -> FieldUpdate {
    let (w, h, c) = (frame.w, frame.h, frame.cell);
    for (axis, weights) in frame.axes.iter().zip(&mut scratch.weights) {
        phase_weights(c, axis.frac, weights);
    }
    let whole = frame.axes.map(|a| a.whole);
    let held = &mut scratch.field;
    let same_densities = held.key.is_some()
        && held.key == scratch.cache.key
        && held.taps == scratch.taps
        && held.weights == scratch.weights
        && held.size == [w, h]
        && field.values.len() == w * h;
    let moved = same_densities
        .then(|| Shift::between(held.whole, whole, [w, h]))
        .flatten();
    held.generation += 1;
    held.key = scratch.cache.key;
    held.taps.clone_from(&scratch.taps);
    for (kept, weights) in held.weights.iter_mut().zip(&scratch.weights) {
        kept.clone_from(weights);
    }
    (held.size, held.whole) = ([w, h], whole);
    let generation = held.generation;
    // Both sides came from u32 device sizes.
    (field.width, field.height) = (w as u32, h as u32);
    let values = sized(&mut field.values, w * h);
    let whole_frame = PixelRect::whole(w, h);
    // The pixels to compute, and the peak of the others when it is known.
    let (computed, kept_peak) = match moved {
        Some(shift) => {
            move_within(values, [w, h], 1, shift);
            (shift.exposed(w, h), scratch.field.peak.moved(shift, [w, h]))
        }
        None => ([whole_frame, PixelRect::default()], None),
    };
    for &rect in &computed {
        densities(scratch, frame, rect, values);
    }
    let peak = match kept_peak {
        Some(kept) => computed
            .iter()
            .map(|&rect| Peak::of(values, w, rect))
            .fold(kept, |a, b| if b.value > a.value { b } else { a }),
        None => Peak::of(values, w, whole_frame),
    };
    scratch.field.peak = peak;
    FieldUpdate {
        generation,
        max: peak.value,
        moved,
    }
}

/// Blurs the splatted grid and resamples it at the pixels `rect` of the frame, into `values` (the
/// frame's densities, row-major). A pixel's density does not depend on which rectangle it is
/// computed in: each step computes each sample from the same inputs in the same order.
fn densities(scratch: &mut Scratch, frame: &GridFrame, rect: PixelRect, values: &mut [f32]) {
    if rect.is_empty() {
        return;
    }
    let Scratch {
        grid,
        rows,
        coarse,
        taps,
        weights: [wx, wy],
        upsample,
        ..
    } = scratch;
    let (c, window) = (frame.cell, frame.window);
    let [ax, ay] = frame.axes;
    let (cols, lines) = (rect.x0..rect.x1, rect.y0..rect.y1);
    let (x, y) = (ax.span(&cols, c), ay.span(&lines, c));
    let half = taps.len() - 1;
    let reads = reads_of(x, y, half as i64);
    let grid_w = window.width();
    let read = reads.within(&window);
    let src = &grid[read.y0 * grid_w..read.y1 * grid_w];
    let rows = sized(rows, reads.height() * x.samples);
    convolve_x(
        Grid::new(src, grid_w),
        read.x0 + half,
        taps,
        GridMut::new(rows, x.samples),
    );
    let coarse = sized(coarse, y.samples * x.samples);
    convolve_y(
        Grid::new(rows, x.samples),
        half,
        taps,
        GridMut::new(coarse, x.samples),
    );
    upsample_catmull_rom(
        Grid::new(coarse, x.samples),
        c,
        [x.skip, y.skip],
        [wx, wy],
        GridMut::new(
            &mut values[lines.start * frame.w..lines.end * frame.w],
            frame.w,
        ),
        cols,
        upsample,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1 000-point scene around (10°, 50°) and a 160×120 view of it at zoom 9.
    fn scene() -> (PointBuffer, View) {
        let mut points = PointBuffer::new();
        for k in 0..1_000 {
            let t = f64::from(k) * 0.618;
            points.push(
                10.0 + (t % 1.0 - 0.5) * 0.6,
                50.0 + ((t * 7.3) % 1.0 - 0.5) * 0.4,
                1.0,
            );
        }
        let view = View {
            center: [10.0, 50.0],
            zoom: 9.0,
            width: 160,
            height: 120,
            device_pixel_ratio: 1.0,
        };
        (points, view)
    }

    /// Draws the densities of `view` with `scratch` and `field` as they are.
    fn densities_of(
        points: &PointBuffer,
        view: &View,
        radius: f64,
        scratch: &mut Scratch,
        field: &mut DensityField,
    ) -> FieldUpdate {
        let mut frame = GridFrame::default();
        begin(points, view, radius, 1.0, scratch, &mut frame);
        splat(points.as_slice(), Weight::Scaled(1.0), scratch, &frame);
        splat_done(scratch, &frame);
        finish(scratch, &frame, field)
    }

    #[test]
    fn whole_pixel_pans_move_the_field_and_match_a_fresh_one() {
        let (points, view) = scene();
        let (mut scratch, mut field) = (Scratch::default(), DensityField::default());
        let first = densities_of(&points, &view, 20.0, &mut scratch, &mut field);
        assert_eq!(first.moved, None);
        let mut v = view;
        for (k, (dx, dy, moves)) in [
            (5.0, 0.0, true),
            (0.0, -3.0, true),
            (-7.0, 11.0, true),
            (0.5, 0.0, false),
            (0.5, 0.0, false),
            (159.0, 0.0, true),
            (160.0, 0.0, false),
            (0.0, 0.0, true),
        ]
        .into_iter()
        .enumerate()
        {
            v = v.panned_by(dx, dy);
            let update = densities_of(&points, &v, 20.0, &mut scratch, &mut field);
            assert_eq!(update.generation, first.generation + k as u64 + 1);
            // The view moved by (dx, dy): pixel (i, j) shows what (i - dx, j - dy) showed.
            let expected = moves.then_some(Shift {
                by: [-dx as i64, -dy as i64],
            });
            assert_eq!(update.moved, expected, "pan {k} by ({dx}, {dy})");
            let mut fresh = DensityField::default();
            densities_of(&points, &v, 20.0, &mut Scratch::default(), &mut fresh);
            assert!(
                field
                    .values
                    .iter()
                    .zip(&fresh.values)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "pan {k}: the densities differ from a fresh field"
            );
        }
        // Another radius with the same cell changes the taps: nothing is moved.
        let update = densities_of(
            &points,
            &v.panned_by(1.0, 0.0),
            21.0,
            &mut scratch,
            &mut field,
        );
        assert_eq!(update.moved, None);
    }
}
