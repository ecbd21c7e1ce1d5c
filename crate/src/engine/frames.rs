//! The frame driver of [`Engine`]: sliced CPU frames under the clock's budget, GPU frames handed
//! to the host and their outcome, the backend state, and `value_at`.

use super::backend::{self, Backend, Verdict};
use super::step::{FrameReport, GpuFrame, GpuOutcome, Step};
use super::{CpuJob, Engine};
use crate::error::{Error, Result};
use crate::frame::{FramePlan, FrameStats};
use crate::layer::Capabilities;

impl Engine {
    /// Moves the frame on by one animation frame's worth of work. On the CPU: begins a frame if
    /// something changed, splats slices of points until the budget is spent, and finishes the
    /// frame once every point is in. A change while a frame is being built lets that frame
    /// finish first, so continuous panning still shows frames; the change gets the next one. On
    /// the GPU: hands out a frame when something changed (or a layer is animated) and none is in
    /// flight.
    pub fn step(&mut self) -> Step {
        match self.backend {
            Backend::Starting => Step::Idle,
            Backend::Gpu => self.step_gpu(),
            Backend::Cpu => self.step_cpu(),
        }
    }

    fn step_gpu(&mut self) -> Step {
        if self.gpu_in_flight.is_some() || !(self.dirty || self.scene.layers().is_animated()) {
            return Step::Idle;
        }
        let now = self.clock.now_ms();
        let change = std::mem::take(&mut self.dirty);
        let plan = match self.plan() {
            Ok(plan) => plan,
            Err(error) => return Step::Failed(error),
        };
        // Finite: both are finite clock readings.
        let time_s = ((now - self.created_ms) / 1e3) as f32;
        if let Err(error) = self.scene.set_time_s(time_s) {
            return Step::Failed(error);
        }
        let frame = GpuFrame {
            scene: self.scene.clone(),
            plan,
        };
        self.gpu_in_flight = Some(change);
        self.gpu_started_ms = now;
        self.gpu_on_screen = Some(frame.clone());
        Step::DrawGpu(Box::new(frame))
    }

    fn step_cpu(&mut self) -> Step {
        let started = self.clock.now_ms();
        if self.job.is_none() {
            if !self.dirty {
                return Step::Idle;
            }
            if let Err(error) = self.begin_job(started) {
                return Step::Failed(error);
            }
        }
        let Some(cpu) = self.job.as_mut() else {
            return Step::Idle;
        };
        while !self
            .renderer
            .splat_more(&mut cpu.job, &cpu.scene, self.slice_points)
        {
            let now = self.clock.now_ms();
            if now - started > self.budget_ms {
                cpu.work_ms += now - started;
                cpu.slices += 1;
                return Step::Working;
            }
        }
        match self.finish_job(started) {
            Ok(report) => Step::Presented(report),
            Err(error) => Step::Failed(error),
        }
    }

    /// The plan of the current scene at the current view, from the heatmap's one stable cache.
    fn plan(&mut self) -> Result<FramePlan> {
        FramePlan::new(&self.scene, &self.view, &mut self.stable)
    }

    /// Begins a CPU frame of the current scene. The change is taken even if the plan fails, so
    /// a bad state is reported once, not on every frame.
    fn begin_job(&mut self, now: f64) -> Result<()> {
        self.dirty = false;
        let plan = self.plan()?;
        let scene = self.scene.clone();
        let job = self.renderer.begin_frame(&scene, &plan);
        self.job = Some(CpuJob {
            job,
            scene,
            started_ms: now,
            work_ms: 0.0,
            slices: 0,
        });
        Ok(())
    }

    /// Finishes the CPU frame being built (splatting what is left) into the surface. On error
    /// the last frame stays up.
    fn finish_job(&mut self, slice_started: f64) -> Result<FrameReport> {
        let cpu = self
            .job
            .take()
            .ok_or_else(|| Error::option("frame", "no CPU frame is being built"))?;
        let stats = self
            .renderer
            .finish_frame(cpu.job, &cpu.scene, &mut self.surface)?;
        let now = self.clock.now_ms();
        self.cpu_stale = false;
        Ok(self.presented(
            stats,
            [cpu.work_ms + (now - slice_started), now - cpu.started_ms],
            cpu.slices + 1,
        ))
    }

    /// Counts a presented frame and describes it.
    fn presented(
        &mut self,
        stats: FrameStats,
        [render_ms, latency_ms]: [f64; 2],
        slices: u32,
    ) -> FrameReport {
        self.frames_rendered += 1;
        self.last_frame = Some(stats);
        FrameReport {
            frame: self.frames_rendered,
            backend: self.backend,
            render_ms,
            latency_ms,
            slices,
            points: self.scene.points().len(),
            stats,
        }
    }

    /// Brings the CPU surface up to date now, however long it takes (for a snapshot): finishes
    /// the frame being built and draws one more if a change came since. Returns the last frame
    /// drawn, if any. Does nothing off the CPU backend.
    pub fn render_now(&mut self) -> Result<Option<FrameReport>> {
        let mut report = None;
        while self.backend == Backend::Cpu && (self.dirty || self.job.is_some()) {
            let now = self.clock.now_ms();
            if self.job.is_none() {
                self.begin_job(now)?;
            }
            report = Some(self.finish_job(now)?);
        }
        Ok(report)
    }

    /// What draws the frames now.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The backend the heatmap asked for.
    pub fn backend_choice(&self) -> super::BackendChoice {
        self.choice
    }

    /// The GPU adapter's description while the GPU draws.
    pub fn adapter(&self) -> Option<&str> {
        self.adapter.as_deref()
    }

    /// What the current backend draws (custom layers are inactive on the CPU).
    pub fn capabilities(&self) -> Capabilities {
        self.backend.capabilities()
    }

    /// The host made its GPU renderer (on the adapter `adapter` describes): GPU frames from now
    /// on. A CPU frame being built is abandoned; the GPU draws the current state.
    pub fn gpu_ready(&mut self, adapter: String) {
        self.backend = Backend::Gpu;
        self.adapter = Some(adapter);
        self.gpu_presented = false;
        self.gpu_in_flight = None;
        self.job = None;
        self.cpu_stale = true;
        self.dirty = true;
    }

    /// The GPU could not start, or failed outside a frame: the policy decides between a fall
    /// back to the CPU and an error (see [`FailCause`](super::FailCause)).
    pub fn gpu_failed(&mut self, error: Error) -> GpuOutcome {
        match backend::verdict(self.choice, error, self.gpu_presented, self.scene.layers()) {
            Verdict::FallBack { reason } => {
                self.fall_back();
                GpuOutcome::FellBack { reason }
            }
            Verdict::Fail(error, cause) => {
                if self.backend == Backend::Starting {
                    // Nothing to draw on: the caller gets the error and the engine stays idle.
                    self.adapter = None;
                }
                GpuOutcome::Failed { error, cause }
            }
        }
    }

    /// Leaves the GPU for the CPU (after trouble, or because the host was asked to), keeping
    /// data, view, style and layers; the next step draws on the CPU.
    pub fn fall_back(&mut self) {
        self.backend = Backend::Cpu;
        self.adapter = None;
        self.gpu_in_flight = None;
        self.gpu_on_screen = None;
        self.dirty = true;
    }

    /// The host finished the GPU frame of the last [`Step::DrawGpu`] with `result`: presented,
    /// or an error that the policy turns into a fall back or a report. A non-GPU error drops the
    /// change (as a failed CPU frame does). A frame that ends after the engine left the GPU is
    /// [`GpuOutcome::Stale`].
    pub fn gpu_frame_done(&mut self, result: Result<FrameStats>) -> GpuOutcome {
        if self.backend != Backend::Gpu || self.gpu_in_flight.take().is_none() {
            return GpuOutcome::Stale;
        }
        match result {
            Ok(stats) => {
                let now = self.clock.now_ms();
                self.gpu_presented = true;
                self.cpu_stale = true;
                let render_ms = stats.elapsed.as_secs_f64() * 1e3;
                GpuOutcome::Presented(self.presented(
                    stats,
                    [render_ms, now - self.gpu_started_ms],
                    1,
                ))
            }
            Err(error) => self.gpu_failed(error),
        }
    }

    /// The GPU frame on screen (the scene, time included, and plan of the last
    /// [`Step::DrawGpu`]): a GPU snapshot draws it again with a readback.
    pub fn gpu_frame_on_screen(&self) -> Option<&GpuFrame> {
        self.gpu_on_screen.as_ref()
    }

    /// The density (before normalisation) under device pixel `(x, y)` of the frame on screen,
    /// or `None` outside it or before the first frame. On the GPU the density stays on the GPU:
    /// the first query after a GPU frame renders the current scene's density on the CPU (the
    /// fast path, within 2% of the exact density) and later ones reuse it.
    pub fn value_at(&mut self, x: f64, y: f64) -> Result<Option<f32>> {
        if self.last_frame.is_none() {
            return Ok(None);
        }
        if self.cpu_stale {
            let plan = self.plan()?;
            self.renderer.render_density(&self.scene, &plan)?;
            self.cpu_stale = false;
        }
        Ok(self.renderer.value_at(x, y))
    }
}
