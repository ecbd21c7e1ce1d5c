//! [`Clock`]: where the engine reads the time, so that frame budgets and `geoheat.time` follow
//! the host's clock (`performance.now()` in a browser) and tests can run on a fake one.

/// A monotonic clock in milliseconds.
pub trait Clock {
    /// The current time in milliseconds since an origin of the clock's choosing.
    fn now_ms(&mut self) -> f64;
}

/// Any `FnMut() -> f64` is a clock, so a host passes `|| performance.now()` as it is.
impl<F: FnMut() -> f64> Clock for F {
    fn now_ms(&mut self) -> f64 {
        self()
    }
}
