//! The `Heatmap` class: creation on a canvas element or an `OffscreenCanvas`, the points, the
//! style, `valueAt`, the legend, `snapshot`, events, stats and `destroy`. The view ([`super::view`]),
//! loads ([`super::load`], [`super::data`]), layers and backends have their own modules.

use super::canvas::Canvas;
use super::canvas2d::Canvas2d;
use super::dom_input::DomInput;
use super::errors::{self, to_js};
use super::events::{self, Listeners};
use super::frame_loop::FrameLoop;
use super::global::now_ms;
use super::webgpu::WebGpu;
use super::{Shared, State, WORLD_VIEW, options, to_js_value, types};
use crate::frame::StableMax;
use crate::geo::View;
use crate::layer::LayerStack;
use crate::points::PointBuffer;
use crate::raster::CpuRenderer;
use crate::style::Normalize;
use crate::surface::Surface;
use js_sys::{Float32Array, Uint8Array, WebAssembly};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

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
                width: 1,
                height: 1,
                device_pixel_ratio: 1.0,
            },
            view_explicit: explicit,
            device_pixel_ratio_override: options.device_pixel_ratio,
            host_size: None,
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
        (state.view.width, state.view.height) = state.css_size();
        state.view.device_pixel_ratio = state.device_pixel_ratio();
        state.view.center = options.center.unwrap_or(state.view.center);
        state.view.zoom = options.zoom.unwrap_or(state.view.zoom);
        state.view.validate().map_err(|e| to_js(&e))?;

        let shared = Rc::new(Shared {
            state: RefCell::new(state),
            listeners: Listeners::default(),
            frames: FrameLoop::default(),
            dom_input: RefCell::new(None),
            gesture: RefCell::default(),
            interactive: options.interactive,
            canvas_provider: RefCell::new(None),
            load_generation: Cell::new(0),
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
        shared.mark_dirty();
        Ok(Heatmap { shared })
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
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array>")]
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

    /// The canvas the heatmap draws on: the one given to `create`, or the one that replaced it
    /// after a change of backend (a sibling element in the DOM on a page; the canvas from the
    /// canvas provider in a worker).
    #[wasm_bindgen(getter, unchecked_return_type = "HTMLCanvasElement | OffscreenCanvas")]
    pub fn canvas(&self) -> JsValue {
        self.shared.state.borrow().canvas.as_js().clone()
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
        let input = self.shared.dom_input.borrow_mut().take();
        if let Some(mut input) = input {
            input.detach();
        }
        self.shared.listeners.clear();
        self.shared.canvas_provider.borrow_mut().take();
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
