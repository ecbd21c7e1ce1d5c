//! The view: `setView`, `view`, `fitBounds`, the canvas's size (`resize` on a page, `setSize`
//! for a worker's canvas, which has no layout) and `input`, which feeds plain input events to
//! the gesture handler.

use super::errors::to_js;
use super::global;
use super::input::InputEvent;
use super::{Heatmap, Shared, options, to_js_value, types};
use crate::error::{Error, Result};
use crate::geo::{LonLatBounds, View};
use serde::Serialize;
use wasm_bindgen::prelude::*;

impl Shared {
    /// Replaces the view if it is valid; returns whether it changed.
    pub(super) fn set_view(&self, view: View) -> Result<bool> {
        view.validate()?;
        let changed = {
            let mut state = self.state.borrow_mut();
            state.view_explicit = true;
            let changed = state.view != view;
            state.view = view;
            changed
        };
        if changed {
            self.mark_dirty();
            if self.listeners.has("view") {
                self.listeners.emit("view", &view_to_js(&view));
            }
        }
        Ok(changed)
    }

    pub(super) fn current_view(&self) -> View {
        self.state.borrow().view
    }

    /// Follows the canvas's CSS size and the device pixel ratio: those told by `setSize` if any,
    /// else the element's layout and the window's ratio.
    pub(super) fn resize_to_canvas(&self) {
        let changed = {
            let mut state = self.state.borrow_mut();
            let (w, h) = state.css_size();
            let dpr = state.device_pixel_ratio();
            let view = View {
                width: w,
                height: h,
                device_pixel_ratio: dpr,
                ..state.view
            };
            let changed = view != state.view && view.validate().is_ok();
            if changed {
                state.view = view;
            }
            changed
        };
        if changed {
            self.mark_dirty();
        }
    }
}

impl super::State {
    /// The `devicePixelRatio` option, else the one told by `setSize`, else the window's, else 1.
    pub(super) fn device_pixel_ratio(&self) -> f64 {
        self.device_pixel_ratio_override
            .or_else(|| self.host_size.and_then(|(_, _, dpr)| dpr))
            .or_else(global::device_pixel_ratio)
            .unwrap_or(1.0)
    }

    /// CSS size: told by `setSize`, else the element's layout size, else the canvas's attribute
    /// size (a canvas that is not laid out yet, or an `OffscreenCanvas` never told its size).
    pub(super) fn css_size(&self) -> (u32, u32) {
        if let Some((w, h, _)) = self.host_size {
            return (w, h);
        }
        self.canvas.css_size().unwrap_or_else(|| {
            let (w, h) = self.canvas.size();
            (w.max(1), h.max(1))
        })
    }
}

pub(super) fn view_to_js(view: &View) -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ViewJs {
        center: [f64; 2],
        zoom: f64,
        width: u32,
        height: u32,
        device_pixel_ratio: f64,
    }
    to_js_value(&ViewJs {
        center: view.center,
        zoom: view.zoom,
        width: view.width,
        height: view.height,
        device_pixel_ratio: view.device_pixel_ratio,
    })
}

#[wasm_bindgen]
impl Heatmap {
    /// Moves the view (`{center?: [lon, lat], zoom?}`).
    #[wasm_bindgen(js_name = setView)]
    pub fn set_view(&self, options: types::ViewOptions) -> Result<(), JsValue> {
        let (center, zoom) = options::parse_view(&options.into()).map_err(|e| to_js(&e))?;
        let current = self.shared.current_view();
        let view = View {
            center: center.unwrap_or(current.center),
            zoom: zoom.unwrap_or(current.zoom),
            ..current
        };
        self.shared.set_view(view).map_err(|e| to_js(&e))?;
        Ok(())
    }

    /// The current view: `{center, zoom, width, height, devicePixelRatio}`.
    pub fn view(&self) -> types::ViewState {
        view_to_js(&self.shared.current_view()).unchecked_into()
    }

    /// Shows `[west, south, east, north]` (west > east across the antimeridian) with `padding`
    /// CSS pixels around it.
    #[wasm_bindgen(js_name = fitBounds)]
    pub fn fit_bounds(&self, bbox: Vec<f64>, padding: Option<f64>) -> Result<(), JsValue> {
        let [west, south, east, north] = bbox[..] else {
            return Err(to_js(&Error::option(
                "bbox",
                "expected [west, south, east, north]",
            )));
        };
        let bounds = LonLatBounds {
            west,
            south,
            east,
            north,
        };
        let v = self.shared.current_view();
        let view = View::fit(
            &bounds,
            v.width,
            v.height,
            v.device_pixel_ratio,
            padding.unwrap_or(20.0),
        )
        .map_err(|e| to_js(&e))?;
        self.shared.set_view(view).map_err(|e| to_js(&e))?;
        Ok(())
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
            return Err(to_js(&Error::option(
                "size",
                format!("{width} x {height} is not a CSS size of at least 1 x 1"),
            )));
        }
        if let Some(dpr) = device_pixel_ratio
            && !(dpr.is_finite() && dpr > 0.0)
        {
            return Err(to_js(&Error::option(
                "devicePixelRatio",
                format!("{dpr} is not a positive ratio"),
            )));
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
