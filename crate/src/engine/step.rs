//! What the engine tells its host: the outcome of one animation frame ([`Step`]) and of a GPU
//! frame the host drew ([`GpuOutcome`]).

use super::backend::{Backend, FailCause};
use crate::error::Error;
use crate::frame::{FramePlan, FrameStats};
use crate::scene::Scene;

/// A frame that was presented, for `frame` events and counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameReport {
    /// Frames presented so far, this one included.
    pub frame: u64,
    pub backend: Backend,
    /// Time spent rendering, summed over the slices (ms).
    pub render_ms: f64,
    /// From the start of the frame to its presentation (ms; longer than `render_ms` when
    /// sliced).
    pub latency_ms: f64,
    /// Animation frames the render was spread over.
    pub slices: u32,
    pub points: usize,
    pub stats: FrameStats,
}

/// A GPU frame for the host to draw: the scene as it was when the frame was asked for (the engine
/// may change meanwhile) and its plan. The host draws it with its GPU renderer (into a canvas,
/// say) and reports with [`Engine::gpu_frame_done`](super::Engine::gpu_frame_done).
#[derive(Debug, Clone)]
pub struct GpuFrame {
    pub scene: Scene,
    pub plan: FramePlan,
}

/// What one call of [`Engine::step`](super::Engine::step) did.
#[derive(Debug)]
pub enum Step {
    /// Nothing to draw: nothing changed, the backend is starting, or a GPU frame is in flight.
    Idle,
    /// A CPU frame is part-way; call again on the next animation frame.
    Working,
    /// A CPU frame is whole in [`Engine::surface`](super::Engine::surface)'s front buffer:
    /// present it.
    Presented(FrameReport),
    /// The frame could not be drawn (the last one stays up); the change that caused it is
    /// dropped, so the error is not repeated every frame.
    Failed(Error),
    /// Draw this frame on the GPU, then call [`Engine::gpu_frame_done`](super::Engine::gpu_frame_done).
    DrawGpu(Box<GpuFrame>),
}

/// What the engine made of a GPU frame or GPU error the host reported.
#[derive(Debug)]
pub enum GpuOutcome {
    /// The frame is on screen.
    Presented(FrameReport),
    /// The engine now draws on the CPU (data, view, style and layers kept; custom layers
    /// inactive); the host swaps its presenter. `reason` is for a `backend` event.
    FellBack { reason: String },
    /// An error to report; the backend is unchanged.
    Failed { error: Error, cause: FailCause },
    /// The engine left the GPU while the frame was in flight: nothing to do.
    Stale,
}
