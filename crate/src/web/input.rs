//! Input as plain events, whoever captured them: the DOM listeners of a page's canvas
//! ([`super::dom_input`]) and the page's proxy of a worker's heatmap both call
//! [`Shared::input`] with `{type, x, y, pointerId, deltaY, deltaMode, key}` in CSS pixels
//! relative to the canvas. This module keeps track of the pointers down and turns wheel deltas
//! and keys into steps; the engine turns those and pointer motion into views.

use super::Shared;
use super::options::field;
use crate::engine::Engine;
use crate::error::{Error, Result};
use wasm_bindgen::JsValue;

/// CSS pixels an arrow key pans by.
const KEY_PAN_PX: f64 = 100.0;
/// Wheel pixels per zoom level (a mouse notch is ~100 px: a third of a level).
const WHEEL_PX_PER_ZOOM: f64 = 300.0;
/// Pixels per line of a wheel event in `DOM_DELTA_LINE` mode.
const WHEEL_LINE_PX: f64 = 16.0;

/// One input event, as `Heatmap.input` takes it.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputEvent {
    /// `pointerdown`, `pointermove`, `pointerup`, `pointercancel`, `wheel` or `keydown`.
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
    /// Missing members take their defaults (a `keydown` has no position, a `pointermove` no key).
    pub(crate) fn from_js(value: JsValue) -> Result<Self> {
        let member = |error: Error| {
            Error::argument(format!(
                "an input event is {{type, x, y, pointerId, deltaY, deltaMode, key}}: {error}"
            ))
        };
        let read = || -> Result<Self> {
            Ok(Self {
                kind: field(&value, "type")?.unwrap_or_default(),
                x: field(&value, "x")?.unwrap_or_default(),
                y: field(&value, "y")?.unwrap_or_default(),
                // Pointer ids and delta modes are small integers in every browser.
                pointer_id: field::<f64>(&value, "pointerId")?.unwrap_or_default() as i32,
                delta_y: field(&value, "deltaY")?.unwrap_or_default(),
                delta_mode: field::<f64>(&value, "deltaMode")?.unwrap_or_default() as u32,
                key: field(&value, "key")?.unwrap_or_default(),
            })
        };
        read().map_err(member)
    }
}

/// Pointers currently down on the canvas, in the order they went down (at most two are used:
/// drag, pinch).
#[derive(Default)]
pub(crate) struct Pointers {
    down: Vec<(i32, [f64; 2])>,
}

impl Pointers {
    fn positions(&self) -> Vec<[f64; 2]> {
        self.down.iter().map(|(_, at)| *at).collect()
    }
}

impl Shared {
    /// Applies one input event; returns whether it was used (a page then prevents the browser's
    /// default action, such as scrolling by arrow keys). The engine turns pointer motion, wheel
    /// and key steps into views.
    pub(super) fn input(&self, e: &InputEvent) -> bool {
        let at = [e.x, e.y];
        match e.kind.as_str() {
            "pointerdown" => {
                let mut pointers = self.gesture.borrow_mut();
                let known = pointers.down.iter().any(|(id, _)| *id == e.pointer_id);
                if known || pointers.down.len() >= 2 {
                    return false;
                }
                pointers.down.push((e.pointer_id, at));
                true
            }
            "pointermove" => {
                let (old, new) = {
                    let mut pointers = self.gesture.borrow_mut();
                    let Some(index) = pointers.down.iter().position(|(id, _)| *id == e.pointer_id)
                    else {
                        return false;
                    };
                    let old = pointers.positions();
                    pointers.down[index].1 = at;
                    (old, pointers.positions())
                };
                self.moved(|engine| engine.gesture(&old, &new));
                true
            }
            "pointerup" | "pointercancel" => {
                let mut pointers = self.gesture.borrow_mut();
                let before = pointers.down.len();
                pointers.down.retain(|(id, _)| *id != e.pointer_id);
                pointers.down.len() != before
            }
            "wheel" => {
                let pixels = match e.delta_mode {
                    1 => e.delta_y * WHEEL_LINE_PX,
                    2 => e.delta_y * f64::from(self.current_view().height),
                    _ => e.delta_y,
                };
                let levels = (-pixels / WHEEL_PX_PER_ZOOM).clamp(-1.0, 1.0);
                self.moved(|engine| engine.zoom_by(levels, Some(at)));
                true
            }
            "keydown" => match e.key.as_str() {
                "+" | "=" => self.moved(|engine| engine.zoom_by(1.0, None)),
                "-" | "_" => self.moved(|engine| engine.zoom_by(-1.0, None)),
                "ArrowLeft" => self.moved(|engine| engine.pan(KEY_PAN_PX, 0.0)),
                "ArrowRight" => self.moved(|engine| engine.pan(-KEY_PAN_PX, 0.0)),
                "ArrowUp" => self.moved(|engine| engine.pan(0.0, KEY_PAN_PX)),
                "ArrowDown" => self.moved(|engine| engine.pan(0.0, -KEY_PAN_PX)),
                _ => false,
            },
            _ => false,
        }
    }

    /// A view change from input; one the view cannot take (beyond the zoom limits, say) is
    /// ignored, as a map ignores a scroll past its last zoom level. True when the view changed.
    fn moved(&self, change: impl FnOnce(&mut Engine) -> Result<bool>) -> bool {
        self.change_view(change).unwrap_or(false)
    }
}
