//! The WebGPU frame watchdog. A custom layer whose shader loops for a very long time submits
//! work that does not finish, and the browser does not lose the device over it (Chromium on
//! SwiftShader ran such a shader for minutes with the device alive): the frame is handed to the
//! canvas at once, but nothing after it ever shows. So the work of the presented GPU frames is
//! watched (`onSubmittedWorkDone`): when it has not finished after [`FRAME_TIMEOUT_MS`] (twice
//! that at most, see [`GpuWatch`]), the device is destroyed and the engine told it was lost,
//! which falls back to Canvas 2D as for any lost device: custom layers then report inactive
//! with a `layer` event, and the `backend` event gives this reason.

use super::Shared;
use super::global::sleep_ms;
use crate::engine::Backend;
use crate::error::Error;
use crate::gpu::wgpu;
use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How long the work of a GPU frame may take: far beyond a real frame, even of a million points
/// on a software adapter, so that only work that will not end in any useful time trips it.
pub(super) const FRAME_TIMEOUT_MS: i32 = 10_000;

/// One watch runs at a time, so a page drawing 60 frames a second sets one timer per
/// [`FRAME_TIMEOUT_MS`], not one per frame. Work finishes in the order it was submitted, so a
/// watch that ends with frames submitted since it began watches again, covering them all.
#[derive(Default)]
pub(super) struct GpuWatch {
    running: Cell<bool>,
    submitted_since: Cell<bool>,
}

impl Shared {
    /// Watches the work submitted so far to `queue` (a presented frame's), unless a watch is
    /// running, which then covers it when it watches again. The timer holds the heatmap
    /// weakly, so that it keeps nothing alive.
    pub(super) fn watch_gpu_work(self: &Rc<Self>, device: wgpu::Device, queue: &wgpu::Queue) {
        if self.gpu_watch.running.replace(true) {
            self.gpu_watch.submitted_since.set(true);
            return;
        }
        let queue = queue.clone();
        let shared: Weak<Self> = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                // wgpu's callback must be Send; on wasm it runs on this thread all the same.
                let finished = Arc::new(AtomicBool::new(false));
                let done = Arc::clone(&finished);
                queue.on_submitted_work_done(move || done.store(true, Ordering::Relaxed));
                sleep_ms(FRAME_TIMEOUT_MS).await;
                let Some(shared) = shared.upgrade() else {
                    return;
                };
                if !finished.load(Ordering::Relaxed) {
                    shared.gpu_watch.running.set(false);
                    shared.gpu_work_timed_out(&device);
                    return;
                }
                if !shared.gpu_watch.submitted_since.replace(false) {
                    shared.gpu_watch.running.set(false);
                    return;
                }
            }
        });
    }

    /// Destroys `device` and falls back, unless the heatmap has left it meanwhile.
    fn gpu_work_timed_out(self: &Rc<Self>, device: &wgpu::Device) {
        let mut state = self.state.borrow_mut();
        // The heatmap left this device meanwhile (a change of backend, `destroy`), perhaps
        // for another one.
        let replaced = state
            .gpu
            .as_ref()
            .is_some_and(|gpu| gpu.device() != *device);
        if state.engine.backend() != Backend::Gpu || replaced {
            return;
        }
        // The presenter, unless a later frame has it: that frame then ends stale.
        let gpu = state.gpu.take();
        device.destroy();
        let outcome = state.engine.gpu_failed(Error::GpuLost {
            reason: format!(
                "a frame's GPU work did not finish within {} s (a custom layer's shader \
                 may run too long), so the device was destroyed",
                FRAME_TIMEOUT_MS / 1000
            ),
        });
        drop(state);
        self.act_on(outcome, gpu);
    }
}
