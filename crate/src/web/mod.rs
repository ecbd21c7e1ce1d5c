//! Browser glue, compiled for wasm32 only: the `Heatmap` class that JavaScript sees.
//!
//! Thin by design: it translates JS values into the core's types ([`options`]), core errors into JS
//! errors ([`errors`]), and owns what only a browser has: the canvas ([`canvas`], an element on a
//! page or an `OffscreenCanvas` in a worker), the global scope ([`global`]: animation frames,
//! clock, timers, `fetch`), the `requestAnimationFrame` loop ([`frame_loop`]), input ([`input`]:
//! one handler for plain input events, fed by DOM listeners on a page ([`dom_input`]) or by the
//! page's proxy in a worker) and data sources ([`data`]: URLs, responses, streams, bytes, objects).
//!
//! Frames are drawn by WebGPU ([`webgpu`], asynchronously: a frame's future owns the presenter
//! while in flight) or by the CPU renderer and Canvas 2D ([`canvas2d`], sliced over animation
//! frames; see [`frame`]). A canvas that had a `webgpu` context can never get a 2D one, so falling
//! back after a lost device draws on a new canvas that takes the old one's place ([`backend`]).

mod backend;
mod canvas;
mod canvas2d;
mod data;
mod dom_input;
mod errors;
mod events;
mod frame;
mod frame_loop;
mod global;
mod heatmap;
mod input;
mod layer_options;
mod layers;
mod load;
mod options;
mod types;
mod view;
mod webgpu;

use crate::frame::{FrameStats, StableMax};
use crate::geo::View;
use crate::layer::LayerStack;
use crate::points::PointBuffer;
use crate::raster::{CpuRenderer, FrameJob};
use crate::style::HeatStyle;
use crate::surface::Surface;
use canvas::Canvas;
use canvas2d::Canvas2d;
use events::Listeners;
use frame_loop::FrameLoop;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use webgpu::WebGpu;

pub use heatmap::Heatmap;
pub use load::GeoJsonLoader;

/// Default view before any data or explicit view: the whole world.
const WORLD_VIEW: ([f64; 2], f64) = ([0.0, 20.0], 1.0);

/// Everything a heatmap holds, borrowed only for the duration of one call (never across a call
/// into JavaScript, so listeners may call back into the heatmap).
struct State {
    canvas: Canvas,
    /// The Canvas 2D presenter; `None` while WebGPU presents, and while a worker waits for the
    /// page to hand over a new canvas after leaving WebGPU.
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
    /// CSS size and device pixel ratio told by `setSize` (a worker's canvas has no layout).
    host_size: Option<(u32, u32, Option<f64>)>,
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
    /// DOM listeners on the current canvas element (moved to a new one on a fall back); none on
    /// an `OffscreenCanvas`, whose page forwards input.
    dom_input: RefCell<Option<dom_input::DomInput>>,
    /// Pointers down, for drags and pinches.
    gesture: RefCell<input::Gesture>,
    interactive: bool,
    /// Asked for a new canvas when an `OffscreenCanvas` must change backend (see [`backend`]).
    canvas_provider: RefCell<Option<js_sys::Function>>,
    /// Counts `setData` calls: a load commits only if no later one started.
    load_generation: Cell<u64>,
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
struct BackendEvent {
    from: &'static str,
    to: &'static str,
    reason: String,
}

fn to_js_value<T: Serialize>(value: &T) -> wasm_bindgen::JsValue {
    // Plain structs of numbers, strings and arrays always serialise.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(wasm_bindgen::JsValue::NULL)
}

impl Shared {
    fn mark_dirty(&self) {
        self.state.borrow_mut().dirty = true;
        self.frames.request();
    }
}
