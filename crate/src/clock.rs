//! A stopwatch that works on every target: `std::time::Instant` panics on `wasm32-unknown-unknown`
//! (there is no clock without JavaScript), so there it reads zero and the web layer times loads
//! and frames with `performance.now()` instead.

use std::time::Duration;

/// Measures the time since it was started; always zero on `wasm32`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stopwatch {
    #[cfg(not(target_arch = "wasm32"))]
    start: std::time::Instant,
}

impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self {
            #[cfg(not(target_arch = "wasm32"))]
            start: std::time::Instant::now(),
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.start.elapsed()
        }
        #[cfg(target_arch = "wasm32")]
        {
            Duration::ZERO
        }
    }
}
