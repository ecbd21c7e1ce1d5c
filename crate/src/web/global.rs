//! The global scope a heatmap runs in: a page's `Window` or a `DedicatedWorkerGlobalScope`.
//! Both have `requestAnimationFrame` (Chromium and Firefox give it to dedicated workers for
//! `OffscreenCanvas`), `performance.now()`, timers and `fetch`; only a window has a
//! `devicePixelRatio`.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, Performance, Window};

#[derive(Clone)]
pub(crate) enum Scope {
    Window(Window),
    Worker(DedicatedWorkerGlobalScope),
}

thread_local! {
    /// Looked up once: the scope of a wasm instance never changes.
    static SCOPE: Option<Scope> = detect();
    static PERFORMANCE: Option<Performance> = match detect() {
        Some(Scope::Window(w)) => w.performance(),
        Some(Scope::Worker(w)) => w.performance(),
        None => None,
    };
}

fn detect() -> Option<Scope> {
    let global = js_sys::global();
    if let Some(window) = global.dyn_ref::<Window>() {
        return Some(Scope::Window(window.clone()));
    }
    global
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .ok()
        .map(Scope::Worker)
}

/// The scope this code runs in; `None` in a scope that is neither (a shared or service worker),
/// where a heatmap cannot run.
pub(crate) fn scope() -> Option<Scope> {
    SCOPE.with(Clone::clone)
}

/// Milliseconds from `performance.now()`; 0 without a clock.
pub(crate) fn now_ms() -> f64 {
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, Performance::now))
}

/// `window.devicePixelRatio`; `None` in a worker (the page forwards its own).
pub(crate) fn device_pixel_ratio() -> Option<f64> {
    match scope()? {
        Scope::Window(w) => Some(w.device_pixel_ratio()),
        Scope::Worker(_) => None,
    }
}

pub(crate) fn request_animation_frame(callback: &js_sys::Function) -> Result<i32, JsValue> {
    match scope() {
        Some(Scope::Window(w)) => w.request_animation_frame(callback),
        Some(Scope::Worker(w)) => w.request_animation_frame(callback),
        None => Err(no_scope()),
    }
}

pub(crate) fn cancel_animation_frame(id: i32) {
    // Cancelling a frame that already ran is a no-op; there is nothing to report.
    let _ = match scope() {
        Some(Scope::Window(w)) => w.cancel_animation_frame(id),
        Some(Scope::Worker(w)) => w.cancel_animation_frame(id),
        None => Ok(()),
    };
}

/// `fetch(url)`: a promise of a `Response`.
pub(crate) fn fetch(url: &str) -> Result<js_sys::Promise, JsValue> {
    match scope() {
        Some(Scope::Window(w)) => Ok(w.fetch_with_str(url)),
        Some(Scope::Worker(w)) => Ok(w.fetch_with_str(url)),
        None => Err(no_scope()),
    }
}

/// Resolves after `ms` milliseconds: a timer task, so that other tasks (animation frames, GPU
/// callbacks, messages) run in between.
pub(crate) async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = match scope() {
            Some(Scope::Window(w)) => {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            }
            Some(Scope::Worker(w)) => {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            }
            None => resolve.call0(&JsValue::NULL).map(|_| 0),
        };
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn no_scope() -> JsValue {
    crate::error::Error::UnsupportedScope.into()
}

/// Resolves in a new task (a `MessageChannel` message: no timer clamping), so that animation
/// frames and messages waiting in the queue run first. Long work calls this between slices.
pub(crate) async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let posted = web_sys::MessageChannel::new().and_then(|channel| {
            channel.port1().set_onmessage(Some(&resolve));
            channel.port2().post_message(&JsValue::UNDEFINED)
        });
        if posted.is_err() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `url` resolved as `fetch` resolves it: against the document's base URL in a window, the
/// worker's own URL in a worker. Unchanged when it cannot be resolved (`fetch` then says why).
pub(crate) fn resolve_url(url: &str) -> String {
    let global = js_sys::global();
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &key.into()).ok();
    let base = match scope() {
        Some(Scope::Window(_)) => get(&global, "document").and_then(|d| get(&d, "baseURI")),
        Some(Scope::Worker(_)) => get(&global, "location").and_then(|l| get(&l, "href")),
        None => None,
    }
    .and_then(|base| base.as_string());
    base.and_then(|base| web_sys::Url::new_with_base(url, &base).ok())
        .map_or_else(|| url.to_owned(), |resolved| resolved.href())
}
