//! Browser glue, compiled for wasm32 only: the `Heatmap` class that JavaScript sees.
//!
//! Thin by design: it translates JS values into the core's types ([`options`]), core errors into JS
//! errors ([`errors`]), and owns what only a page has: the canvas ([`canvas2d`]), the
//! `requestAnimationFrame` loop ([`frame_loop`]) and input ([`input`]).
//!
//! Frames are drawn by WebGPU ([`webgpu`], asynchronously: a frame's future owns the presenter
//! while in flight) or by the CPU renderer and Canvas 2D ([`canvas2d`], sliced over animation
//! frames). A canvas that had a `webgpu` context can never get a 2D one, so falling back after a
//! lost device puts a sibling canvas in its place (the `canvas` getter returns the current one).

mod backend;
mod canvas2d;
mod errors;
mod events;
mod frame_loop;
mod input;
mod layer_options;
mod layers;
mod options;
mod types;
mod webgpu;

use crate::error::{Error, Result};
use crate::frame::{FramePlan, FrameStats, StableMax};
use crate::geo::{LonLatBounds, View};
use crate::ingest::{
    ChunkedIngest, IngestProgress, IngestReport, ingest_geojson_with_progress, points_from_triples,
};
use crate::layer::LayerStack;
use crate::points::PointBuffer;
use crate::raster::{CpuRenderer, FrameJob};
use crate::scene::Scene;
use crate::style::{HeatStyle, Normalize};
use crate::surface::{PngCompression, Surface};
use canvas2d::Canvas2d;
use errors::to_js;
use events::Listeners;
use frame_loop::FrameLoop;
use js_sys::{Float32Array, Uint8Array, WebAssembly};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;
use webgpu::WebGpu;

/// Work per animation frame before the rest of a render waits for the next one: most of a 60 Hz
/// frame, leaving a few milliseconds to the page. (8 ms would split a 1M-point frame in three.)
const FRAME_BUDGET_MS: f64 = 12.0;
/// Points splatted between two looks at the clock (~2-4 ms of work in wasm).
const SLICE_POINTS: usize = 1 << 17;

/// Default view before any data or explicit view: the whole world.
const WORLD_VIEW: ([f64; 2], f64) = ([0.0, 20.0], 1.0);

/// Everything a heatmap holds, borrowed only for the duration of one call (never across a call
/// into JavaScript, so listeners may call back into the heatmap).
struct State {
    canvas: HtmlCanvasElement,
    /// The Canvas 2D presenter; `None` while WebGPU presents.
    presenter: Option<Canvas2d>,
    /// The WebGPU presenter while it is the backend; `None` while a frame is in flight (the
    /// frame's future owns it then) and after a fall back to Canvas 2D.
    gpu: Option<WebGpu>,
    /// WebGPU is the backend (whether or not a frame has taken `gpu` out).
    gpu_active: bool,
    /// The adapter WebGPU runs on, `None` on Canvas 2D.
    adapter: Option<String>,
    /// The CPU renderer's density is not the frame on screen (a WebGPU frame came since):
    /// `valueAt` renders it on the CPU before answering.
    cpu_stale: bool,
    /// Shared with an in-flight WebGPU frame, which must not borrow the state across an await.
    points: Arc<PointBuffer>,
    style: HeatStyle,
    /// Shared with an in-flight WebGPU frame like `points`; changed with `Arc::make_mut`.
    layers: Arc<LayerStack>,
    /// The heatmap's one stable-maximum cache, whichever backend draws.
    stable: StableMax,
    /// When the heatmap was made (ms): `geoheat.time` counts from here.
    created_ms: f64,
    /// `geoheat.time` of the last WebGPU frame, so that a snapshot renders the frame on screen.
    gpu_time_s: f32,
    /// The WebGPU frame in flight shows a change (it is not only the next frame of an animation).
    gpu_change_in_flight: bool,
    /// Layer shaders whose non-finite results were reported: one error per shader, not per frame.
    faults_reported: Vec<u64>,
    view: View,
    /// Set once the page chose a view; until then loads fit the data.
    view_explicit: bool,
    device_pixel_ratio_override: Option<f64>,
    renderer: CpuRenderer,
    surface: Surface,
    dirty: bool,
    /// The frame being built across animation frames, and its timings so far.
    job: Option<FrameJob>,
    job_started_ms: f64,
    job_work_ms: f64,
    job_slices: u32,
    frames_rendered: u64,
    last_frame: Option<FrameStats>,
}

struct Shared {
    state: RefCell<State>,
    listeners: Listeners,
    frames: FrameLoop,
    /// Input listeners on the current canvas (moved to a new canvas on a fall back).
    input: RefCell<Option<input::Input>>,
    interactive: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FrameEvent {
    frame: u64,
    backend: &'static str,
    /// Time spent rendering, summed over the slices.
    render_ms: f64,
    present_ms: f64,
    /// From the start of the frame to its presentation (longer than `render_ms` when sliced).
    latency_ms: f64,
    /// Animation frames the render was spread over.
    slices: u32,
    points: usize,
    width: u32,
    height: u32,
    radius_px: f64,
    max_density: f32,
    normalize_max: f32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoadReportJs {
    points: usize,
    features: usize,
    point_features: usize,
    skipped_by_type: usize,
    skipped_by_policy: usize,
    null_geometry: usize,
    bbox: Option<[f64; 4]>,
    bytes: usize,
    ms: f64,
}

impl LoadReportJs {
    fn new(report: &IngestReport, ms: f64) -> Self {
        Self {
            points: report.points,
            features: report.features,
            point_features: report.point_features,
            skipped_by_type: report.skipped_by_type,
            skipped_by_policy: report.skipped_by_policy,
            null_geometry: report.null_geometry,
            bbox: report.bounds.map(LonLatBounds::to_array),
            bytes: report.bytes,
            ms,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProgressEvent {
    phase: &'static str,
    bytes: usize,
    total_bytes: Option<usize>,
    features: usize,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn to_js_value<T: Serialize>(value: &T) -> JsValue {
    // Plain structs of numbers, strings and arrays always serialise.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

impl State {
    fn device_pixel_ratio(&self) -> f64 {
        self.device_pixel_ratio_override
            .or_else(|| web_sys::window().map(|w| w.device_pixel_ratio()))
            .unwrap_or(1.0)
    }

    /// Moves the frame on by one animation frame's worth of work: begins a frame if something
    /// changed, splats slices of points until the budget is spent, and presents once the frame is
    /// whole. A change while a frame is being built lets that frame finish first, so continuous
    /// panning still shows frames; the change gets the next one.
    fn advance(&mut self) -> Step {
        let started = now_ms();
        if self.gpu_active {
            // An animated layer (one reading `geoheat.time`) draws whenever the last frame is
            // done, while it is visible; `dirty` stays for changes, so a page can wait for them.
            if !self.dirty && !self.layers.is_animated() {
                return Step::Idle;
            }
            return match self.gpu.take() {
                Some(gpu) => {
                    self.gpu_change_in_flight = self.dirty;
                    self.dirty = false;
                    Step::Gpu(Box::new(self.gpu_frame(gpu, started)))
                }
                // A frame is in flight; the change gets the next one.
                None => Step::Idle,
            };
        }
        if self.job.is_none() {
            if !self.dirty {
                return Step::Idle;
            }
            if let Err(error) = self.begin_job(started) {
                return Step::Failed(error);
            }
        }
        let scene = match self.scene(0.0) {
            Ok(scene) => scene,
            Err(error) => return Step::Failed(to_js(&error)),
        };
        let Some(job) = self.job.as_mut() else {
            return Step::Idle;
        };
        while !self.renderer.splat_more(job, &scene, SLICE_POINTS) {
            if now_ms() - started > FRAME_BUDGET_MS {
                self.job_work_ms += now_ms() - started;
                self.job_slices += 1;
                return Step::Working;
            }
        }
        match self.finish_job(started) {
            Ok(frame) => Step::Presented(frame),
            Err(error) => Step::Failed(error),
        }
    }

    fn begin_job(&mut self, now: f64) -> Result<(), JsValue> {
        self.dirty = false;
        let (scene, plan) = self.frame_plan(0.0).map_err(|e| to_js(&e))?;
        let job = self.renderer.begin_frame(&scene, &plan);
        (
            self.job,
            self.job_started_ms,
            self.job_work_ms,
            self.job_slices,
        ) = (Some(job), now, 0.0, 0);
        Ok(())
    }

    /// Finishes the frame being built (splatting what is left), swaps and presents it. On error
    /// the last frame stays up.
    fn finish_job(&mut self, slice_started: f64) -> Result<FrameEvent, JsValue> {
        let job = self
            .job
            .take()
            .ok_or_else(|| errors::usage("NO_FRAME", "no frame is being built"))?;
        let scene = self.scene(0.0).map_err(|e| to_js(&e))?;
        let stats = self
            .renderer
            .finish_frame(job, &scene, &mut self.surface)
            .map_err(|e| to_js(&e))?;
        let rendered = now_ms();
        let (w, h) = (self.surface.width(), self.surface.height());
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
        }
        if let Some(presenter) = self.presenter.as_mut() {
            presenter.present(&self.surface)?;
        }
        self.cpu_stale = false;
        self.frames_rendered += 1;
        self.last_frame = Some(stats);
        Ok(FrameEvent {
            frame: self.frames_rendered,
            backend: "canvas2d",
            render_ms: self.job_work_ms + (rendered - slice_started),
            present_ms: now_ms() - rendered,
            latency_ms: now_ms() - self.job_started_ms,
            slices: self.job_slices + 1,
            points: self.points.len(),
            width: w,
            height: h,
            radius_px: stats.radius_px,
            max_density: stats.max_density,
            normalize_max: stats.normalize_max,
        })
    }

    /// Brings the screen up to date now, however long it takes (for `snapshot`).
    fn render_now(&mut self) -> Result<(), JsValue> {
        // A frame being built shows an older state; a change since then needs one more.
        while self.busy() {
            let now = now_ms();
            if self.job.is_none() {
                self.begin_job(now)?;
            }
            self.finish_job(now)?;
        }
        Ok(())
    }

    /// Whether a change is waiting for a frame or a frame showing one is being built (not a
    /// frame drawn only because a layer is animated).
    fn busy(&self) -> bool {
        self.dirty
            || self.job.is_some()
            || (self.gpu_active && self.gpu.is_none() && self.gpu_change_in_flight)
    }

    fn backend_name(&self) -> &'static str {
        if self.gpu_active {
            "webgpu"
        } else {
            "canvas2d"
        }
    }

    /// What a WebGPU frame needs, owned, so that its future holds no borrow of the state.
    fn gpu_frame(&mut self, gpu: WebGpu, started: f64) -> GpuFrame {
        self.gpu_time_s = ((started - self.created_ms) / 1e3) as f32;
        GpuFrame {
            gpu,
            canvas: self.canvas.clone(),
            frame: self.frame_plan(self.gpu_time_s),
            started,
        }
    }

    /// The state as a scene (sharing points and layers) at `geoheat.time` `time_s`.
    fn scene(&self, time_s: f32) -> Result<Scene> {
        let mut scene = Scene::new(Arc::clone(&self.points));
        scene.set_style(self.style.clone())?;
        scene.set_layers(Arc::clone(&self.layers));
        scene.set_time_s(time_s)?;
        Ok(scene)
    }

    /// [`State::scene`] and its plan at the current view.
    fn frame_plan(&mut self, time_s: f32) -> Result<(Scene, FramePlan)> {
        let scene = self.scene(time_s)?;
        let plan = FramePlan::new(&scene, &self.view, &mut self.stable)?;
        Ok((scene, plan))
    }

    /// Non-finite results of WebGPU frames not reported yet: one error per layer shader.
    fn new_faults(&mut self, gpu: &mut WebGpu) -> Vec<Error> {
        let mut new = Vec::new();
        for fault in gpu.take_faults() {
            let Error::LayerNonFinite { layer } = &fault else {
                continue;
            };
            // A layer removed since the frame has nothing left to report.
            let Some(id) = self.layers.get(layer).map(|l| l.shader().id()) else {
                continue;
            };
            if !self.faults_reported.contains(&id) {
                self.faults_reported.push(id);
                new.push(fault);
            }
        }
        new
    }

    /// Brings the CPU renderer's density up to the current state (for `valueAt` on WebGPU).
    fn refresh_cpu_density(&mut self) -> Result<(), JsValue> {
        if !self.cpu_stale {
            return Ok(());
        }
        let (scene, plan) = self.frame_plan(0.0).map_err(|e| to_js(&e))?;
        self.renderer
            .render_density(&scene, &plan)
            .map_err(|e| to_js(&e))?;
        self.cpu_stale = false;
        Ok(())
    }
}

/// One WebGPU frame, owned by its future.
struct GpuFrame {
    gpu: WebGpu,
    canvas: HtmlCanvasElement,
    /// The scene and its plan, or why they could not be made (reported like a frame's error).
    frame: Result<(Scene, FramePlan)>,
    started: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BackendEvent {
    from: &'static str,
    to: &'static str,
    reason: String,
}

/// What one animation frame did.
enum Step {
    Idle,
    Working,
    Presented(FrameEvent),
    Failed(JsValue),
    /// A WebGPU frame to run asynchronously.
    Gpu(Box<GpuFrame>),
}

impl Shared {
    fn mark_dirty(&self) {
        self.state.borrow_mut().dirty = true;
        self.frames.request();
    }

    /// Runs a WebGPU frame: presents it, or on a device loss or GPU error falls back to Canvas 2D
    /// with the same data, view and style (and a `backend` event).
    async fn run_gpu_frame(self: Rc<Self>, frame: Box<GpuFrame>) {
        let GpuFrame {
            mut gpu,
            canvas,
            frame,
            started,
        } = *frame;
        let points = frame.as_ref().map_or(0, |(scene, _)| scene.points().len());
        let result = match &frame {
            Ok((scene, plan)) => gpu.present(&canvas, scene, plan).await,
            Err(error) => Err(error.clone()),
        };
        let presented = now_ms();
        let mut faults = Vec::new();
        let outcome = {
            let mut state = self.state.borrow_mut();
            state.gpu_change_in_flight = false;
            match result {
                Ok(stats) if !gpu.is_lost() => {
                    faults = state.new_faults(&mut gpu);
                    // Not after `destroy` or a fall back during the frame.
                    if state.gpu_active {
                        state.gpu = Some(gpu);
                    }
                    state.frames_rendered += 1;
                    state.last_frame = Some(stats);
                    state.cpu_stale = true;
                    Ok(FrameEvent {
                        frame: state.frames_rendered,
                        backend: "webgpu",
                        render_ms: stats.elapsed.as_secs_f64() * 1e3,
                        present_ms: (presented - started - stats.elapsed.as_secs_f64() * 1e3)
                            .max(0.0),
                        latency_ms: presented - started,
                        slices: 1,
                        points,
                        width: stats.width,
                        height: stats.height,
                        radius_px: stats.radius_px,
                        max_density: stats.max_density,
                        normalize_max: stats.normalize_max,
                    })
                }
                Ok(_) => Err(Some("the WebGPU device was lost".to_string())),
                Err(error @ (Error::Gpu { .. } | Error::GpuLost { .. })) => {
                    Err(Some(error.to_string()))
                }
                Err(error) => {
                    if state.gpu_active {
                        state.gpu = Some(gpu);
                    }
                    state.dirty = false;
                    drop(state);
                    self.listeners.emit("error", &to_js(&error));
                    Err(None)
                }
            }
        };
        for fault in &faults {
            self.listeners.emit("error", &to_js(fault));
        }
        match outcome {
            Ok(event) => {
                if self.listeners.has("frame") {
                    self.listeners.emit("frame", &to_js_value(&event));
                }
            }
            Err(Some(reason)) => self.fall_back(reason),
            Err(None) => {}
        }
        self.frames.request();
    }

    fn on_frame(self: &Rc<Self>) {
        self.frames.frame_started();
        let (step, busy, faults) = {
            let mut state = self.state.borrow_mut();
            // The faults of a presented frame arrive a few frames later: look until they have.
            let mut faults = Vec::new();
            let mut pending = false;
            if let Some(mut gpu) = state.gpu.take() {
                faults = state.new_faults(&mut gpu);
                pending = gpu.faults_pending();
                state.gpu = Some(gpu);
            }
            let step = state.advance();
            (step, state.busy() || pending, faults)
        };
        if busy {
            self.frames.request();
        }
        for fault in &faults {
            self.listeners.emit("error", &to_js(fault));
        }
        match step {
            Step::Idle | Step::Working => {}
            // Building the JS object costs garbage per frame: only when someone listens.
            Step::Presented(frame) if self.listeners.has("frame") => {
                self.listeners.emit("frame", &to_js_value(&frame));
            }
            Step::Presented(_) => {}
            Step::Failed(error) => self.listeners.emit("error", &error),
            Step::Gpu(frame) => {
                wasm_bindgen_futures::spawn_local(Rc::clone(self).run_gpu_frame(frame));
            }
        }
    }

    /// PNG of the frame on screen. On WebGPU the frame is presented first if a change is pending
    /// and then rendered again with readback: the GPU path is deterministic, so the PNG holds the
    /// pixels on screen.
    async fn snapshot_png(self: &Rc<Self>) -> Result<Vec<u8>, JsValue> {
        loop {
            let (gpu, pending) = {
                let mut state = self.state.borrow_mut();
                if !state.gpu_active {
                    state.render_now()?;
                    return state
                        .surface
                        .encode_png(PngCompression::Fast)
                        .map_err(|e| to_js(&e));
                }
                (state.gpu.take(), state.dirty)
            };
            let Some(gpu) = gpu else {
                // A frame is in flight.
                sleep_ms(2).await;
                continue;
            };
            if pending {
                let frame = {
                    let mut state = self.state.borrow_mut();
                    state.dirty = false;
                    state.gpu_change_in_flight = true;
                    Box::new(state.gpu_frame(gpu, now_ms()))
                };
                Rc::clone(self).run_gpu_frame(frame).await;
                continue;
            }
            let (mut gpu, frame, mut surface) = {
                let mut state = self.state.borrow_mut();
                let surface = std::mem::replace(
                    &mut state.surface,
                    Surface::new(1, 1).map_err(|e| to_js(&e))?,
                );
                let time_s = state.gpu_time_s;
                (gpu, state.frame_plan(time_s), surface)
            };
            let result = match &frame {
                Ok((scene, plan)) => gpu.read_back(scene, plan, &mut surface).await,
                Err(error) => Err(error.clone()),
            };
            let png = surface.encode_png(PngCompression::Fast);
            {
                let mut state = self.state.borrow_mut();
                state.surface = surface;
                if state.gpu_active {
                    state.gpu = Some(gpu);
                }
            }
            match result {
                Ok(_) => return png.map_err(|e| to_js(&e)),
                Err(error @ (Error::Gpu { .. } | Error::GpuLost { .. })) => {
                    self.fall_back(error.to_string());
                }
                Err(error) => return Err(to_js(&error)),
            }
        }
    }

    /// Replaces the view if it is valid; returns whether it changed.
    fn set_view(&self, view: View) -> Result<bool> {
        view.validate()?;
        let changed = {
            let mut state = self.state.borrow_mut();
            state.view_explicit = true;
            let changed = state.view != view;
            state.view = view;
            changed
        };
        if changed {
            self.mark_dirty();
            if self.listeners.has("view") {
                self.listeners.emit("view", &view_to_js(&view));
            }
        }
        Ok(changed)
    }

    fn current_view(&self) -> View {
        self.state.borrow().view
    }

    fn pan(&self, dx: f64, dy: f64) -> bool {
        let view = self.current_view().panned_by(dx, dy);
        self.set_view(view).unwrap_or(false)
    }

    fn zoom_by(&self, delta: f64, anchor: Option<[f64; 2]>) -> bool {
        let view = self.current_view();
        let anchor = anchor.unwrap_or([f64::from(view.width) / 2.0, f64::from(view.height) / 2.0]);
        self.set_view(view.zoomed_around(view.zoom + delta, anchor))
            .unwrap_or(false)
    }

    /// One pointer moved: drag. Two: pinch-zoom around their midpoint, and drag by its motion.
    fn gesture(&self, old: &[(i32, [f64; 2])], new: &[(i32, [f64; 2])]) {
        match (old, new) {
            ([(_, a)], [(_, b)]) => {
                self.pan(b[0] - a[0], b[1] - a[1]);
            }
            ([(_, a0), (_, a1)], [(_, b0), (_, b1)]) => {
                let (old_d, new_d) = (distance(*a0, *a1), distance(*b0, *b1));
                let (old_mid, new_mid) = (midpoint(*a0, *a1), midpoint(*b0, *b1));
                let view = self
                    .current_view()
                    .panned_by(new_mid[0] - old_mid[0], new_mid[1] - old_mid[1]);
                let zoomed = if old_d > 0.0 && new_d > 0.0 {
                    view.zoomed_around(view.zoom + libm::log2(new_d / old_d), new_mid)
                } else {
                    view
                };
                let _ = self.set_view(zoomed);
            }
            _ => {}
        }
    }

    /// Follows the canvas's CSS size and the device pixel ratio.
    fn resize_to_canvas(&self) {
        let changed = {
            let mut state = self.state.borrow_mut();
            let (w, h) = css_size(&state.canvas);
            let dpr = state.device_pixel_ratio();
            let view = View {
                width: w,
                height: h,
                device_pixel_ratio: dpr,
                ..state.view
            };
            let changed = view != state.view && view.validate().is_ok();
            if changed {
                state.view = view;
            }
            changed
        };
        if changed {
            self.mark_dirty();
        }
    }

    /// Swaps in freshly loaded points (the old ones stay until this moment), fits the view when
    /// asked or when the page never chose one, and schedules a frame.
    fn commit_points(
        &self,
        points: PointBuffer,
        fit_bounds: Option<bool>,
        padding: f64,
    ) -> Result<()> {
        {
            let mut state = self.state.borrow_mut();
            let fit = fit_bounds.unwrap_or(!state.view_explicit);
            if fit && let Some(bounds) = points.bounds() {
                let v = state.view;
                state.view = View::fit(&bounds, v.width, v.height, v.device_pixel_ratio, padding)?;
            }
            state.points = Arc::new(points);
        }
        self.mark_dirty();
        Ok(())
    }

    fn emit_progress(&self, phase: &'static str, progress: IngestProgress, total: Option<usize>) {
        let event = ProgressEvent {
            phase,
            bytes: progress.bytes_read,
            total_bytes: total,
            features: progress.features,
        };
        self.listeners.emit("progress", &to_js_value(&event));
    }

    /// Parses GeoJSON and commits it; on error nothing changes and the error is returned.
    fn load_bytes(&self, bytes: &[u8], load: options::LoadOptions) -> Result<JsValue, JsValue> {
        let started = now_ms();
        let report_progress = self.listeners.has("progress");
        let total = Some(bytes.len());
        let (points, report) = ingest_geojson_with_progress(bytes, &load.ingest, &mut |p| {
            if report_progress {
                self.emit_progress("parse", p, total);
            }
        })
        .map_err(|e| to_js(&e))?;
        self.commit_load(points, &report, &load, started)
    }

    /// Swaps in the points of a successful load and reports it (returned and as a `load` event).
    fn commit_load(
        &self,
        points: PointBuffer,
        report: &IngestReport,
        load: &options::LoadOptions,
        started_ms: f64,
    ) -> Result<JsValue, JsValue> {
        self.commit_points(points, load.fit_bounds, load.padding)
            .map_err(|e| to_js(&e))?;
        let report = to_js_value(&LoadReportJs::new(report, now_ms() - started_ms));
        self.listeners.emit("load", &report);
        Ok(report)
    }
}

/// Resolves after `ms` milliseconds (a timer, so other tasks such as GPU callbacks run).
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn midpoint(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

/// The canvas's layout size in CSS pixels; its attribute size when it is not laid out (yet).
fn css_size(canvas: &HtmlCanvasElement) -> (u32, u32) {
    let (w, h) = (canvas.client_width(), canvas.client_height());
    if w > 0 && h > 0 {
        (w as u32, h as u32)
    } else {
        (canvas.width().max(1), canvas.height().max(1))
    }
}

fn view_to_js(view: &View) -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ViewJs {
        center: [f64; 2],
        zoom: f64,
        width: u32,
        height: u32,
        device_pixel_ratio: f64,
    }
    to_js_value(&ViewJs {
        center: view.center,
        zoom: view.zoom,
        width: view.width,
        height: view.height,
        device_pixel_ratio: view.device_pixel_ratio,
    })
}

/// Bytes of a `Uint8Array`, `ArrayBuffer` or string, copied into wasm memory.
fn bytes_of(data: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = data.as_string() {
        return Ok(text.into_bytes());
    }
    if data.is_instance_of::<Uint8Array>() || data.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(data).to_vec());
    }
    Err(errors::usage(
        "INVALID_ARGUMENT",
        "GeoJSON must be given as a string, Uint8Array or ArrayBuffer",
    ))
}

/// A density heatmap drawn on a canvas.
#[wasm_bindgen]
pub struct Heatmap {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Heatmap {
    /// Creates a heatmap on `canvas`. Options are checked: an unknown or invalid option rejects
    /// with an error naming it.
    pub async fn create(
        canvas: HtmlCanvasElement,
        options: Option<types::HeatmapOptions>,
    ) -> Result<Heatmap, JsValue> {
        let options = options::parse_create(&options.map_or(JsValue::UNDEFINED, Into::into))
            .map_err(|e| to_js(&e))?;
        let gpu = match options.backend {
            options::BackendChoice::Canvas2d => None,
            options::BackendChoice::Auto => WebGpu::new(&canvas).await.ok(),
            options::BackendChoice::WebGpu => {
                Some(WebGpu::new(&canvas).await.map_err(|e| to_js(&e))?)
            }
        };
        let presenter = match gpu {
            Some(_) => None,
            None => Some(Canvas2d::new(&canvas)?),
        };
        let adapter = gpu.as_ref().map(WebGpu::adapter);
        let (width, height) = css_size(&canvas);
        let explicit = options.center.is_some() || options.zoom.is_some();
        let mut state = State {
            canvas: canvas.clone(),
            presenter,
            gpu_active: gpu.is_some(),
            gpu,
            adapter,
            cpu_stale: false,
            points: Arc::new(PointBuffer::new()),
            style: options.style,
            layers: Arc::new(LayerStack::default()),
            stable: StableMax::new(),
            created_ms: now_ms(),
            gpu_time_s: 0.0,
            gpu_change_in_flight: false,
            faults_reported: Vec::new(),
            view: View {
                center: WORLD_VIEW.0,
                zoom: WORLD_VIEW.1,
                width,
                height,
                device_pixel_ratio: 1.0,
            },
            view_explicit: explicit,
            device_pixel_ratio_override: options.device_pixel_ratio,
            renderer: CpuRenderer::new(),
            surface: Surface::new(1, 1).map_err(|e| to_js(&e))?,
            dirty: true,
            job: None,
            job_started_ms: 0.0,
            job_work_ms: 0.0,
            job_slices: 0,
            frames_rendered: 0,
            last_frame: None,
        };
        state.view.device_pixel_ratio = state.device_pixel_ratio();
        state.view.center = options.center.unwrap_or(state.view.center);
        state.view.zoom = options.zoom.unwrap_or(state.view.zoom);
        state.view.validate().map_err(|e| to_js(&e))?;

        let shared = Rc::new(Shared {
            state: RefCell::new(state),
            listeners: Listeners::default(),
            frames: FrameLoop::default(),
            input: RefCell::new(None),
            interactive: options.interactive,
        });
        let weak = Rc::downgrade(&shared);
        shared.frames.install(move |_time| {
            if let Some(shared) = weak.upgrade() {
                shared.on_frame();
            }
        });
        let input = input::Input::attach(&canvas, &shared, options.interactive);
        *shared.input.borrow_mut() = Some(input);
        shared.mark_dirty();
        Ok(Heatmap { shared })
    }

    /// Loads GeoJSON (string, `Uint8Array` or `ArrayBuffer`), replacing the current points.
    /// Throws a `GeoheatError` (with `code`, `line`, `column`, `byteOffset`, `featureIndex`) on bad
    /// input, and then the current heatmap stays as it was.
    #[wasm_bindgen(js_name = loadGeoJSON)]
    pub fn load_geojson(
        &self,
        data: JsValue,
        options: Option<types::LoadOptions>,
    ) -> Result<types::LoadReport, JsValue> {
        let load = options::parse_load(&options.map_or(JsValue::UNDEFINED, Into::into))
            .map_err(|e| to_js(&e))?;
        let bytes = bytes_of(&data)?;
        Ok(self.shared.load_bytes(&bytes, load)?.unchecked_into())
    }

    /// A loader that takes GeoJSON in chunks (for example from `response.body`), reports
    /// `progress` events, and replaces the points when `finish()` succeeds.
    #[wasm_bindgen(js_name = geoJSONLoader)]
    pub fn geojson_loader(
        &self,
        options: Option<types::LoadOptions>,
    ) -> Result<GeoJsonLoader, JsValue> {
        let load = options::parse_load(&options.map_or(JsValue::UNDEFINED, Into::into))
            .map_err(|e| to_js(&e))?;
        let ingest = ChunkedIngest::new(&load.ingest).map_err(|e| to_js(&e))?;
        Ok(GeoJsonLoader {
            shared: self.shared.clone(),
            pending: Some((load, ingest)),
            chunk: Vec::new(),
            total_bytes: None,
            started_ms: now_ms(),
        })
    }

    /// Replaces the points with `[lon, lat, weight]` triples from a `Float64Array`,
    /// `Float32Array` or array of numbers.
    #[wasm_bindgen(js_name = setPoints)]
    pub fn set_points(
        &self,
        triples: JsValue,
        options: Option<types::LoadOptions>,
    ) -> Result<types::LoadReport, JsValue> {
        let load = options::parse_load(&options.map_or(JsValue::UNDEFINED, Into::into))
            .map_err(|e| to_js(&e))?;
        let started = now_ms();
        if !(triples.is_instance_of::<js_sys::Float64Array>()
            || triples.is_instance_of::<Float32Array>()
            || js_sys::Array::is_array(&triples))
        {
            return Err(errors::usage(
                "INVALID_ARGUMENT",
                "setPoints takes a Float64Array, Float32Array or number[] of [lon, lat, weight] triples",
            ));
        }
        let values = js_sys::Float64Array::new(&triples).to_vec();
        let points = points_from_triples(&values).map_err(|e| to_js(&e))?;
        let report = IngestReport {
            points: points.len(),
            features: points.len(),
            point_features: points.len(),
            bounds: points.bounds(),
            ..IngestReport::default()
        };
        self.shared
            .commit_points(points, load.fit_bounds, load.padding)
            .map_err(|e| to_js(&e))?;
        Ok(to_js_value(&LoadReportJs::new(&report, now_ms() - started)).unchecked_into())
    }

    /// The points as a `Float32Array` of `[x, y, weight]` that views wasm memory (no copy). `x`
    /// and `y` are Web Mercator world units (the world is 1×1) relative to `pointsOrigin()`.
    /// The view goes stale when points are replaced or wasm memory grows; check with
    /// `isPointsViewCurrent(view)` before reading a view kept across calls.
    pub fn points(&self) -> Float32Array {
        let state = self.shared.state.borrow();
        let xyw = state.points.as_slice();
        let memory = wasm_bindgen::memory().unchecked_into::<WebAssembly::Memory>();
        // wasm32 addresses and lengths fit u32.
        Float32Array::new_with_byte_offset_and_length(
            &memory.buffer(),
            xyw.as_ptr() as u32,
            xyw.len() as u32,
        )
    }

    /// Whether a view from `points()` still shows the current points.
    #[wasm_bindgen(js_name = isPointsViewCurrent)]
    pub fn is_points_view_current(&self, view: &Float32Array) -> bool {
        let state = self.shared.state.borrow();
        let xyw = state.points.as_slice();
        let memory = wasm_bindgen::memory().unchecked_into::<WebAssembly::Memory>();
        js_sys::Object::is(&view.buffer(), &memory.buffer())
            && view.byte_offset() == xyw.as_ptr() as u32
            && view.length() == xyw.len() as u32
    }

    /// World coordinates `[x, y]` that the `points()` offsets are relative to.
    #[wasm_bindgen(js_name = pointsOrigin)]
    pub fn points_origin(&self) -> Vec<f64> {
        self.shared.state.borrow().points.origin().to_vec()
    }

    /// Number of points loaded.
    #[wasm_bindgen(getter, js_name = pointCount)]
    pub fn point_count(&self) -> usize {
        self.shared.state.borrow().points.len()
    }

    /// Moves the view (`{center?: [lon, lat], zoom?}`).
    #[wasm_bindgen(js_name = setView)]
    pub fn set_view(&self, options: types::ViewOptions) -> Result<(), JsValue> {
        let (center, zoom) = options::parse_view(&options.into()).map_err(|e| to_js(&e))?;
        let current = self.shared.current_view();
        let view = View {
            center: center.unwrap_or(current.center),
            zoom: zoom.unwrap_or(current.zoom),
            ..current
        };
        self.shared.set_view(view).map_err(|e| to_js(&e))?;
        Ok(())
    }

    /// The current view: `{center, zoom, width, height, devicePixelRatio}`.
    pub fn view(&self) -> types::ViewState {
        view_to_js(&self.shared.current_view()).unchecked_into()
    }

    /// Shows `[west, south, east, north]` (west > east across the antimeridian) with `padding`
    /// CSS pixels around it.
    #[wasm_bindgen(js_name = fitBounds)]
    pub fn fit_bounds(&self, bbox: Vec<f64>, padding: Option<f64>) -> Result<(), JsValue> {
        let [west, south, east, north] = bbox[..] else {
            return Err(to_js(&Error::option(
                "bbox",
                "expected [west, south, east, north]",
            )));
        };
        let bounds = LonLatBounds {
            west,
            south,
            east,
            north,
        };
        let v = self.shared.current_view();
        let view = View::fit(
            &bounds,
            v.width,
            v.height,
            v.device_pixel_ratio,
            padding.unwrap_or(20.0),
        )
        .map_err(|e| to_js(&e))?;
        self.shared.set_view(view).map_err(|e| to_js(&e))?;
        Ok(())
    }

    /// Changes some style options; the others keep their values. Invalid options change nothing.
    #[wasm_bindgen(js_name = setStyle)]
    pub fn set_style(&self, options: types::StyleOptions) -> Result<(), JsValue> {
        let style = {
            let state = self.shared.state.borrow();
            options::apply_style(&state.style, &options.into()).map_err(|e| to_js(&e))?
        };
        self.shared.state.borrow_mut().style = style;
        self.shared.mark_dirty();
        Ok(())
    }

    /// Re-reads the canvas's size and the device pixel ratio (a ResizeObserver does this already).
    pub fn resize(&self) {
        self.shared.resize_to_canvas();
    }

    /// Density under the CSS pixel (x, y) of the canvas in the frame on screen, or `undefined`
    /// outside it or before the first frame.
    #[wasm_bindgen(js_name = valueAt)]
    ///
    /// On WebGPU the density stays on the GPU: the first `valueAt` after a frame renders the same
    /// scene on the CPU (the fast path, within 2% of the exact density) and later ones reuse it.
    pub fn value_at(&self, x: f64, y: f64) -> Option<f64> {
        let mut state = self.shared.state.borrow_mut();
        state.last_frame?;
        state.refresh_cpu_density().ok()?;
        let dpr = state.view.device_pixel_ratio;
        state.renderer.value_at(x * dpr, y * dpr).map(f64::from)
    }

    /// The colour ramp and the density it spans, for drawing a legend:
    /// `{stops: [{offset, color}], min: 0, max, normalize}`.
    pub fn legend(&self) -> types::Legend {
        #[derive(Serialize)]
        struct Stop {
            offset: f32,
            color: String,
        }
        #[derive(Serialize)]
        struct Legend {
            stops: Vec<Stop>,
            min: f32,
            max: Option<f32>,
            normalize: &'static str,
        }
        let state = self.shared.state.borrow();
        let stops = state
            .style
            .ramp
            .stops()
            .iter()
            .map(|s| {
                let [r, g, b, a] = s.color;
                Stop {
                    offset: s.offset,
                    color: format!("rgba({r}, {g}, {b}, {:.3})", f32::from(a) / 255.0),
                }
            })
            .collect();
        let (normalize, max) = match state.style.normalize {
            Normalize::Fixed(max) => ("fixed", Some(max)),
            Normalize::Viewport => ("viewport", state.last_frame.map(|f| f.normalize_max)),
            Normalize::Stable => ("stable", state.last_frame.map(|f| f.normalize_max)),
        };
        to_js_value(&Legend {
            stops,
            min: 0.0,
            max,
            normalize,
        })
        .unchecked_into()
    }

    /// PNG bytes of the frame on screen (rendering first if a change is pending).
    pub fn snapshot(&self) -> js_sys::Promise {
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let png = shared.snapshot_png().await?;
            Ok(Uint8Array::from(png.as_slice()).into())
        })
    }

    /// Listens to `"frame"` (timings), `"progress"` (loads), `"load"`, `"view"`, `"error"`,
    /// `"layer"` (a layer the backend cannot draw, or can again: a `LayerInfo`) or
    /// `"backend"` (`{from, to, reason}`: WebGPU was left for Canvas 2D).
    pub fn on(&self, event: String, callback: js_sys::Function) -> Result<(), JsValue> {
        if !events::EVENT_NAMES.contains(&event.as_str()) {
            let names = events::EVENT_NAMES.join(", ");
            return Err(errors::usage(
                "UNKNOWN_EVENT",
                &format!("unknown event {event:?}; events are: {names}"),
            ));
        }
        self.shared.listeners.add(event, callback);
        Ok(())
    }

    /// Removes a listener added with `on`.
    pub fn off(&self, event: &str, callback: &js_sys::Function) {
        self.shared.listeners.remove(event, callback);
    }

    /// The backend drawing the frames: `"webgpu"` or `"canvas2d"`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.shared.state.borrow().backend_name().into()
    }

    /// The WebGPU adapter (`"NAME via BrowserWebGpu"`, with `" (software)"` for a fallback adapter
    /// such as SwiftShader), or `undefined` on Canvas 2D.
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> Option<String> {
        self.shared.state.borrow().adapter.clone()
    }

    /// The canvas the heatmap draws on: the one given to `create`, or the sibling canvas that
    /// replaced it in the DOM after a fall back from WebGPU to Canvas 2D.
    #[wasm_bindgen(getter)]
    pub fn canvas(&self) -> HtmlCanvasElement {
        self.shared.state.borrow().canvas.clone()
    }

    /// For testing the fall back: destroys the WebGPU device, as a lost device would. The next
    /// frame switches to Canvas 2D. Returns whether there was a device to destroy.
    #[wasm_bindgen(js_name = loseDevice)]
    pub fn lose_device(&self) -> bool {
        let state = self.shared.state.borrow();
        match state.gpu.as_ref() {
            Some(gpu) => {
                gpu.destroy_device();
                drop(state);
                self.shared.mark_dirty();
                true
            }
            None => false,
        }
    }

    /// Counters for tests and tools: `{framesRendered, dirty, backend, adapter}`.
    pub fn stats(&self) -> types::HeatmapStats {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Stats {
            frames_rendered: u64,
            dirty: bool,
            backend: &'static str,
            adapter: Option<String>,
        }
        let state = self.shared.state.borrow();
        to_js_value(&Stats {
            frames_rendered: state.frames_rendered,
            dirty: state.busy(),
            backend: state.backend_name(),
            adapter: state.adapter.clone(),
        })
        .unchecked_into()
    }

    /// Stops the frame loop, removes listeners and frees the points and pixels. The heatmap can
    /// not be used afterwards (call `free()` to release the object itself).
    pub fn destroy(&mut self) {
        self.shared.frames.stop();
        let input = self.shared.input.borrow_mut().take();
        if let Some(mut input) = input {
            input.detach();
        }
        self.shared.listeners.clear();
        let mut state = self.shared.state.borrow_mut();
        state.points = Arc::new(PointBuffer::new());
        state.gpu = None;
        state.gpu_active = false;
        state.renderer = CpuRenderer::new();
        if let Ok(empty) = Surface::new(1, 1) {
            state.surface = empty;
        }
    }
}

impl std::fmt::Debug for Heatmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.shared.state.borrow();
        f.debug_struct("Heatmap")
            .field("points", &state.points.len())
            .field("view", &state.view)
            .finish_non_exhaustive()
    }
}

/// Takes GeoJSON in chunks; see `Heatmap.geoJSONLoader`. Each chunk is parsed as it arrives (a
/// FeatureCollection's features as soon as they are complete), so wasm memory holds the points and
/// one chunk, never the whole file, and the parse is spread over the download.
#[wasm_bindgen]
pub struct GeoJsonLoader {
    shared: Rc<Shared>,
    /// Gone once the loader finished (or failed in `finish`).
    pending: Option<(options::LoadOptions, ChunkedIngest)>,
    /// The chunk copied out of JS memory; reused, so a load allocates it once.
    chunk: Vec<u8>,
    total_bytes: Option<usize>,
    started_ms: f64,
}

impl std::fmt::Debug for GeoJsonLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pushed = self
            .pending
            .as_ref()
            .map(|(_, ingest)| ingest.bytes_pushed());
        f.debug_struct("GeoJsonLoader")
            .field("bytes_pushed", &pushed)
            .finish_non_exhaustive()
    }
}

#[wasm_bindgen]
impl GeoJsonLoader {
    /// The expected size (for example `Content-Length`), so progress can give a fraction.
    #[wasm_bindgen(setter, js_name = totalBytes)]
    pub fn set_total_bytes(&mut self, total: usize) {
        self.total_bytes = Some(total);
    }

    /// Parses a chunk and emits a `"progress"` event (phase `"stream"`). Throws on bad input
    /// (with the same `code`, `line`, `column`, `byteOffset` and `featureIndex` as
    /// `loadGeoJSON`); the heatmap keeps its points, and so does every later call.
    pub fn push(&mut self, chunk: &Uint8Array) -> Result<(), JsValue> {
        let Some((_, ingest)) = self.pending.as_mut() else {
            return Err(errors::usage(
                "LOADER_FINISHED",
                "this loader has already finished",
            ));
        };
        self.chunk.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut self.chunk);
        ingest.push(&self.chunk).map_err(|e| to_js(&e))?;
        if self.shared.listeners.has("progress") {
            let progress = IngestProgress {
                bytes_read: ingest.bytes_pushed(),
                total_bytes: self.total_bytes.unwrap_or(0),
                features: ingest.features_read(),
            };
            self.shared
                .emit_progress("stream", progress, self.total_bytes);
        }
        Ok(())
    }

    /// Ends the input and replaces the heatmap's points; throws on bad or incomplete input, and
    /// then the heatmap keeps its current points.
    pub fn finish(&mut self) -> Result<types::LoadReport, JsValue> {
        let (load, ingest) = self
            .pending
            .take()
            .ok_or_else(|| errors::usage("LOADER_FINISHED", "this loader has already finished"))?;
        self.chunk = Vec::new();
        let (points, report) = ingest.finish().map_err(|e| to_js(&e))?;
        Ok(self
            .shared
            .commit_load(points, &report, &load, self.started_ms)?
            .unchecked_into())
    }
}
