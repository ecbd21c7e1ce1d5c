//! CPU density: the exact reference and the fast path, normalisation and colouring.

use crate::error::Result;
use crate::geo::View;
use crate::points::PointBuffer;
use crate::style::HeatStyle;
use crate::surface::Surface;
use std::time::Duration;

/// Density values of one frame, one f32 per device pixel, row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DensityField {
    pub width: u32,
    pub height: u32,
    pub values: Vec<f32>,
}

/// What a render did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameStats {
    pub width: u32,
    pub height: u32,
    /// The kernel radius in device pixels.
    pub radius_px: f64,
    /// Highest density in the frame.
    pub max_density: f32,
    /// The density that maps to the top of the ramp.
    pub normalize_max: f32,
    pub elapsed: Duration,
}

/// The fast CPU renderer. Keeps its scratch buffers between frames: no allocation per frame once
/// the size is steady.
#[derive(Debug, Default)]
pub struct CpuRenderer {}

impl CpuRenderer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Renders `points` into the back buffer of `surface` (resized to the view's device pixels), then swaps.
    pub fn render(
        &mut self,
        points: &PointBuffer,
        style: &HeatStyle,
        view: &View,
        surface: &mut Surface,
    ) -> Result<FrameStats> {
        let _ = (points, style, view, surface);
        unimplemented!("fast CPU render")
    }
}
