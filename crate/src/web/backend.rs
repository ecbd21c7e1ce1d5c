//! Changing backend in a running heatmap: WebGPU → Canvas 2D when the device is lost (or on
//! request), Canvas 2D → WebGPU on request. Data, view, style and layers stay; custom layers are
//! announced with `layer` events as they become inactive or active again.
//!
//! A canvas that had a `webgpu` context can never get a 2D one and the other way round, so the new
//! backend draws on a sibling canvas that takes the old one's place in the DOM (the `canvas`
//! getter returns the current one); input and resize listeners move with it.

use super::canvas2d::Canvas2d;
use super::errors::{self, to_js};
use super::webgpu::WebGpu;
use super::{BackendEvent, Heatmap, Shared, input, to_js_value};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

impl Shared {
    /// Leaves WebGPU for Canvas 2D, with a `backend` event giving `reason`.
    pub(super) fn fall_back(self: &Rc<Self>, reason: String) {
        let made = {
            let mut state = self.state.borrow_mut();
            if !state.gpu_active {
                return;
            }
            state.gpu_active = false;
            state.gpu = None;
            state.adapter = None;
            state.dirty = true;
            sibling_canvas(&state.canvas)
                .and_then(|canvas| Canvas2d::new(&canvas).map(|presenter| (canvas, presenter)))
                .map(|(canvas, presenter)| {
                    state.presenter = Some(presenter);
                    canvas
                })
        };
        match made {
            Ok(canvas) => self.install_canvas(canvas, "webgpu", "canvas2d", reason),
            Err(error) => self.listeners.emit("error", &error),
        }
        self.frames.request();
    }

    /// Moves from Canvas 2D to WebGPU; on failure nothing changes.
    async fn switch_to_webgpu(self: &Rc<Self>) -> Result<(), JsValue> {
        let canvas = {
            let state = self.state.borrow();
            if state.gpu_active {
                return Ok(());
            }
            sibling_canvas(&state.canvas)?
        };
        let gpu = WebGpu::new(&canvas).await.map_err(|e| to_js(&e))?;
        {
            let mut state = self.state.borrow_mut();
            if state.gpu_active {
                // Another switch finished while this one waited for its device.
                return Ok(());
            }
            state.adapter = Some(gpu.adapter());
            state.gpu = Some(gpu);
            state.gpu_active = true;
            state.presenter = None;
            // A Canvas 2D frame being built is abandoned; WebGPU draws the current state.
            state.job = None;
            state.cpu_stale = true;
            state.dirty = true;
        }
        self.install_canvas(
            canvas,
            "canvas2d",
            "webgpu",
            "setBackend(\"webgpu\")".into(),
        );
        self.frames.request();
        Ok(())
    }

    /// Puts `canvas` in the current one's place, moves input to it and announces the change.
    fn install_canvas(
        self: &Rc<Self>,
        canvas: HtmlCanvasElement,
        from: &'static str,
        to: &'static str,
        reason: String,
    ) {
        {
            let mut state = self.state.borrow_mut();
            // Replacing a node that left the document is a no-op error: nothing to undo.
            let _ = state.canvas.replace_with_with_node_1(&canvas);
            state.canvas = canvas.clone();
        }
        let old = self.input.borrow_mut().take();
        if let Some(mut old) = old {
            old.detach();
        }
        let input = input::Input::attach(&canvas, self, self.interactive);
        *self.input.borrow_mut() = Some(input);
        let event = BackendEvent { from, to, reason };
        self.listeners.emit("backend", &to_js_value(&event));
        self.announce_layers();
    }
}

#[wasm_bindgen]
impl Heatmap {
    /// Switches to `"webgpu"` or `"canvas2d"` keeping data, view, style and layers (custom layers
    /// draw again on WebGPU). The new backend draws on a sibling canvas that replaces the current
    /// one (see `canvas`). Rejects with `GPU_UNAVAILABLE` when WebGPU cannot start, and then the
    /// heatmap stays as it was.
    #[wasm_bindgen(js_name = setBackend)]
    pub fn set_backend(&self, backend: String) -> js_sys::Promise {
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            match backend.as_str() {
                "webgpu" => shared.switch_to_webgpu().await?,
                "canvas2d" => shared.fall_back("setBackend(\"canvas2d\")".into()),
                other => {
                    return Err(errors::usage(
                        "INVALID_ARGUMENT",
                        &format!("{other:?} is not a backend; use \"webgpu\" or \"canvas2d\""),
                    ));
                }
            }
            Ok(JsValue::UNDEFINED)
        })
    }
}

/// A canvas to take the place of `canvas`: the same id, classes, inline style and size, so it
/// lays out the same and the new backend starts at the frame's size.
fn sibling_canvas(canvas: &HtmlCanvasElement) -> Result<HtmlCanvasElement, JsValue> {
    let document = canvas
        .owner_document()
        .ok_or_else(|| JsValue::from_str("the canvas is not in a document"))?;
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
