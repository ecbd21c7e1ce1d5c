//! Frames: the Canvas 2D path built in slices over animation frames ([`State::advance`]), the
//! WebGPU path run as a future ([`Shared::run_gpu_frame`]), the loop that drives both
//! ([`Shared::on_frame`]) and `snapshot`'s PNG of the frame on screen.

use super::errors::{self, to_js};
use super::global::{now_ms, sleep_ms};
use super::webgpu::WebGpu;
use super::{FrameEvent, Shared, State, to_js_value};
use crate::error::{Error, Result};
use crate::frame::FramePlan;
use crate::scene::Scene;
use crate::surface::{PngCompression, Surface};
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsValue;

/// Work per animation frame before the rest of a render waits for the next one: most of a 60 Hz
/// frame, leaving a few milliseconds to the page. (8 ms would split a 1M-point frame in three.)
const FRAME_BUDGET_MS: f64 = 12.0;
/// Points splatted between two looks at the clock (~2-4 ms of work in wasm).
const SLICE_POINTS: usize = 1 << 17;

impl State {
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
        if self.awaiting_canvas() {
            // A worker's heatmap left WebGPU and waits for the page's new canvas.
            return Step::Idle;
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
        self.canvas.set_size((w, h));
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
    pub(super) fn busy(&self) -> bool {
        self.dirty
            || self.job.is_some()
            || (self.gpu_active && self.gpu.is_none() && self.gpu_change_in_flight)
    }

    /// On Canvas 2D without a presenter: a new canvas is on its way from the page.
    pub(super) fn awaiting_canvas(&self) -> bool {
        !self.gpu_active && self.presenter.is_none()
    }

    pub(super) fn backend_name(&self) -> &'static str {
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
    pub(super) fn refresh_cpu_density(&mut self) -> Result<(), JsValue> {
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
    canvas: super::Canvas,
    /// The scene and its plan, or why they could not be made (reported like a frame's error).
    frame: Result<(Scene, FramePlan)>,
    started: f64,
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

    pub(super) fn on_frame(self: &Rc<Self>) {
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
            // While a worker waits for its new canvas, the canvas's arrival asks for the frame.
            let busy = (state.busy() && !state.awaiting_canvas()) || pending;
            (step, busy, faults)
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
    pub(super) async fn snapshot_png(self: &Rc<Self>) -> Result<Vec<u8>, JsValue> {
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
}
