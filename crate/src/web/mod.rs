//! Browser glue, compiled for wasm32 with the `web` feature: the `Heatmap` class that JavaScript
//! sees.
//!
//! Each heatmap is one [`Engine`], which owns the scene, the view and every rule (dirty
//! tracking, sliced CPU frames, fit-on-load, the fall back policy, fault de-duplication,
//! `valueAt`, gestures). This module only translates: JS values into the core's types
//! ([`options`]), core errors into JS errors ([`errors`]), and it owns what only a browser has:
//! the canvas ([`canvas`], an element on a page or an `OffscreenCanvas` in a worker), the global
//! scope ([`global`]: animation frames, the clock, timers, `fetch`), the `requestAnimationFrame`
//! loop ([`frame_loop`]), input ([`input`]: plain input events, fed by DOM listeners on a page
//! ([`dom_input`]) or by the page's proxy in a worker) and data sources ([`data`]: URLs,
//! responses, streams, bytes, objects).
//!
//! The engine's steps are carried out by [`frame`]: a CPU frame is presented with Canvas 2D
//! ([`canvas2d`]); a GPU frame is drawn by WebGPU ([`webgpu`], asynchronously: the frame's future
//! owns the presenter while in flight). A canvas that had a `webgpu` context can never get a 2D
//! one, so when the engine falls back the host draws on a new canvas that takes the old one's
//! place ([`backend`]).

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
mod selection;
mod types;
mod view;
mod watchdog;
mod webgpu;
mod wgsl;

use crate::engine::{Backend, Engine};
use canvas::Canvas;
use canvas2d::Canvas2d;
use events::Listeners;
use frame_loop::FrameLoop;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use tsify::{Ts, Tsify};
use webgpu::WebGpu;

pub use heatmap::Heatmap;
pub use load::GeoJsonLoader;

/// Everything a heatmap holds, borrowed only for the duration of one call (never across a call
/// into JavaScript or an await, so listeners may call back into the heatmap).
struct State {
    engine: Engine,
    canvas: Canvas,
    /// The Canvas 2D presenter; `None` while WebGPU presents, and while a worker waits for the
    /// page to hand over a new canvas after leaving WebGPU.
    presenter: Option<Canvas2d>,
    /// The WebGPU presenter while the engine draws on the GPU; `None` while a frame or a
    /// snapshot's readback is in flight (its future owns it then) and on the CPU.
    gpu: Option<WebGpu>,
    /// The `devicePixelRatio` option, which wins over the page's.
    device_pixel_ratio_override: Option<f64>,
    /// CSS size and device pixel ratio told by `setSize` (a worker's canvas has no layout).
    host_size: Option<(u32, u32, Option<f64>)>,
}

impl State {
    /// On the CPU without a presenter: a new canvas is on its way from the page.
    fn awaiting_canvas(&self) -> bool {
        self.engine.backend() == Backend::Cpu && self.presenter.is_none()
    }
}

struct Shared {
    state: RefCell<State>,
    listeners: Listeners,
    frames: FrameLoop,
    /// DOM listeners on the current canvas element (moved to a new one on a fall back); none on
    /// an `OffscreenCanvas`, whose page forwards input.
    dom_input: RefCell<Option<dom_input::DomInput>>,
    /// Pointers down, for drags and pinches.
    gesture: RefCell<input::Pointers>,
    interactive: bool,
    /// Asked for a new canvas when an `OffscreenCanvas` must change backend (see [`backend`]).
    canvas_provider: RefCell<Option<js_sys::Function>>,
    /// Counts `setData` calls: a load commits only if no later one started.
    load_generation: Cell<u64>,
    /// The running `play`, if any: it moves the time window on each animation frame.
    playback: RefCell<Option<selection::Playback>>,
    /// The GPU frame watchdog (see [`watchdog`]).
    gpu_watch: watchdog::GpuWatch,
}

impl Shared {
    /// Asks for an animation frame when the engine has something to draw.
    fn request_frame(&self) {
        if self.state.borrow().engine.wants_frame() || self.playback.borrow().is_some() {
            self.frames.request();
        }
    }
}

/// The name JavaScript knows a backend by. A starting engine is reported as WebGPU: the host
/// creates the heatmap only once the GPU answered, so it is never seen there.
fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Cpu => "canvas2d",
        Backend::Starting | Backend::Gpu => "webgpu",
    }
}

/// A switch of backend: to Canvas 2D after the WebGPU device was lost, or by `setBackend`.
#[derive(Debug, Serialize, Tsify)]
pub struct BackendEvent {
    #[tsify(type = "\"webgpu\" | \"canvas2d\"")]
    from: &'static str,
    #[tsify(type = "\"webgpu\" | \"canvas2d\"")]
    to: &'static str,
    reason: String,
}

/// A JS value of `value`, serialised as JSON would be (`None` is `null`, maps are objects): the
/// shapes the `Tsify` interfaces declare.
fn to_js_value<T: Serialize>(value: &T) -> wasm_bindgen::JsValue {
    // Plain structs of numbers, strings and arrays always serialise.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(wasm_bindgen::JsValue::NULL)
}

/// [`to_js_value`] typed as its TypeScript interface.
fn to_ts<T: Serialize + Tsify>(value: &T) -> Ts<T> {
    Ts::new_unchecked(to_js_value(value))
}
