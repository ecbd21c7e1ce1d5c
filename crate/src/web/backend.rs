//! Changing backend in a running heatmap: WebGPU → Canvas 2D when the engine falls back (its
//! policy decides when) or on request, Canvas 2D → WebGPU on request. The engine keeps data,
//! view, style and layers; this module swaps the canvas and presenter, emits the `backend` event
//! and announces custom layers with `layer` events as they become inactive or active again.
//!
//! A canvas that had a `webgpu` context can never get a 2D one and the other way round, so the new
//! backend draws on a new canvas:
//! - on a page, a sibling element with the same id, classes, style and size takes the old one's
//!   place in the DOM, and the input and resize listeners move to it;
//! - in a worker, the heatmap cannot touch the DOM: it calls the canvas provider that its host set
//!   with `setCanvasProvider`, and the page's proxy puts a fresh placeholder element in the old
//!   one's place, moves its listeners and transfers the new element's `OffscreenCanvas` back.
//!   Until it arrives frames wait (the state is kept; `snapshot` still works).
//!
//! The `canvas` getter returns the current canvas either way.

use super::canvas::Canvas;
use super::canvas2d::Canvas2d;
use super::dom_input::DomInput;
use super::errors::message_of;
use super::webgpu::GpuDevice;
use super::{BackendEvent, Heatmap, Shared, to_js_value};
use crate::engine::Backend;
use crate::error::Error;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlCanvasElement;

impl Shared {
    /// The engine left the GPU: draws with Canvas 2D on a new canvas, with a `backend` event
    /// giving `reason`.
    pub(super) fn swap_to_canvas_2d(self: &Rc<Self>, reason: String) {
        let current = {
            let mut state = self.state.borrow_mut();
            state.gpu = None;
            state.presenter = None;
            state.canvas.clone()
        };
        match current {
            Canvas::Element(element) => {
                let made = sibling_canvas(&element).and_then(|sibling| {
                    let canvas = Canvas::Element(sibling);
                    Canvas2d::new(&canvas).map(|presenter| (canvas, presenter))
                });
                self.take_canvas_2d(made, reason);
            }
            Canvas::Offscreen(_) => {
                let shared = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let made = shared
                        .provided_canvas(&reason)
                        .await
                        .and_then(|canvas| Canvas2d::new(&canvas).map(|p| (canvas, p)));
                    shared.take_canvas_2d(made, reason);
                });
            }
        }
        self.frames.request();
    }

    /// Puts the new Canvas 2D presenter in place (or reports why there is none).
    fn take_canvas_2d(self: &Rc<Self>, made: Result<(Canvas, Canvas2d), JsValue>, reason: String) {
        match made {
            Ok((canvas, presenter)) => {
                self.state.borrow_mut().presenter = Some(presenter);
                self.install_canvas(canvas, Some(("webgpu", "canvas2d", reason)));
            }
            Err(error) => self.listeners.emit("error", &error),
        }
        self.request_frame();
    }

    /// Moves from Canvas 2D to WebGPU; on failure nothing changes. The device is opened before a
    /// new canvas is asked for, so a missing adapter costs no canvas.
    async fn switch_to_webgpu(self: &Rc<Self>) -> Result<(), JsValue> {
        let current = {
            let state = self.state.borrow();
            if state.engine.backend() == Backend::Gpu {
                return Ok(());
            }
            state.canvas.clone()
        };
        let device = GpuDevice::open().await?;
        let canvas = match &current {
            Canvas::Element(element) => Canvas::Element(sibling_canvas(element)?),
            Canvas::Offscreen(_) => self.provided_canvas("setBackend(\"webgpu\")").await?,
        };
        let gpu = match device.attach(&canvas) {
            Ok(gpu) => gpu,
            Err(error) => {
                if canvas.element().is_none() {
                    // The page has already swapped its canvas: keep drawing in 2D on the new one,
                    // starting with the last frame (nothing changed, so no new one is due).
                    let mut presenter = Canvas2d::new(&canvas)?;
                    {
                        let state = self.state.borrow();
                        let surface = state.engine.surface();
                        canvas.set_size((surface.width(), surface.height()));
                        presenter.present(surface)?;
                    }
                    self.state.borrow_mut().presenter = Some(presenter);
                    self.install_canvas(canvas, None);
                    self.request_frame();
                }
                return Err(error.into());
            }
        };
        {
            let mut state = self.state.borrow_mut();
            if state.engine.backend() == Backend::Gpu {
                // Another switch finished while this one waited for its device.
                return Ok(());
            }
            state.engine.gpu_ready(gpu.adapter());
            state.gpu = Some(gpu);
            state.presenter = None;
        }
        let reason = "setBackend(\"webgpu\")".to_string();
        self.install_canvas(canvas, Some(("canvas2d", "webgpu", reason)));
        self.request_frame();
        Ok(())
    }

    /// `setBackend("canvas2d")`: the engine leaves the GPU as asked (no policy involved).
    fn leave_gpu(self: &Rc<Self>) {
        {
            let mut state = self.state.borrow_mut();
            if state.engine.backend() != Backend::Gpu {
                return;
            }
            state.engine.fall_back();
        }
        self.swap_to_canvas_2d("setBackend(\"canvas2d\")".into());
    }

    /// A new `OffscreenCanvas` from the canvas provider (see the module docs).
    async fn provided_canvas(&self, reason: &str) -> Result<Canvas, JsValue> {
        let unavailable = |why: String| Error::CanvasUnavailable {
            reason: format!("the heatmap needs a new canvas ({reason}) but {why}"),
        };
        let provider =
            self.canvas_provider.borrow().clone().ok_or_else(|| {
                unavailable("no canvas provider is set (setCanvasProvider)".into())
            })?;
        let given = provider
            .call1(&JsValue::NULL, &reason.into())
            .map_err(|e| unavailable(format!("the provider threw: {}", message_of(&e))))?;
        let canvas = match given.dyn_into::<js_sys::Promise>() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .map_err(|e| unavailable(format!("the provider failed: {}", message_of(&e))))?,
            Err(value) => value,
        };
        Ok(Canvas::from_js(canvas)?)
    }

    /// Makes `canvas` the current one (on a page, in the old one's place in the DOM, with the
    /// input listeners moved to it) and announces the change of backend, if any.
    fn install_canvas(
        self: &Rc<Self>,
        canvas: Canvas,
        change: Option<(&'static str, &'static str, String)>,
    ) {
        {
            let mut state = self.state.borrow_mut();
            if let (Some(old), Some(new)) = (state.canvas.element(), canvas.element()) {
                // Replacing a node that left the document is a no-op error: nothing to undo.
                let _ = old.replace_with_with_node_1(new);
            }
            state.canvas = canvas.clone();
        }
        let old = self.dom_input.borrow_mut().take();
        if let Some(mut old) = old {
            old.detach();
        }
        if let Some(element) = canvas.element() {
            let input = DomInput::attach(element, self, self.interactive);
            *self.dom_input.borrow_mut() = Some(input);
        }
        if let Some((from, to, reason)) = change {
            let event = BackendEvent { from, to, reason };
            self.listeners.emit("backend", &to_js_value(&event));
            self.announce_layers();
        }
    }
}

#[wasm_bindgen]
impl Heatmap {
    /// Switches to `"webgpu"` or `"canvas2d"` keeping data, view, style and layers (custom layers
    /// draw again on WebGPU). The new backend draws on a new canvas that replaces the current
    /// one (see `canvas`). Rejects with `GPU_UNAVAILABLE` when WebGPU cannot start, and then the
    /// heatmap stays as it was.
    #[wasm_bindgen(js_name = setBackend, unchecked_return_type = "Promise<void>")]
    pub fn set_backend(&self, backend: String) -> js_sys::Promise {
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            match backend.as_str() {
                "webgpu" => shared.switch_to_webgpu().await?,
                "canvas2d" => shared.leave_gpu(),
                other => {
                    return Err(Error::argument(format!(
                        "{other:?} is not a backend; use \"webgpu\" or \"canvas2d\""
                    ))
                    .into());
                }
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// For a heatmap on an `OffscreenCanvas`: `provider(reason)` returns (a promise of) a new
    /// `OffscreenCanvas` that has taken the current one's place on the page. It is called when
    /// the heatmap changes backend, since a canvas that had a `webgpu` context cannot draw 2D.
    #[wasm_bindgen(js_name = setCanvasProvider)]
    pub fn set_canvas_provider(&self, provider: Option<js_sys::Function>) {
        *self.shared.canvas_provider.borrow_mut() = provider;
    }
}

/// A canvas to take the place of `canvas`: the same id, classes, inline style and size, so it
/// lays out the same and the new backend starts at the frame's size.
fn sibling_canvas(canvas: &HtmlCanvasElement) -> Result<HtmlCanvasElement, JsValue> {
    let document = canvas
        .owner_document()
        .ok_or_else(|| Error::CanvasUnavailable {
            reason: "the canvas is not in a document".into(),
        })?;
    let sibling: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    for name in [
        "id",
        "class",
        "style",
        "tabindex",
        "role",
        "aria-label",
        "title",
    ] {
        if let Some(value) = canvas.get_attribute(name) {
            sibling.set_attribute(name, &value)?;
        }
    }
    sibling.set_width(canvas.width());
    sibling.set_height(canvas.height());
    Ok(sibling)
}
