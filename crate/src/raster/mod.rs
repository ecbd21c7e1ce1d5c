//! CPU density: the exact [`reference`](mod@reference) and the fast path, normalisation and colouring.
//!
//! The fast path ([`CpuRenderer`]) splats each point bilinearly onto a grid with a margin of the
//! radius around the view, blurs it with the separable truncated Gaussian on cells of
//! `max(1, ⌊r/8⌋)` device pixels (so the cost does not grow with the radius), resamples at the
//! device pixels with Catmull-Rom (they lie between the grid's nodes), then normalises and colours through a
//! 256-entry palette. Against [`reference`](mod@reference) it stays above 45 dB PSNR on normalised density for
//! radii of 8 device pixels and more (bilinear splatting error grows as σ shrinks; measured
//! 59 dB at r = 10 and 51 dB at r = 25 on the sparse test scene).
//!
//! The splat grid is anchored to the world and kept between frames (see `fast.rs`): at a fixed
//! zoom, radius cell, intensity and data, a pan re-splats only the strips it exposes beyond the
//! kept margin, and its frame is byte for byte what a fresh renderer draws. A pan by whole device
//! pixels also moves the last frame's densities and, when the colours are the same, its pixels,
//! and computes only the strips it exposed (see `field.rs`).
//!
//! A [`Aggregation::Mean`] frame runs a second channel beside the density, the coverage `Σ K`
//! (every point weighing 1), through the same splat, blur and resampling, with a grid and field
//! of its own kept and moved the same way; the mean is their quotient, computed over the whole
//! frame (a division per pixel, cheap beside the blur). A pan then still moves both fields and
//! the pixels, since equal densities and coverages give equal means.

pub(crate) mod blur;
pub(crate) mod colorize;
pub(crate) mod fast;
pub(crate) mod field;
pub(crate) mod grid;
mod layers;
pub mod metrics;
mod paint;
pub mod reference;
pub(crate) mod resample;
pub(crate) mod splat;

use crate::clock::Stopwatch;
use crate::error::{Error, Result};
use crate::frame::{DensityField, FramePlan, FrameStats, max_of};
use crate::layer::Capabilities;
use crate::points::{FLOATS_PER_POINT, PointBuffer};
use crate::scene::Scene;
use crate::style::{Aggregation, HeatStyle, MEAN_MIN_COVERAGE};
use crate::surface::Surface;
use layers::Normalized;
use splat::Weight;
use std::time::Duration;

/// Colours `densities` into straight RGBA8 (4 bytes each in `rgba`) exactly as a CPU frame of
/// the heat layer does with `style` and normalisation maximum `max`: the same palette, threshold
/// and rounding, so the bytes equal the CLI's for the same densities. A `max` that is not a
/// positive number gives transparent pixels.
///
/// # Errors
///
/// [`Error::InvalidOption`] when `rgba` does not hold 4 bytes per density.
pub fn shade(densities: &[f32], max: f32, style: &HeatStyle, rgba: &mut [u8]) -> Result<()> {
    if rgba.len() != densities.len() * 4 {
        return Err(Error::option(
            "rgba",
            format!(
                "{} bytes do not hold {} RGBA pixels",
                rgba.len(),
                densities.len()
            ),
        ));
    }
    colorize::colorize(densities, max, style, rgba);
    Ok(())
}

/// The fast CPU renderer. Keeps its scratch buffers between frames: no allocation per frame once
/// the size is steady.
///
/// A frame draws the scene's [`LayerStack`](crate::LayerStack). The default stack (just the heat
/// layer) colours straight into the surface; any other is composited in f32 (see
/// [`crate::layer`]), and custom WGSL layers, which need the GPU, are left out.
///
/// [`render`](Self::render) draws a frame in one call. A caller that must not block for long (a
/// browser frame) can instead [`begin_frame`](Self::begin_frame), feed the points in slices with
/// [`splat_more`](Self::splat_more), and [`finish_frame`](Self::finish_frame) when all are in; the
/// surface's front buffer keeps the last whole frame meanwhile.
#[derive(Debug, Default)]
pub struct CpuRenderer {
    /// The density `Σ wᵢ·K`: a sum frame's field, or a mean's numerator.
    heat: Channel,
    /// The coverage `Σ K` a mean divides by; used by mean frames only.
    coverage: Channel,
    /// The last mean frame's values.
    mean: DensityField,
    /// What the last finished frame shows: its field is `heat.field` or `mean`.
    shown: Aggregation,
    layers: layers::LayerScratch,
    painted: paint::Painted,
    frame: Frame,
}

/// One accumulated quantity of the fast path: its splat grid (kept between frames), the grid of
/// the frame being built, and its field.
#[derive(Debug, Default)]
struct Channel {
    scratch: fast::Scratch,
    grid: fast::GridFrame,
    field: DensityField,
}

// Each step has two callers (density and coverage); kept out of line, since the wasm download
// counts every inlined copy.
impl Channel {
    /// Plans the grid for the frame (see [`fast::begin`]).
    #[inline(never)]
    fn begin(&mut self, points: &PointBuffer, plan: &FramePlan, intensity: f32) {
        let (view, r) = (plan.view(), plan.radius_px());
        fast::begin(
            points,
            view,
            r,
            intensity,
            &mut self.scratch,
            &mut self.grid,
        );
    }

    /// Splats a slice of points, each adding `weight`; `last` says every point is then in.
    #[inline(never)]
    fn splat(&mut self, xyw: &[f32], weight: Weight, last: bool) {
        fast::splat(xyw, weight, &mut self.scratch, &self.grid);
        if last {
            fast::splat_done(&mut self.scratch, &self.grid);
        }
    }

    /// Brings the field up to the frame (see [`fast::finish`]).
    #[inline(never)]
    fn finish(&mut self) -> fast::FieldUpdate {
        fast::finish(&mut self.scratch, &self.grid, &mut self.field)
    }
}

/// The frame being built: what its splat was begun with.
#[derive(Debug, Default)]
struct Frame {
    /// Counts `begin_frame` calls, so a [`FrameJob`] of an older frame is recognised.
    serial: u64,
    plan: Option<FramePlan>,
    /// The points revision, intensity and aggregation the grids hold: a change starts the splat
    /// over.
    revision: (u64, usize),
    intensity: f32,
    aggregation: Aggregation,
    clock: Option<Stopwatch>,
}

/// A frame begun with [`CpuRenderer::begin_frame`]: how many points are splatted so far.
#[derive(Debug)]
#[must_use = "a begun frame is shown only once finish_frame is called"]
pub struct FrameJob {
    serial: u64,
    next_point: usize,
}

impl FrameJob {
    /// Points splatted so far.
    pub fn points_done(&self) -> usize {
        self.next_point
    }
}

impl CpuRenderer {
    /// A renderer with empty buffers; the first frame sizes them.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renders `scene` as `plan` says into the back buffer of `surface` (resized to the plan's
    /// device pixels), then swaps.
    ///
    /// An empty point buffer gives a transparent frame. Errors (a plan made for other points)
    /// leave the surface unchanged.
    pub fn render(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        surface: &mut Surface,
    ) -> Result<FrameStats> {
        let job = self.begin_frame(scene, plan);
        self.finish_frame(job, scene, surface)
    }

    /// Starts a frame of `scene` as `plan` says (the plan fixes view, radius and normalisation;
    /// it was validated when made) and clears the grid. Beginning another frame abandons this
    /// one.
    pub fn begin_frame(&mut self, scene: &Scene, plan: &FramePlan) -> FrameJob {
        let frame = &mut self.frame;
        frame.serial += 1;
        frame.plan = Some(*plan);
        frame.clock = Some(Stopwatch::start());
        self.restart(scene);
        FrameJob {
            serial: self.frame.serial,
            next_point: 0,
        }
    }

    /// Splats up to `max_points` more points of `scene` into the frame; true once every point is
    /// in. If the points, the intensity or the aggregation changed since the frame began, or
    /// `job` belongs to an abandoned frame, the current frame starts its splat over, so a
    /// finished frame is always consistent.
    pub fn splat_more(&mut self, job: &mut FrameJob, scene: &Scene, max_points: usize) -> bool {
        let points = scene.points();
        let (intensity, aggregation) = (scene.style().intensity, scene.style().aggregation);
        if job.serial != self.frame.serial
            || points.revision() != self.frame.revision
            || intensity.to_bits() != self.frame.intensity.to_bits()
            || aggregation != self.frame.aggregation
        {
            self.restart(scene);
            *job = FrameJob {
                serial: self.frame.serial,
                next_point: 0,
            };
        }
        let total = points.len();
        let mean = aggregation == Aggregation::Mean;
        // Grids kept from earlier frames may already hold every node this one reads.
        let end = if self.heat.grid.needs_splat() || (mean && self.coverage.grid.needs_splat()) {
            job.next_point + max_points.min(total - job.next_point)
        } else {
            total
        };
        let slice = &points.as_slice()[job.next_point * FLOATS_PER_POINT..end * FLOATS_PER_POINT];
        let last = end == total;
        self.heat.splat(slice, Weight::Scaled(intensity), last);
        if mean {
            self.coverage.splat(slice, Weight::Unit, last);
        }
        job.next_point = end;
        last
    }

    /// Splats whatever is left, blurs, normalises and draws the layers of `scene` with its style
    /// into the back buffer of `surface` (resized to the plan's device pixels), then swaps. Style
    /// and layers are read now, so a change to them between begin and finish shows in this frame.
    pub fn finish_frame(
        &mut self,
        job: FrameJob,
        scene: &Scene,
        surface: &mut Surface,
    ) -> Result<FrameStats> {
        let (plan, max_density, update) = self.finish_density(job, scene)?;
        let normalize_max = plan.normalize_max(scene.points(), max_density)?;
        surface.resize(plan.width(), plan.height())?;
        let field = shown_field(self.shown, &self.heat.field, &self.mean);
        if scene.layers().is_plain_heat(Capabilities::CPU) {
            // The single-layer renderer's bytes, without the cost of compositing.
            self.painted
                .heat(field, update, normalize_max, scene.style(), surface);
        } else {
            let density = Normalized {
                field,
                max: normalize_max,
            };
            layers::compose(scene, &plan, &density, &mut self.layers, surface.back_mut());
            surface.swap();
        }
        let elapsed = self.frame.clock.map_or(Duration::ZERO, |c| c.elapsed());
        Ok(plan.stats(self.heat.grid.cell(), [max_density, normalize_max], elapsed))
    }

    /// Brings [`CpuRenderer::density`] up to `scene` at `plan` without colouring anything: for
    /// density queries while another backend draws the frames, and for hosts that sum the
    /// densities of parts of the data and colour the sum once ([`shade`]).
    ///
    /// # Errors
    ///
    /// As [`CpuRenderer::finish_frame`].
    pub fn render_density(&mut self, scene: &Scene, plan: &FramePlan) -> Result<()> {
        let job = self.begin_frame(scene, plan);
        self.finish_density(job, scene).map(|_| ())
    }

    /// Splats what is left of `job` and turns the grids into [`CpuRenderer::density`]; returns the
    /// frame's plan, highest value and how the values were brought up to the frame (a move only
    /// when the last frame showed the same aggregation, moved alike).
    fn finish_density(
        &mut self,
        mut job: FrameJob,
        scene: &Scene,
    ) -> Result<(FramePlan, f32, fast::FieldUpdate)> {
        while !self.splat_more(&mut job, scene, usize::MAX) {}
        let plan = self
            .frame
            .plan
            .ok_or_else(|| Error::option("frame", "finish_frame needs a frame from begin_frame"))?;
        let heat = self.heat.finish();
        let aggregation = self.frame.aggregation;
        let same = self.shown == aggregation;
        let update = match aggregation {
            Aggregation::Sum => fast::FieldUpdate {
                moved: heat.moved.filter(|_| same),
                ..heat
            },
            Aggregation::Mean => {
                let coverage = self.coverage.finish();
                fast::FieldUpdate {
                    generation: heat.generation,
                    max: divide(&self.heat.field, &self.coverage.field, &mut self.mean),
                    moved: heat.moved.filter(|_| same && coverage.moved == heat.moved),
                }
            }
        };
        self.shown = aggregation;
        Ok((plan, update.max, update))
    }

    /// Clears the grid of the current frame for the points of `scene`.
    fn restart(&mut self, scene: &Scene) {
        let frame = &mut self.frame;
        if let Some(plan) = &frame.plan {
            let points = scene.points();
            frame.revision = points.revision();
            frame.intensity = scene.style().intensity;
            frame.aggregation = scene.style().aggregation;
            self.heat.begin(points, plan, frame.intensity);
            if frame.aggregation == Aggregation::Mean {
                // The coverage does not depend on the intensity: 1 keeps its grid across changes.
                self.coverage.begin(points, plan, 1.0);
            }
        }
    }

    /// The values of the last frame (before normalisation): densities or means.
    pub fn density(&self) -> &DensityField {
        shown_field(self.shown, &self.heat.field, &self.mean)
    }

    /// The value (before normalisation, in the aggregation's unit) of the last frame under device
    /// pixel `(x, y)`, or `None` outside it or before the first frame.
    pub fn value_at(&self, x: f64, y: f64) -> Option<f32> {
        self.density().value_at(x, y)
    }
}

/// The field a frame of `aggregation` shows: the density, or the mean (borrowed apart from the
/// rest of the renderer, which draws it).
fn shown_field<'a>(
    aggregation: Aggregation,
    density: &'a DensityField,
    mean: &'a DensityField,
) -> &'a DensityField {
    match aggregation {
        Aggregation::Sum => density,
        Aggregation::Mean => mean,
    }
}

/// Writes `sums / max(coverage, MEAN_MIN_COVERAGE)` into `mean` (sized like them) and returns its
/// highest value, at least 0. Reuses `mean`'s buffer.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
fn divide(sums: &DensityField, coverage: &DensityField, mean: &mut DensityField) -> f32 {
    (mean.width, mean.height) = (sums.width, sums.height);
    mean.values.clear();
    mean.values.extend(
        sums.values
            .iter()
            .zip(&coverage.values)
            .map(|(&d, &k)| d / k.max(MEAN_MIN_COVERAGE)),
    );
    max_of(&mean.values)
}
