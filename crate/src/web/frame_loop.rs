//! The `requestAnimationFrame` loop: one frame is requested when something becomes dirty, none
//! while nothing changes, so an idle heatmap costs nothing. It runs in a window and in a dedicated
//! worker alike (both have `requestAnimationFrame`).

use super::global;
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// What `requestAnimationFrame` calls, with the frame's timestamp.
type FrameCallback = Closure<dyn FnMut(f64)>;

#[derive(Default)]
pub(crate) struct FrameLoop {
    callback: RefCell<Option<FrameCallback>>,
    pending: Cell<Option<i32>>,
}

impl FrameLoop {
    /// Installs the function run on each animation frame.
    pub(crate) fn install(&self, on_frame: impl FnMut(f64) + 'static) {
        *self.callback.borrow_mut() = Some(Closure::new(on_frame));
    }

    /// Asks for one frame unless one is already pending.
    pub(crate) fn request(&self) {
        if self.pending.get().is_some() {
            return;
        }
        let callback = self.callback.borrow();
        let Some(callback) = callback.as_ref() else {
            return;
        };
        if let Ok(id) = global::request_animation_frame(callback.as_ref().unchecked_ref()) {
            self.pending.set(Some(id));
        }
    }

    /// Called first thing in a frame: the pending request has been served.
    pub(crate) fn frame_started(&self) {
        self.pending.set(None);
    }

    /// Cancels a pending frame and drops the callback.
    pub(crate) fn stop(&self) {
        if let Some(id) = self.pending.take() {
            global::cancel_animation_frame(id);
        }
        self.callback.borrow_mut().take();
    }
}
