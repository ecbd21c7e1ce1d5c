//! The layer methods of [`Heatmap`]: `addLayer`, `updateLayer`, `removeLayer`, `setUniform` and
//! `layers`. Every change is all or nothing (a bad WGSL replacement keeps the old layer drawing)
//! and marks the heatmap dirty.

use super::layer_options::{self, LayerInfo};
use super::{Heatmap, Shared, to_js_value, to_ts, types, wgsl};
use crate::error::Result;
use crate::layer::{Capabilities, Layer, LayerStack};
use std::rc::Rc;
use tsify::Ts;
use wasm_bindgen::prelude::*;

impl Shared {
    /// Applies `change` to the engine's layer stack (given what the backend draws); on success
    /// asks for a frame. On error the stack is as it was.
    fn edit_layers<T>(
        &self,
        change: impl FnOnce(&mut LayerStack, Capabilities) -> Result<T>,
    ) -> Result<T> {
        let done = self.state.borrow_mut().engine.edit_layers(change)?;
        self.request_frame();
        Ok(done)
    }

    /// [`Shared::edit_layers`] for a change to one layer; returns its description. A custom layer
    /// that the current backend cannot draw is announced with a `layer` event.
    fn change_layer(
        &self,
        change: impl FnOnce(&mut LayerStack) -> Result<&Layer>,
    ) -> Result<Ts<LayerInfo>> {
        let info = self
            .edit_layers(|stack, capabilities| Ok(LayerInfo::new(change(stack)?, capabilities)))?;
        let js = to_js_value(&info);
        if !info.is_active() {
            self.listeners.emit("layer", &js);
        }
        Ok(Ts::new_unchecked(js))
    }

    /// [`Shared::change_layer`] as a Promise: at once, unless the change brings custom WGSL
    /// (`custom`) and the WGSL validator is not loaded yet; then once it is.
    fn change_layer_when_checkable(
        self: &Rc<Self>,
        layer: &str,
        custom: bool,
        change: impl FnOnce(&mut LayerStack) -> Result<&Layer> + 'static,
    ) -> js_sys::Promise {
        if !custom || wgsl::is_ready() {
            return match self.change_layer(change) {
                Ok(info) => js_sys::Promise::resolve(&JsValue::from(info)),
                Err(error) => js_sys::Promise::reject(&error.into()),
            };
        }
        let shared = Rc::clone(self);
        let layer = layer.to_string();
        wasm_bindgen_futures::future_to_promise(async move {
            wgsl::load(&layer).await?;
            Ok(shared.change_layer(change)?.into())
        })
    }

    /// Emits a `layer` event for every custom layer, after the backend changed.
    pub(super) fn announce_layers(&self) {
        for info in self.layer_infos(Layer::needs_gpu) {
            self.listeners.emit("layer", &to_js_value(&info));
        }
    }

    /// The layers that `keep` keeps, bottom first, as the current backend draws them.
    fn layer_infos(&self, keep: impl Fn(&Layer) -> bool) -> Vec<LayerInfo> {
        let state = self.state.borrow();
        let capabilities = state.engine.capabilities();
        let layers = state.engine.scene().layers().layers();
        layers
            .iter()
            .filter(|l| keep(l))
            .map(|l| LayerInfo::new(l, capabilities))
            .collect()
    }
}

#[wasm_bindgen]
impl Heatmap {
    /// Adds a layer on top of the stack (or below `before`): a built-in `kind` ("heat", "points",
    /// "contours") or custom `wgsl` that defines
    /// `fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32>`. Resolves to the layer's
    /// description. Custom WGSL is validated first (the first custom layer loads the WGSL
    /// validator, `geoheat_wgsl_bg.wasm`); errors reject with a `GeoheatError` with `code`
    /// ("WGSL_SYNTAX", "WGSL_INVALID", "WGSL_ENTRY", "WGSL_BINDING", "LAYER", ...), `layer`,
    /// `line` and `column` in the given source, and the stack is unchanged. A change that needs
    /// nothing loaded is made before this returns. On Canvas 2D a custom layer is kept but not
    /// drawn: its description says `active: false` with the `reason`, and a `layer` event says
    /// so too.
    #[wasm_bindgen(js_name = addLayer, unchecked_return_type = "Promise<LayerInfo>")]
    pub fn add_layer(&self, options: types::LayerOptions) -> js_sys::Promise {
        let (spec, before) = match layer_options::parse_add(&options.into()) {
            Ok(parsed) => parsed,
            Err(error) => return js_sys::Promise::reject(&error.into()),
        };
        let name = spec.name.clone();
        let custom = spec.wgsl.is_some();
        self.shared
            .change_layer_when_checkable(&name, custom, move |stack| {
                stack.add(spec, before.as_deref())
            })
    }

    /// Changes a layer: new `wgsl` (hot swap, validated first: on error the old shader keeps
    /// drawing), `uniforms`, `blend`, `opacity`, `visible`. Resolves to the layer's description,
    /// as `addLayer` does.
    #[wasm_bindgen(js_name = updateLayer, unchecked_return_type = "Promise<LayerInfo>")]
    pub fn update_layer(&self, name: &str, options: types::LayerUpdate) -> js_sys::Promise {
        let update = match layer_options::parse_update(&options.into()) {
            Ok(update) => update,
            Err(error) => return js_sys::Promise::reject(&error.into()),
        };
        let layer = name.to_string();
        let custom = update.wgsl.is_some();
        self.shared
            .change_layer_when_checkable(name, custom, move |stack| stack.update(&layer, update))
    }

    /// Removes a layer (the heat layer too, if wanted).
    #[wasm_bindgen(js_name = removeLayer)]
    pub fn remove_layer(&self, name: &str) -> Result<(), JsValue> {
        Ok(self
            .shared
            .edit_layers(|stack, _| stack.remove(name).map(drop))?)
    }

    /// Sets one uniform of a layer: a number, or an array of 2 to 4 numbers matching its type.
    #[wasm_bindgen(js_name = setUniform)]
    pub fn set_uniform(&self, layer: &str, uniform: &str, value: JsValue) -> Result<(), JsValue> {
        let value = layer_options::parse_uniform_value(uniform, &value)?;
        Ok(self
            .shared
            .edit_layers(|stack, _| stack.set_uniform(layer, uniform, value))?)
    }

    /// The layers, bottom first.
    pub fn layers(&self) -> Vec<Ts<LayerInfo>> {
        self.shared
            .layer_infos(|_| true)
            .iter()
            .map(to_ts)
            .collect()
    }
}
