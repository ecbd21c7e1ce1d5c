//! The `Heatmap` class: creation on a canvas element or an `OffscreenCanvas`, the points, the
//! style, `valueAt`, the legend, `snapshot`, events, stats and `destroy`. The view ([`super::view`]),
//! loads ([`super::load`], [`super::data`]), layers and backends have their own modules.

use super::canvas::Canvas;
use super::canvas2d::Canvas2d;
use super::dom_input::DomInput;
use super::events::{self, Listeners};
use super::frame_loop::FrameLoop;
use super::global::now_ms;
use super::webgpu::WebGpu;
use super::{Shared, State, backend_name, options, to_ts, types, view};
use crate::engine::{Backend, Engine, EngineOptions, GpuOutcome, world_view};
use crate::error::Error;
use crate::style::{Aggregation, Normalize};
use js_sys::{Float32Array, Uint8Array, WebAssembly};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

/// The colour ramp and the values it spans (`legend()`): densities, or mean weights.
#[derive(Debug, Serialize, Tsify)]
#[tsify(missing_as_null)]
pub struct Legend {
    stops: Vec<LegendStop>,
    min: f32,
    /// Value (density or mean weight) at the top of the ramp; null before the first frame.
    max: Option<f32>,
    #[tsify(type = "\"stable\" | \"viewport\" | \"fixed\"")]
    normalize: &'static str,
    /// What `min`, `max` and `valueAt` measure: the style's `aggregation`.
    #[tsify(type = "\"sum\" | \"mean\"")]
    aggregation: &'static str,
    /// A caption for that quantity: "density" (sum) or "mean weight" (mean).
    #[tsify(type = "\"density\" | \"mean weight\"")]
    label: &'static str,
}

/// One stop of the legend's ramp: where it is (0..1) and its CSS colour.
#[derive(Debug, Serialize, Tsify)]
pub struct LegendStop {
    offset: f32,
    color: String,
}

/// Counters for tests and tools (`stats()`).
#[derive(Debug, Serialize, Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub struct HeatmapStats {
    frames_rendered: u64,
    /// A change is waiting for a frame, or a frame is being built.
    dirty: bool,
    #[tsify(type = "\"webgpu\" | \"canvas2d\"")]
    backend: &'static str,
    /// The WebGPU adapter, " (software)" at the end for a fallback adapter; null on Canvas 2D.
    adapter: Option<String>,
    /// The size of the wasm memory that holds this heatmap's points and pixels (shared by every
    /// heatmap of the same page or worker). wasm memory grows and never shrinks: a value that
    /// keeps rising under a steady workload is a leak.
    memory_bytes: f64,
}

/// A density heatmap drawn on a canvas.
#[wasm_bindgen]
pub struct Heatmap {
    pub(super) shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Heatmap {
    /// Creates a heatmap on `canvas`: an `HTMLCanvasElement` on a page, or an `OffscreenCanvas`
    /// in a dedicated worker (whose page tells it its size with `setSize` and forwards input
    /// with `input`). Options are checked: an unknown or invalid option rejects with an error
    /// naming it.
    pub async fn create(
        #[wasm_bindgen(unchecked_param_type = "HTMLCanvasElement | OffscreenCanvas")]
        canvas: JsValue,
        options: Option<types::HeatmapOptions>,
    ) -> Result<Heatmap, JsValue> {
        let canvas = Canvas::from_js(canvas)?;
        let options = options::parse_create(&options.map_or(JsValue::UNDEFINED, Into::into))?;
        let (width, height) = view::css_size(&canvas, None);
        let dpr = view::device_pixel_ratio(options.device_pixel_ratio, None);
        let mut view = world_view(width, height, dpr);
        view.center = options.center.unwrap_or(view.center);
        view.zoom = options.zoom.unwrap_or(view.zoom);
        let engine_options = EngineOptions {
            view_explicit: options.center.is_some() || options.zoom.is_some(),
            style: options.style,
            backend: options.backend,
            ..EngineOptions::new(view)
        };
        let mut state = State {
            engine: Engine::new(engine_options, now_ms)?,
            canvas: canvas.clone(),
            presenter: None,
            gpu: None,
            device_pixel_ratio_override: options.device_pixel_ratio,
            host_size: None,
        };
        if options.backend.wants_gpu() {
            match WebGpu::new(&canvas).await {
                Ok(gpu) => {
                    state.engine.gpu_ready(gpu.adapter());
                    state.gpu = Some(gpu);
                }
                Err(error) => {
                    // The engine's policy: Canvas 2D for "auto", an error for "webgpu".
                    if let GpuOutcome::Failed { error, .. } = state.engine.gpu_failed(error) {
                        return Err(error.into());
                    }
                }
            }
        }
        if state.engine.backend() == Backend::Cpu {
            state.presenter = Some(Canvas2d::new(&canvas)?);
        }

        let shared = Rc::new(Shared {
            state: RefCell::new(state),
            listeners: Listeners::default(),
            frames: FrameLoop::default(),
            dom_input: RefCell::new(None),
            gesture: RefCell::default(),
            interactive: options.interactive,
            canvas_provider: RefCell::new(None),
            load_generation: Cell::new(0),
            playback: RefCell::new(None),
            gpu_watch: Default::default(),
        });
        let weak = Rc::downgrade(&shared);
        shared.frames.install(move |_time| {
            if let Some(shared) = weak.upgrade() {
                shared.on_frame();
            }
        });
        if let Some(element) = canvas.element() {
            let input = DomInput::attach(element, &shared, options.interactive);
            *shared.dom_input.borrow_mut() = Some(input);
        }
        shared.request_frame();
        Ok(Heatmap { shared })
    }

    /// The points drawn as a `Float32Array` of `[x, y, weight]` that views wasm memory (no copy):
    /// those loaded that pass `setFilter` and `setTimeWindow`, with `setWeight`'s weights. `x`
    /// and `y` are Web Mercator world units (the world is 1×1) relative to `pointsOrigin()`.
    /// The view goes stale when points are replaced or wasm memory grows; check with
    /// `isPointsViewCurrent(view)` before reading a view kept across calls.
    pub fn points(&self) -> Float32Array {
        let state = self.shared.state.borrow();
        let xyw = state.engine.scene().points().as_slice();
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
        let xyw = state.engine.scene().points().as_slice();
        let memory = wasm_bindgen::memory().unchecked_into::<WebAssembly::Memory>();
        js_sys::Object::is(&view.buffer(), &memory.buffer())
            && view.byte_offset() == xyw.as_ptr() as u32
            && view.length() == xyw.len() as u32
    }

    /// World coordinates `[x, y]` that the `points()` offsets are relative to.
    #[wasm_bindgen(js_name = pointsOrigin)]
    pub fn points_origin(&self) -> Vec<f64> {
        let state = self.shared.state.borrow();
        state.engine.scene().points().origin().to_vec()
    }

    /// Number of points drawn: those loaded that pass the weight, filter and time window.
    #[wasm_bindgen(getter, js_name = pointCount)]
    pub fn point_count(&self) -> usize {
        self.shared.state.borrow().engine.scene().points().len()
    }

    /// Changes some style options; the others keep their values. Invalid options change nothing.
    #[wasm_bindgen(js_name = setStyle)]
    pub fn set_style(&self, options: types::StyleOptions) -> Result<(), JsValue> {
        // Not borrowed while the options are read: their getters are JavaScript.
        let current = self.shared.state.borrow().engine.scene().style().clone();
        let style = options::apply_style(&current, &options.into())?;
        self.shared.state.borrow_mut().engine.set_style(style)?;
        self.shared.request_frame();
        Ok(())
    }

    /// The value under the CSS pixel (x, y) of the canvas in the frame on screen (the density, or
    /// the mean weight with `aggregation: "mean"`), or `undefined` outside it or before the first
    /// frame.
    #[wasm_bindgen(js_name = valueAt)]
    ///
    /// On WebGPU the density stays on the GPU: the first `valueAt` after a frame renders the same
    /// scene on the CPU (the fast path, within 2% of the exact density) and later ones reuse it.
    pub fn value_at(&self, x: f64, y: f64) -> Option<f64> {
        let mut state = self.shared.state.borrow_mut();
        let dpr = state.engine.view().device_pixel_ratio;
        let value = state.engine.value_at(x * dpr, y * dpr).ok()??;
        Some(f64::from(value))
    }

    /// The colour ramp and the density it spans, for drawing a legend:
    /// `{stops: [{offset, color}], min: 0, max, normalize}`.
    pub fn legend(&self) -> Ts<Legend> {
        let state = self.shared.state.borrow();
        let style = state.engine.scene().style();
        let normalize_max = state.engine.last_frame().map(|f| f.normalize_max);
        let stops = style
            .ramp
            .stops()
            .iter()
            .map(|s| {
                let [r, g, b, a] = s.color;
                LegendStop {
                    offset: s.offset,
                    color: format!("rgba({r}, {g}, {b}, {:.3})", f32::from(a) / 255.0),
                }
            })
            .collect();
        let (normalize, max) = match style.normalize {
            Normalize::Fixed(max) => ("fixed", Some(max)),
            Normalize::Viewport => ("viewport", normalize_max),
            Normalize::Stable => ("stable", normalize_max),
        };
        to_ts(&Legend {
            stops,
            min: 0.0,
            max,
            normalize,
            aggregation: style.aggregation.name(),
            label: match style.aggregation {
                Aggregation::Sum => "density",
                Aggregation::Mean => "mean weight",
            },
        })
    }

    /// PNG bytes of the frame on screen (rendering first if a change is pending).
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array>")]
    pub fn snapshot(&self) -> js_sys::Promise {
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let png = shared.snapshot_png().await?;
            Ok(Uint8Array::from(png.as_slice()).into())
        })
    }

    /// Listens to `"frame"` (timings), `"progress"` (loads), `"load"`, `"view"`, `"error"`,
    /// `"layer"` (a layer the backend cannot draw, or can again: a `LayerInfo`),
    /// `"backend"` (`{from, to, reason}`: WebGPU was left for Canvas 2D) or `"time"`
    /// (`{window: [t0, t1]}`: `play` moved the time window).
    pub fn on(&self, event: String, callback: js_sys::Function) -> Result<(), JsValue> {
        if !events::EVENT_NAMES.contains(&event.as_str()) {
            return Err(Error::UnknownEvent {
                name: event,
                allowed: events::EVENT_NAMES,
            }
            .into());
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
        backend_name(self.shared.state.borrow().engine.backend()).into()
    }

    /// The WebGPU adapter (`"NAME via BrowserWebGpu"`, with `" (software)"` for a fallback adapter
    /// such as SwiftShader), or `undefined` on Canvas 2D.
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> Option<String> {
        self.shared
            .state
            .borrow()
            .engine
            .adapter()
            .map(String::from)
    }

    /// The canvas the heatmap draws on: the one given to `create`, or the one that replaced it
    /// after a change of backend (a sibling element in the DOM on a page; the canvas from the
    /// canvas provider in a worker).
    #[wasm_bindgen(getter, unchecked_return_type = "HTMLCanvasElement | OffscreenCanvas")]
    pub fn canvas(&self) -> JsValue {
        self.shared.state.borrow().canvas.as_js().clone()
    }

    /// For testing the fall back: destroys the WebGPU device, as a lost device would, and tells
    /// the engine, which switches to Canvas 2D (or, for `backend: "webgpu"` before the first
    /// WebGPU frame, emits the error). Returns whether there was a device to destroy: not while a
    /// frame is in flight.
    #[wasm_bindgen(js_name = loseDevice)]
    pub fn lose_device(&self) -> bool {
        let mut state = self.shared.state.borrow_mut();
        let Some(gpu) = state.gpu.take() else {
            return false;
        };
        gpu.destroy_device();
        let outcome = state.engine.gpu_failed(Error::GpuLost {
            reason: "the WebGPU device was destroyed (loseDevice)".into(),
        });
        drop(state);
        self.shared.act_on(outcome, Some(gpu));
        true
    }

    /// Counters for tests and tools: `{framesRendered, dirty, backend, adapter, memoryBytes}`.
    pub fn stats(&self) -> Ts<HeatmapStats> {
        let state = self.shared.state.borrow();
        let engine = &state.engine;
        to_ts(&HeatmapStats {
            frames_rendered: engine.frames_rendered(),
            dirty: engine.busy(),
            backend: backend_name(engine.backend()),
            adapter: engine.adapter().map(String::from),
            memory_bytes: wasm_memory_bytes(),
        })
    }

    /// Stops the frame loop, removes listeners and frees the points and pixels, and the WebGPU
    /// device if there is one. The heatmap can not be used afterwards (call `free()` to release
    /// the object itself). The canvas is the caller's, and is left as it is.
    pub fn destroy(&mut self) {
        self.shared.frames.stop();
        self.shared.playback.borrow_mut().take();
        let input = self.shared.dom_input.borrow_mut().take();
        if let Some(mut input) = input {
            input.detach();
        }
        self.shared.listeners.clear();
        self.shared.canvas_provider.borrow_mut().take();
        let mut state = self.shared.state.borrow_mut();
        // Destroyed rather than dropped: a dropped device keeps its GPU memory until the browser
        // collects it. Its lost callback only records; the frame loop has stopped.
        if let Some(gpu) = state.gpu.take() {
            gpu.destroy_device();
        }
        state.presenter = None;
        // A fresh CPU engine holds no points, pixels or renderer buffers; the view is kept, so
        // it is valid and the engine is made.
        let bare = EngineOptions {
            backend: crate::engine::BackendChoice::Cpu,
            ..EngineOptions::new(*state.engine.view())
        };
        if let Ok(engine) = Engine::new(bare, now_ms) {
            state.engine = engine;
        }
    }
}

impl std::fmt::Debug for Heatmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.shared.state.borrow();
        f.debug_struct("Heatmap")
            .field("engine", &state.engine)
            .finish_non_exhaustive()
    }
}

/// The current size of this module's linear memory.
fn wasm_memory_bytes() -> f64 {
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}
