//! [`FrameStats`]: what a render did, in the same shape on every backend.

use std::time::Duration;

/// What a render did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameStats {
    /// Width in device pixels.
    pub width: u32,
    /// Height in device pixels.
    pub height: u32,
    /// The kernel radius in device pixels.
    pub radius_px: f64,
    /// The blur grid's cell in device pixels (1: the blur ran at full resolution).
    pub cell_px: u32,
    /// Highest density in the frame.
    pub max_density: f32,
    /// The density that maps to the top of the ramp.
    pub normalize_max: f32,
    /// Time the render took; zero on `wasm32`, where the caller measures with `performance.now()`.
    pub elapsed: Duration,
}
