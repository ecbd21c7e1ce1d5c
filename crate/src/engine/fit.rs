//! The view rules of a load: fit the data when the load asks, or when no view was chosen yet.

use crate::error::Result;
use crate::geo::View;
use crate::points::PointBuffer;

/// The view before any data or explicit view: the whole world.
const WORLD: ([f64; 2], f64) = ([0.0, 20.0], 1.0);

/// How a load treats the view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// `Some(true)`: fit the data; `Some(false)`: keep the view; `None`: fit unless a view was
    /// chosen explicitly.
    pub fit_bounds: Option<bool>,
    /// CSS pixels left around the data when fitting.
    pub padding: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            fit_bounds: None,
            padding: 20.0,
        }
    }
}

/// The whole world in a view of `width`×`height` CSS pixels: where a heatmap starts.
pub fn world_view(width: u32, height: u32, device_pixel_ratio: f64) -> View {
    View {
        center: WORLD.0,
        zoom: WORLD.1,
        width,
        height,
        device_pixel_ratio,
    }
}

/// The view after loading `points` into a heatmap showing `view` (`explicit`: chosen by the
/// caller rather than fitted), or `None` to keep it. Fitting needs points: without any the view
/// stays.
pub(crate) fn view_after_load(
    view: &View,
    explicit: bool,
    points: &PointBuffer,
    fit: &FitOptions,
) -> Result<Option<View>> {
    let wanted = fit.fit_bounds.unwrap_or(!explicit);
    match points.bounds() {
        Some(bounds) if wanted => View::fit(
            &bounds,
            view.width,
            view.height,
            view.device_pixel_ratio,
            fit.padding,
        )
        .map(Some),
        _ => Ok(None),
    }
}
