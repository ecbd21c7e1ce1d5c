//! The view: `setView`, `view`, `fitBounds`, the canvas's size (`resize` on a page, `setSize`
//! for a worker's canvas, which has no layout) and `input`, which feeds plain input events to
//! the gesture handler.

use super::canvas::Canvas;
use super::global;
use super::input::InputEvent;
use super::{Heatmap, Shared, options, to_js_value, to_ts, types};
use crate::engine::{Engine, FitOptions};
use crate::error::{Error, Result};
use crate::geo::{LonLatBounds, View};
use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

impl Shared {
    /// Applies `change` to the engine's view; when the view changed, asks for a frame and emits
    /// `view`.
    pub(super) fn change_view(
        &self,
        change: impl FnOnce(&mut Engine) -> Result<bool>,
    ) -> Result<bool> {
        let (changed, view) = {
            let mut state = self.state.borrow_mut();
            (change(&mut state.engine)?, *state.engine.view())
        };
        if changed {
            self.request_frame();
            if self.listeners.has("view") {
                self.listeners
                    .emit("view", &to_js_value(&ViewState::from(&view)));
            }
        }
        Ok(changed)
    }

    pub(super) fn current_view(&self) -> View {
        *self.state.borrow().engine.view()
    }

    /// Follows the canvas's CSS size and the device pixel ratio: those told by `setSize` if any,
    /// else the element's layout and the window's ratio. (Not a choice of view: no `view` event,
    /// and a later load still fits.)
    pub(super) fn resize_to_canvas(&self) {
        let resized = {
            let mut state = self.state.borrow_mut();
            let (w, h) = css_size(&state.canvas, state.host_size);
            let dpr = device_pixel_ratio(state.device_pixel_ratio_override, state.host_size);
            // A size the view cannot take (a collapsed canvas) keeps the last one.
            state.engine.resize(w, h, dpr).unwrap_or(false)
        };
        if resized {
            self.request_frame();
        }
    }
}

/// The `devicePixelRatio` option, else the one told by `setSize`, else the window's, else 1.
pub(super) fn device_pixel_ratio(
    option: Option<f64>,
    host_size: Option<(u32, u32, Option<f64>)>,
) -> f64 {
    option
        .or_else(|| host_size.and_then(|(_, _, dpr)| dpr))
        .or_else(global::device_pixel_ratio)
        .unwrap_or(1.0)
}

/// CSS size: told by `setSize`, else the element's layout size, else the canvas's attribute size
/// (a canvas that is not laid out yet, or an `OffscreenCanvas` never told its size).
pub(super) fn css_size(canvas: &Canvas, host_size: Option<(u32, u32, Option<f64>)>) -> (u32, u32) {
    if let Some((w, h, _)) = host_size {
        return (w, h);
    }
    canvas.css_size().unwrap_or_else(|| {
        let (w, h) = canvas.size();
        (w.max(1), h.max(1))
    })
}

/// A view as JavaScript sees it (`view()` and the `view` event).
#[derive(Debug, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ViewState {
    /// [longitude, latitude] in degrees.
    center: [f64; 2],
    /// Web Mercator zoom: the world is 512 * 2^zoom CSS pixels wide (MapLibre's convention).
    zoom: f64,
    /// CSS pixels.
    width: u32,
    height: u32,
    device_pixel_ratio: f64,
}

impl From<&View> for ViewState {
    fn from(view: &View) -> Self {
        Self {
            center: view.center,
            zoom: view.zoom,
            width: view.width,
            height: view.height,
            device_pixel_ratio: view.device_pixel_ratio,
        }
    }
}

#[wasm_bindgen]
impl Heatmap {
    /// Moves the view (`{center?: [lon, lat], zoom?}`).
    #[wasm_bindgen(js_name = setView)]
    pub fn set_view(&self, options: types::ViewOptions) -> Result<(), JsValue> {
        let (center, zoom) = options::parse_view(&options.into())?;
        let current = self.shared.current_view();
        let view = View {
            center: center.unwrap_or(current.center),
            zoom: zoom.unwrap_or(current.zoom),
            ..current
        };
        self.shared.change_view(|engine| engine.set_view(view))?;
        Ok(())
    }

    /// The current view: `{center, zoom, width, height, devicePixelRatio}`.
    pub fn view(&self) -> Ts<ViewState> {
        to_ts(&ViewState::from(&self.shared.current_view()))
    }

    /// Shows `[west, south, east, north]` (west > east across the antimeridian) with `padding`
    /// CSS pixels around it.
    #[wasm_bindgen(js_name = fitBounds)]
    pub fn fit_bounds(&self, bbox: Vec<f64>, padding: Option<f64>) -> Result<(), JsValue> {
        let [west, south, east, north] = bbox[..] else {
            return Err(Error::option("bbox", "expected [west, south, east, north]").into());
        };
        let bounds = LonLatBounds {
            west,
            south,
            east,
            north,
        };
        let padding = padding.unwrap_or(FitOptions::default().padding);
        self.shared
            .change_view(|engine| engine.fit_bounds(&bounds, padding))?;
        Ok(())
    }

    /// Draws any pending change now instead of at the next animation frame, for hosts that
    /// render in a frame of their own (a map library's render callback): on Canvas 2D the canvas
    /// holds the current scene and view when this returns (true); on WebGPU the frame is started
    /// and this returns false until it has reached the canvas (the `frame` event).
    #[wasm_bindgen(js_name = renderNow)]
    pub fn render_now(&self) -> Result<bool, JsValue> {
        self.shared.render_now()
    }

    /// Re-reads the canvas's size and the device pixel ratio (a ResizeObserver does this already).
    pub fn resize(&self) {
        self.shared.resize_to_canvas();
    }

    /// Tells the canvas's CSS size (and the page's `devicePixelRatio`): what a worker's
    /// `OffscreenCanvas` cannot know itself. From then on the size is this one, not the layout's.
    #[wasm_bindgen(js_name = setSize)]
    pub fn set_size(
        &self,
        width: f64,
        height: f64,
        device_pixel_ratio: Option<f64>,
    ) -> Result<(), JsValue> {
        let valid = |v: f64| v.is_finite() && v >= 1.0 && v <= f64::from(u16::MAX);
        if !(valid(width) && valid(height)) {
            return Err(Error::option(
                "size",
                format!("{width} x {height} is not a CSS size of at least 1 x 1"),
            )
            .into());
        }
        if let Some(dpr) = device_pixel_ratio
            && !(dpr.is_finite() && dpr > 0.0)
        {
            return Err(Error::option(
                "devicePixelRatio",
                format!("{dpr} is not a positive ratio"),
            )
            .into());
        }
        self.shared.state.borrow_mut().host_size = Some((
            width.round() as u32,
            height.round() as u32,
            device_pixel_ratio,
        ));
        self.shared.resize_to_canvas();
        Ok(())
    }

    /// Applies one input event `{type, x, y, pointerId, deltaY, deltaMode, key}` (CSS pixels from
    /// the canvas's top-left corner; `type` is `pointerdown`, `pointermove`, `pointerup`,
    /// `pointercancel`, `wheel` or `keydown`), as the canvas's own listeners do. Returns whether
    /// it was used. For hosts that capture input elsewhere, such as a worker's page.
    pub fn input(&self, event: JsValue) -> Result<bool, JsValue> {
        let event = InputEvent::from_js(event)?;
        Ok(self.shared.input(&event))
    }
}
