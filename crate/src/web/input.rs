//! Input as plain events, whoever captured them: the DOM listeners of a page's canvas
//! ([`super::dom_input`]) and the page's proxy of a worker's heatmap both call
//! [`Shared::input`] with `{type, x, y, pointerId, deltaY, deltaMode, key}` in CSS pixels
//! relative to the canvas. The gesture maths (drag, pinch, wheel and key steps) lives here.

use super::Shared;
use super::errors;
use serde::Deserialize;
use wasm_bindgen::JsValue;

/// CSS pixels an arrow key pans by.
const KEY_PAN_PX: f64 = 100.0;
/// Wheel pixels per zoom level (a mouse notch is ~100 px: a third of a level).
const WHEEL_PX_PER_ZOOM: f64 = 300.0;
/// Pixels per line of a wheel event in `DOM_DELTA_LINE` mode.
const WHEEL_LINE_PX: f64 = 16.0;

/// One input event, as `Heatmap.input` takes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct InputEvent {
    /// `pointerdown`, `pointermove`, `pointerup`, `pointercancel`, `wheel` or `keydown`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Position in CSS pixels from the canvas's top-left corner.
    pub x: f64,
    pub y: f64,
    pub pointer_id: i32,
    pub delta_y: f64,
    /// `WheelEvent.deltaMode`: 0 pixels, 1 lines, 2 pages.
    pub delta_mode: u32,
    pub key: String,
}

impl InputEvent {
    pub(crate) fn from_js(value: JsValue) -> Result<Self, JsValue> {
        let event: Self = serde_wasm_bindgen::from_value(value).map_err(|e| {
            errors::usage(
                "INVALID_ARGUMENT",
                &format!(
                    "an input event is {{type, x, y, pointerId, deltaY, deltaMode, key}}: {e}"
                ),
            )
        })?;
        Ok(event)
    }
}

/// Pointers currently down on the canvas (at most two are used: drag, pinch).
#[derive(Default)]
pub(crate) struct Gesture {
    pointers: Vec<(i32, [f64; 2])>,
}

impl Shared {
    /// Applies one input event; returns whether it was used (a page then prevents the browser's
    /// default action, such as scrolling by arrow keys).
    pub(super) fn input(&self, e: &InputEvent) -> bool {
        let at = [e.x, e.y];
        match e.kind.as_str() {
            "pointerdown" => {
                let mut g = self.gesture.borrow_mut();
                let known = g.pointers.iter().any(|(id, _)| *id == e.pointer_id);
                if known || g.pointers.len() >= 2 {
                    return false;
                }
                g.pointers.push((e.pointer_id, at));
                true
            }
            "pointermove" => {
                let (old, new) = {
                    let mut g = self.gesture.borrow_mut();
                    let Some(index) = g.pointers.iter().position(|(id, _)| *id == e.pointer_id)
                    else {
                        return false;
                    };
                    let old = g.pointers.clone();
                    g.pointers[index].1 = at;
                    (old, g.pointers.clone())
                };
                self.gesture(&old, &new);
                true
            }
            "pointerup" | "pointercancel" => {
                let mut g = self.gesture.borrow_mut();
                let before = g.pointers.len();
                g.pointers.retain(|(id, _)| *id != e.pointer_id);
                g.pointers.len() != before
            }
            "wheel" => {
                let pixels = match e.delta_mode {
                    1 => e.delta_y * WHEEL_LINE_PX,
                    2 => e.delta_y * f64::from(self.current_view().height),
                    _ => e.delta_y,
                };
                self.zoom_by((-pixels / WHEEL_PX_PER_ZOOM).clamp(-1.0, 1.0), Some(at));
                true
            }
            "keydown" => match e.key.as_str() {
                "+" | "=" => self.zoom_by(1.0, None),
                "-" | "_" => self.zoom_by(-1.0, None),
                "ArrowLeft" => self.pan(KEY_PAN_PX, 0.0),
                "ArrowRight" => self.pan(-KEY_PAN_PX, 0.0),
                "ArrowUp" => self.pan(0.0, KEY_PAN_PX),
                "ArrowDown" => self.pan(0.0, -KEY_PAN_PX),
                _ => false,
            },
            _ => false,
        }
    }

    fn pan(&self, dx: f64, dy: f64) -> bool {
        let view = self.current_view().panned_by(dx, dy);
        self.set_view(view).unwrap_or(false)
    }

    fn zoom_by(&self, delta: f64, anchor: Option<[f64; 2]>) -> bool {
        let view = self.current_view();
        let anchor = anchor.unwrap_or([f64::from(view.width) / 2.0, f64::from(view.height) / 2.0]);
        self.set_view(view.zoomed_around(view.zoom + delta, anchor))
            .unwrap_or(false)
    }

    /// One pointer moved: drag. Two: pinch-zoom around their midpoint, and drag by its motion.
    fn gesture(&self, old: &[(i32, [f64; 2])], new: &[(i32, [f64; 2])]) {
        match (old, new) {
            ([(_, a)], [(_, b)]) => {
                self.pan(b[0] - a[0], b[1] - a[1]);
            }
            ([(_, a0), (_, a1)], [(_, b0), (_, b1)]) => {
                let (old_d, new_d) = (distance(*a0, *a1), distance(*b0, *b1));
                let (old_mid, new_mid) = (midpoint(*a0, *a1), midpoint(*b0, *b1));
                let view = self
                    .current_view()
                    .panned_by(new_mid[0] - old_mid[0], new_mid[1] - old_mid[1]);
                let zoomed = if old_d > 0.0 && new_d > 0.0 {
                    view.zoomed_around(view.zoom + libm::log2(new_d / old_d), new_mid)
                } else {
                    view
                };
                let _ = self.set_view(zoomed);
            }
            _ => {}
        }
    }
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn midpoint(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}
