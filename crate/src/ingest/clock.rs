//! Wall-clock timing of a load that also compiles for the browser.
//!
//! `std::time::Instant::now()` panics on `wasm32-unknown-unknown` (there is no clock without
//! JavaScript), so on that target the stopwatch reads zero and the web layer times loads itself
//! with `performance.now()`.

use std::time::Duration;

/// Measures the time since [`Stopwatch::start`]; always zero on wasm32.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stopwatch {
    #[cfg(not(target_arch = "wasm32"))]
    start: std::time::Instant,
}

impl Stopwatch {
    pub(super) fn start() -> Self {
        Self {
            #[cfg(not(target_arch = "wasm32"))]
            start: std::time::Instant::now(),
        }
    }

    pub(super) fn elapsed(&self) -> Duration {
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
