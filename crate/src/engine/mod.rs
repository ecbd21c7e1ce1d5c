//! [`Engine`]: a heatmap without a host. It owns the [`Scene`] and the [`View`], tracks what
//! changed, fits loads, drives sliced CPU frames on a [`Clock`] with a per-frame budget, keeps the
//! backend state and applies the one fall back policy ([`BackendChoice`], [`FailCause`]),
//! de-duplicates layer faults, answers `value_at`, and turns pointer gestures into views.
//!
//! Hosts only translate. A host calls [`Engine::step`] on each animation frame and does what the
//! [`Step`] says: present the engine's [`Surface`] after a CPU frame, or draw a [`GpuFrame`] with
//! its own GPU renderer (the GPU frame is async and host-specific: a canvas presenter in the
//! browser, a readback natively) and report the result with [`Engine::gpu_frame_done`], which
//! decides whether it was presented, falls back or is an error. The engine has no web types and
//! is tested natively.

mod backend;
mod clock;
mod faults;
mod fit;
mod frames;
mod gesture;
mod step;

pub use backend::{Backend, BackendChoice, FailCause, is_gpu_trouble};
pub use clock::Clock;
pub use fit::{FitOptions, world_view};
pub use step::{FrameReport, GpuFrame, GpuOutcome, Step};

use crate::error::Result;
use crate::frame::{FrameStats, StableMax};
use crate::geo::{LonLatBounds, View};
use crate::layer::{Capabilities, LayerStack};
use crate::points::PointBuffer;
use crate::raster::{CpuRenderer, FrameJob};
use crate::scene::Scene;
use crate::style::HeatStyle;
use crate::surface::Surface;
use faults::FaultLog;
use std::sync::Arc;

/// Work per animation frame before the rest of a CPU frame waits for the next one: most of a
/// 60 Hz frame, leaving a few milliseconds to the page. (8 ms would split a 1M-point frame in
/// three.)
pub const FRAME_BUDGET_MS: f64 = 12.0;
/// Points splatted between two looks at the clock (~2-4 ms of work in wasm).
pub const SLICE_POINTS: usize = 1 << 17;

/// How an [`Engine`] starts.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// The first view (see [`world_view`] for a heatmap that should fit its first load).
    pub view: View,
    /// The view was chosen by the caller: loads then keep it unless they ask to fit.
    pub view_explicit: bool,
    pub style: HeatStyle,
    pub backend: BackendChoice,
    /// CPU work per [`Engine::step`] before the frame is continued on the next one (ms).
    pub frame_budget_ms: f64,
    /// Points splatted between two looks at the clock.
    pub slice_points: usize,
}

impl EngineOptions {
    /// `view`, not explicit, default style, [`BackendChoice::Auto`], [`FRAME_BUDGET_MS`] and
    /// [`SLICE_POINTS`].
    pub fn new(view: View) -> Self {
        Self {
            view,
            view_explicit: false,
            style: HeatStyle::default(),
            backend: BackendChoice::Auto,
            frame_budget_ms: FRAME_BUDGET_MS,
            slice_points: SLICE_POINTS,
        }
    }
}

/// A heatmap's state and rules, for any host (see the module docs).
pub struct Engine {
    scene: Scene,
    view: View,
    /// Set once the caller chose a view; until then loads fit the data.
    view_explicit: bool,
    /// The heatmap's one stable-maximum cache, whichever backend draws.
    stable: StableMax,
    clock: Box<dyn Clock>,
    /// When the engine was made (ms): `geoheat.time` counts from here.
    created_ms: f64,
    budget_ms: f64,
    slice_points: usize,
    choice: BackendChoice,
    backend: Backend,
    adapter: Option<String>,
    /// A GPU frame was presented since the GPU started: after one, GPU trouble always falls
    /// back.
    gpu_presented: bool,
    /// The GPU frame the host is drawing, if any; `Some(true)` when it shows a change (not only
    /// the next frame of an animation).
    gpu_in_flight: Option<bool>,
    /// When the GPU frame in flight was handed out (ms).
    gpu_started_ms: f64,
    /// The last GPU frame asked for: what a GPU snapshot must draw again.
    gpu_on_screen: Option<GpuFrame>,
    renderer: CpuRenderer,
    surface: Surface,
    /// The CPU frame being built across steps.
    job: Option<CpuJob>,
    /// The CPU renderer's density is not the frame on screen (a GPU frame came since).
    cpu_stale: bool,
    dirty: bool,
    faults: FaultLog,
    frames_rendered: u64,
    last_frame: Option<FrameStats>,
}

/// A CPU frame being built: the scene it draws (edits made meanwhile get the next frame) and its
/// timings so far.
#[derive(Debug)]
struct CpuJob {
    job: FrameJob,
    scene: Scene,
    started_ms: f64,
    work_ms: f64,
    slices: u32,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("points", &self.scene.points().len())
            .field("view", &self.view)
            .field("backend", &self.backend)
            .field("dirty", &self.dirty)
            .field("frames_rendered", &self.frames_rendered)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine with no points. With a choice that wants the GPU it is
    /// [`Backend::Starting`] until the host reports [`Engine::gpu_ready`] or
    /// [`Engine::gpu_failed`]. Fails on an invalid view or style.
    pub fn new(options: EngineOptions, clock: impl Clock + 'static) -> Result<Self> {
        options.view.validate()?;
        let mut scene = Scene::default();
        scene.set_style(options.style)?;
        let mut clock: Box<dyn Clock> = Box::new(clock);
        let created_ms = clock.now_ms();
        let backend = if options.backend.wants_gpu() {
            Backend::Starting
        } else {
            Backend::Cpu
        };
        Ok(Self {
            scene,
            view: options.view,
            view_explicit: options.view_explicit,
            stable: StableMax::new(),
            clock,
            created_ms,
            budget_ms: options.frame_budget_ms,
            slice_points: options.slice_points.max(1),
            choice: options.backend,
            backend,
            adapter: None,
            gpu_presented: false,
            gpu_in_flight: None,
            gpu_started_ms: created_ms,
            gpu_on_screen: None,
            renderer: CpuRenderer::new(),
            surface: Surface::new(1, 1)?,
            job: None,
            cpu_stale: false,
            dirty: true,
            faults: FaultLog::default(),
            frames_rendered: 0,
            last_frame: None,
        })
    }

    /// The scene: points, style, layers and `geoheat.time`.
    pub fn scene(&self) -> &Scene {
        &self.scene
    }

    /// Replaces the points (the old ones stay until this moment) and fits the view when `fit`
    /// asks, or when no view was chosen yet. On error (a padding that leaves no room) nothing
    /// changes.
    pub fn load(&mut self, points: impl Into<Arc<PointBuffer>>, fit: &FitOptions) -> Result<()> {
        let points = points.into();
        if let Some(view) = fit::view_after_load(&self.view, self.view_explicit, &points, fit)? {
            self.view = view;
        }
        self.scene.set_points(points);
        self.dirty = true;
        Ok(())
    }

    /// Replaces the style if it is valid; an invalid one changes nothing. True when it changed.
    pub fn set_style(&mut self, style: HeatStyle) -> Result<bool> {
        if &style == self.scene.style() {
            // The scene's style is valid, so this one is too.
            return Ok(false);
        }
        self.scene.set_style(style)?;
        self.dirty = true;
        Ok(true)
    }

    /// Weights the points by a weight expression ([`crate::expr`]: `"mag"`, `["get", "mag"]`,
    /// arithmetic), or by the weight read at load for `None`, without reading the data again.
    /// On error ([`crate::Error::InvalidExpression`], naming the wrong part) the previous
    /// weight stays.
    pub fn set_weight(&mut self, expr: Option<&crate::expr::Json>) -> Result<()> {
        self.scene.set_weight(expr)?;
        self.dirty = true;
        Ok(())
    }

    /// Draws only the points that pass a filter expression ([`crate::expr`]), or all for
    /// `None`. On error the previous filter stays.
    pub fn set_filter(&mut self, expr: Option<&crate::expr::Json>) -> Result<()> {
        self.scene.set_filter(expr)?;
        self.dirty = true;
        Ok(())
    }

    /// Draws only the points whose time is in `[start, end)` (epoch ms), or all for `None`.
    /// The stable normalisation covers every window, so colours mean the same in each. On
    /// error ([`crate::Error::InvalidOption`]) the previous window stays.
    pub fn set_time_window(&mut self, window: Option<[f64; 2]>) -> Result<()> {
        self.scene.set_time_window(window)?;
        self.dirty = true;
        Ok(())
    }

    /// Applies `change` to the layer stack and marks a frame due when it succeeds; on error the
    /// stack is as it was (every [`LayerStack`] change is all or nothing). `change` is told what
    /// the current backend draws.
    pub fn edit_layers<T>(
        &mut self,
        change: impl FnOnce(&mut LayerStack, Capabilities) -> Result<T>,
    ) -> Result<T> {
        let capabilities = self.capabilities();
        let done = change(self.scene.layers_mut(), capabilities)?;
        self.dirty = true;
        Ok(done)
    }

    /// The view.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// True once the caller chose a view (loads then keep it unless asked to fit).
    pub fn is_view_explicit(&self) -> bool {
        self.view_explicit
    }

    /// Shows `view`, if it is valid, as the caller's choice. True when it changed.
    pub fn set_view(&mut self, view: View) -> Result<bool> {
        view.validate()?;
        self.view_explicit = true;
        Ok(self.replace_view(view))
    }

    /// Shows `bounds` with `padding` CSS pixels around it, at the current size.
    pub fn fit_bounds(&mut self, bounds: &LonLatBounds, padding: f64) -> Result<bool> {
        let v = self.view;
        let view = View::fit(bounds, v.width, v.height, v.device_pixel_ratio, padding)?;
        self.set_view(view)
    }

    /// Follows the canvas's size (CSS pixels) and device pixel ratio. Not a choice of view:
    /// a later load still fits. True when it changed.
    pub fn resize(&mut self, width: u32, height: u32, device_pixel_ratio: f64) -> Result<bool> {
        let view = View {
            width,
            height,
            device_pixel_ratio,
            ..self.view
        };
        view.validate()?;
        Ok(self.replace_view(view))
    }

    /// Drags the map by `dx`, `dy` CSS pixels. True when the view changed.
    pub fn pan(&mut self, dx: f64, dy: f64) -> Result<bool> {
        self.set_view(self.view.panned_by(dx, dy))
    }

    /// Zooms by `delta` levels around `anchor` (CSS pixels; the centre when `None`).
    pub fn zoom_by(&mut self, delta: f64, anchor: Option<[f64; 2]>) -> Result<bool> {
        self.set_view(gesture::zoomed_by(&self.view, delta, anchor))
    }

    /// Pointers (CSS pixels, the same pointers in the same order) moved from `old` to `new`: one
    /// drags, two pinch-zoom around their midpoint. Other counts change nothing.
    pub fn gesture(&mut self, old: &[[f64; 2]], new: &[[f64; 2]]) -> Result<bool> {
        match gesture::after_gesture(&self.view, old, new) {
            Some(view) => self.set_view(view),
            None => Ok(false),
        }
    }

    fn replace_view(&mut self, view: View) -> bool {
        let changed = view != self.view;
        if changed {
            self.view = view;
            self.dirty = true;
        }
        changed
    }

    /// The CPU frames' surface: its front buffer is the last whole CPU frame.
    pub fn surface(&self) -> &Surface {
        &self.surface
    }

    /// The layer faults of `faults` (from the GPU renderer's `take_faults`) not reported yet:
    /// one per layer shader, however many frames it faulted in.
    pub fn new_faults(&mut self, faults: Vec<crate::Error>) -> Vec<crate::Error> {
        self.faults.new_faults(faults, self.scene.layers())
    }

    /// Frames presented so far (CPU and GPU).
    pub fn frames_rendered(&self) -> u64 {
        self.frames_rendered
    }

    /// The stats of the last presented frame.
    pub fn last_frame(&self) -> Option<&FrameStats> {
        self.last_frame.as_ref()
    }

    /// True while a change waits for a frame or a frame showing one is being built (not a frame
    /// drawn only because a layer is animated): a host keeps asking for animation frames, and a
    /// page can wait for this to clear.
    pub fn busy(&self) -> bool {
        self.dirty || self.job.is_some() || self.gpu_in_flight == Some(true)
    }

    /// True when the host should call [`Engine::step`] on the next animation frame: busy, or
    /// an animated layer is drawn on the GPU.
    pub fn wants_frame(&self) -> bool {
        self.busy() || (self.backend == Backend::Gpu && self.scene.layers().is_animated())
    }
}
