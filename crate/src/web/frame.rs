//! Carrying out the engine's steps: each animation frame ([`Shared::on_frame`]) asks the
//! [`Engine`](crate::Engine) for one [`Step`] and presents a CPU frame with Canvas 2D or runs a
//! GPU frame with WebGPU as a future ([`Shared::run_gpu_frame`]), reporting its result back; and
//! `snapshot`'s PNG of the frame on screen.

use super::events::Listeners;
use super::global::{now_ms, sleep_ms};
use super::webgpu::WebGpu;
use super::{Shared, backend_name, to_js_value};
use crate::engine::{Backend, FrameReport, GpuFrame, GpuOutcome, Step};
use crate::error::{Error, Result};
use crate::frame::FrameStats;
use crate::surface::{PngCompression, Surface};
use serde::Serialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::JsValue;

/// A presented frame and its timings (the `frame` event).
#[derive(Debug, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FrameEvent {
    frame: u64,
    #[tsify(type = "\"webgpu\" | \"canvas2d\"")]
    backend: &'static str,
    /// Time spent rendering, summed over slices.
    render_ms: f64,
    present_ms: f64,
    /// From the start of the frame to its presentation; a large render is spread over animation
    /// frames.
    latency_ms: f64,
    /// Animation frames the render was spread over (1 when it fit one).
    slices: u32,
    points: usize,
    width: u32,
    height: u32,
    radius_px: f64,
    max_density: f32,
    normalize_max: f32,
}

impl FrameEvent {
    /// `report`, presented in `present_ms` after the engine's latency (CPU) or within it (GPU,
    /// whose latency ends when the canvas texture was handed over).
    fn new(report: &FrameReport, present_ms: f64, latency_ms: f64) -> Self {
        let stats = &report.stats;
        Self {
            frame: report.frame,
            backend: backend_name(report.backend),
            render_ms: report.render_ms,
            present_ms,
            latency_ms,
            slices: report.slices,
            points: report.points,
            width: stats.width,
            height: stats.height,
            radius_px: stats.radius_px,
            max_density: stats.max_density,
            normalize_max: stats.normalize_max,
        }
    }
}

/// What an animation frame leaves to do once the state is no longer borrowed.
enum Todo {
    Nothing,
    Emit(&'static str, JsValue),
    Gpu(Box<WebGpu>, Box<GpuFrame>),
}

impl Shared {
    pub(super) fn on_frame(self: &Rc<Self>) {
        self.frames.frame_started();
        let moved = self.advance_playback();
        let (todo, faults, again) = {
            let mut state = self.state.borrow_mut();
            // The faults of a presented frame arrive a few frames later: look until they have.
            let mut faults = Vec::new();
            let mut pending = false;
            if let Some(gpu) = state.gpu.as_mut() {
                let taken = gpu.take_faults();
                pending = gpu.faults_pending();
                faults = state.engine.new_faults(taken);
            }
            // No step while a worker waits for its new canvas (its arrival asks for a frame) or
            // while the WebGPU presenter is out (a frame or a snapshot's readback has it).
            let presenter_ready = match state.engine.backend() {
                Backend::Gpu => state.gpu.is_some(),
                Backend::Cpu => !state.awaiting_canvas(),
                Backend::Starting => false,
            };
            let todo = if presenter_ready {
                let step = state.engine.step();
                self.carry_out(&mut state, step)
            } else {
                Todo::Nothing
            };
            let playing = self.playback.borrow().is_some();
            let again =
                ((state.engine.wants_frame() || playing) && !state.awaiting_canvas()) || pending;
            (todo, faults, again)
        };
        if let Some(window) = moved {
            self.emit_time(window);
        }
        if again {
            self.frames.request();
        }
        for fault in faults {
            self.listeners.emit("error", &fault.into());
        }
        self.finish(todo);
    }

    /// Brings the canvas up to date now (`renderNow`), for hosts that draw in a frame of their
    /// own (a map's render callback): on Canvas 2D a pending change is rendered and presented
    /// before this returns; on WebGPU its frame is started. True when the canvas shows the
    /// current scene and view.
    pub(super) fn render_now(self: &Rc<Self>) -> Result<bool, JsValue> {
        let (todo, current) = {
            let mut state = self.state.borrow_mut();
            let todo = match state.engine.backend() {
                Backend::Cpu if !state.awaiting_canvas() => match state.engine.render_now()? {
                    Some(report) => Self::present(&self.listeners, &mut state, &report),
                    None => Todo::Nothing,
                },
                Backend::Gpu if state.gpu.is_some() && state.engine.busy() => {
                    let step = state.engine.step();
                    self.carry_out(&mut state, step)
                }
                _ => Todo::Nothing,
            };
            (todo, !state.engine.busy())
        };
        self.finish(todo);
        Ok(current)
    }

    /// Does what a step left to do once the state is no longer borrowed.
    fn finish(self: &Rc<Self>, todo: Todo) {
        match todo {
            Todo::Nothing => {}
            Todo::Emit(event, payload) => self.listeners.emit(event, &payload),
            Todo::Gpu(gpu, frame) => {
                wasm_bindgen_futures::spawn_local(Rc::clone(self).run_gpu_frame(*gpu, frame));
            }
        }
    }

    /// Puts a CPU frame on the canvas with Canvas 2D.
    fn present(listeners: &Listeners, state: &mut super::State, report: &FrameReport) -> Todo {
        let presenting = now_ms();
        let surface = state.engine.surface();
        state.canvas.set_size((surface.width(), surface.height()));
        if let Some(presenter) = state.presenter.as_mut()
            && let Err(error) = presenter.present(surface)
        {
            return Todo::Emit("error", error);
        }
        // Building the JS object costs garbage per frame: only when someone listens.
        if !listeners.has("frame") {
            return Todo::Nothing;
        }
        let present_ms = now_ms() - presenting;
        let event = FrameEvent::new(report, present_ms, report.latency_ms + present_ms);
        Todo::Emit("frame", to_js_value(&event))
    }

    /// Does what a step asks: presents a CPU frame, or takes the WebGPU presenter out for a GPU
    /// frame.
    fn carry_out(&self, state: &mut super::State, step: Step) -> Todo {
        match step {
            Step::Idle | Step::Working => Todo::Nothing,
            Step::Presented(report) => Self::present(&self.listeners, state, &report),
            Step::Failed(error) => Todo::Emit("error", error.into()),
            Step::DrawGpu(frame) => match state.gpu.take() {
                Some(gpu) => Todo::Gpu(Box::new(gpu), frame),
                // Not reached: a GPU step is asked for only while the presenter is in.
                None => Todo::Nothing,
            },
        }
    }

    /// Runs a GPU frame on the canvas and reports it to the engine, which decides: presented (a
    /// `frame` event), fall back to Canvas 2D (a new canvas and a `backend` event) or an error.
    async fn run_gpu_frame(self: Rc<Self>, mut gpu: WebGpu, frame: Box<GpuFrame>) {
        let canvas = self.state.borrow().canvas.clone();
        let result = gpu.present(&canvas, &frame.scene, &frame.plan).await;
        if result.is_ok() {
            self.watch_gpu_work(gpu.device(), gpu.queue());
        }
        let result = lost_unless_drawing(&gpu, result);
        let outcome = self.state.borrow_mut().engine.gpu_frame_done(result);
        self.act_on(outcome, Some(gpu));
    }

    /// Carries out what the engine made of a GPU frame or GPU error; `gpu` is the presenter the
    /// frame had, if any.
    pub(super) fn act_on(self: &Rc<Self>, outcome: GpuOutcome, gpu: Option<WebGpu>) {
        match outcome {
            GpuOutcome::Presented(report) => {
                let mut faults = Vec::new();
                if let Some(mut gpu) = gpu {
                    let mut state = self.state.borrow_mut();
                    faults = state.engine.new_faults(gpu.take_faults());
                    state.gpu = Some(gpu);
                }
                for fault in faults {
                    self.listeners.emit("error", &fault.into());
                }
                if self.listeners.has("frame") {
                    let present_ms = (report.latency_ms - report.render_ms).max(0.0);
                    let event = FrameEvent::new(&report, present_ms, report.latency_ms);
                    self.listeners.emit("frame", &to_js_value(&event));
                }
            }
            GpuOutcome::FellBack { reason } => self.swap_to_canvas_2d(reason),
            GpuOutcome::Failed { error, .. } => {
                if let Some(gpu) = gpu {
                    self.state.borrow_mut().gpu = Some(gpu);
                }
                self.listeners.emit("error", &error.into());
            }
            // The engine left the GPU while the frame was drawn (a switch of backend, `destroy`):
            // its presenter goes, and the device's memory with it.
            GpuOutcome::Stale => {
                if let Some(gpu) = gpu {
                    gpu.destroy_device();
                }
            }
        }
        self.request_frame();
    }

    /// PNG of the frame on screen. On WebGPU the frame is presented first if a change is pending
    /// and then rendered again with readback: the GPU path is deterministic, so the PNG holds the
    /// pixels on screen.
    pub(super) async fn snapshot_png(self: &Rc<Self>) -> Result<Vec<u8>, JsValue> {
        loop {
            let taken = {
                let mut state = self.state.borrow_mut();
                if state.engine.backend() != Backend::Gpu {
                    state.engine.render_now()?;
                    return Ok(state.engine.surface().encode_png(PngCompression::Fast)?);
                }
                let gpu = state.gpu.take();
                // A pending change is drawn first, so that the snapshot shows it.
                gpu.map(|gpu| (gpu, state.engine.busy().then(|| state.engine.step())))
            };
            let Some((gpu, step)) = taken else {
                // A frame is in flight.
                sleep_ms(2).await;
                continue;
            };
            match step {
                Some(Step::DrawGpu(frame)) => {
                    Rc::clone(self).run_gpu_frame(gpu, frame).await;
                    continue;
                }
                Some(Step::Failed(error)) => {
                    self.state.borrow_mut().gpu = Some(gpu);
                    return Err(error.into());
                }
                _ => {}
            }
            let (gpu, result) = self.read_back(gpu).await;
            let mut state = self.state.borrow_mut();
            let error = match result {
                Ok(png) => {
                    state.gpu = Some(gpu);
                    return Ok(png);
                }
                Err(error) => error,
            };
            match state.engine.gpu_failed(error) {
                GpuOutcome::Failed { error, .. } => {
                    state.gpu = Some(gpu);
                    return Err(error.into());
                }
                // The engine fell back: the next round takes the snapshot on the CPU.
                outcome => {
                    drop(state);
                    self.act_on(outcome, None);
                }
            }
        }
    }

    /// Draws the GPU frame on screen again into a surface and encodes it.
    async fn read_back(&self, mut gpu: WebGpu) -> (WebGpu, Result<Vec<u8>>) {
        let (frame, view) = {
            let state = self.state.borrow();
            let engine = &state.engine;
            (engine.gpu_frame_on_screen().cloned(), *engine.view())
        };
        let result = match frame {
            Some(frame) => match Surface::new(1, 1) {
                Ok(mut surface) => gpu
                    .read_back(&frame.scene, &frame.plan, &mut surface)
                    .await
                    .and_then(|_| surface.encode_png(PngCompression::Fast)),
                Err(error) => Err(error),
            },
            // No GPU frame reached the canvas yet (the first one failed): it is blank.
            None => Surface::new(view.pixel_width(), view.pixel_height())
                .and_then(|blank| blank.encode_png(PngCompression::Fast)),
        };
        (gpu, result)
    }
}

/// A frame that came back while the device was lost did not reach the screen.
fn lost_unless_drawing(gpu: &WebGpu, result: Result<FrameStats>) -> Result<FrameStats> {
    if result.is_ok() && gpu.is_lost() {
        return Err(Error::GpuLost {
            reason: "the WebGPU device was lost".into(),
        });
    }
    result
}
