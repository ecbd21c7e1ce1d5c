//! Event listeners registered from JavaScript (`on`/`off`) and their dispatch.

use std::cell::RefCell;
use wasm_bindgen::JsValue;

/// The events a heatmap emits.
pub(crate) const EVENT_NAMES: &[&str] = &[
    "frame", "progress", "error", "load", "view", "backend", "layer", "time",
];

#[derive(Default)]
pub(crate) struct Listeners {
    list: RefCell<Vec<(String, js_sys::Function)>>,
}

impl Listeners {
    pub(crate) fn add(&self, event: String, callback: js_sys::Function) {
        self.list.borrow_mut().push((event, callback));
    }

    pub(crate) fn remove(&self, event: &str, callback: &js_sys::Function) {
        self.list
            .borrow_mut()
            .retain(|(e, f)| !(e == event && f == callback));
    }

    pub(crate) fn clear(&self) {
        self.list.borrow_mut().clear();
    }

    pub(crate) fn has(&self, event: &str) -> bool {
        self.list.borrow().iter().any(|(e, _)| e == event)
    }

    /// Calls every listener of `event`. The list is copied first, so a listener may call back into
    /// the heatmap, add or remove listeners; a listener that throws is reported on the console and
    /// does not stop the others.
    pub(crate) fn emit(&self, event: &str, payload: &JsValue) {
        let targets: Vec<js_sys::Function> = self
            .list
            .borrow()
            .iter()
            .filter(|(e, _)| e == event)
            .map(|(_, f)| f.clone())
            .collect();
        for callback in targets {
            if let Err(thrown) = callback.call1(&JsValue::NULL, payload) {
                web_sys::console::error_2(
                    &format!("geoheat: a \"{event}\" listener threw").into(),
                    &thrown,
                );
            }
        }
    }
}
