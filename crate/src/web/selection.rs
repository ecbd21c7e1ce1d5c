//! What the heat shows of the loaded points, changed without loading again: `setWeight`,
//! `setFilter`, `setTimeWindow`, and `play`/`pause`, which move the time window on animation
//! frames and emit `time` events. The engine derives the drawn points once per change (see
//! `crate::select`); this module only turns JavaScript values into its calls.

use super::global::now_ms;
use super::{Heatmap, Shared, options, to_js_value, types};
use crate::error::{Error, Result};
use crate::expr::Json;
use crate::points::ColumnKind;
use crate::scene::Scene;
use serde::Serialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// Seconds a playback with the default speed takes from `from` to `to`.
const DEFAULT_PLAY_SECONDS: f64 = 10.0;

/// A `time` event: the window drawn now (epoch ms, `[start, end)`).
#[derive(Debug, Serialize, Tsify)]
pub struct TimeEvent {
    window: [f64; 2],
}

/// A running `play`: the window `[t, t + window)` moves from `from` to `to` at `speed` ms of
/// data per second on the host's clock.
pub(super) struct Playback {
    from: f64,
    to: f64,
    window: f64,
    speed: f64,
    looping: bool,
    /// When it started (host clock, ms): the window there starts at `from`.
    started_ms: f64,
}

impl Playback {
    /// The window at `now` (host clock, ms), and whether playback goes on after it.
    fn window_at(&self, now: f64) -> ([f64; 2], bool) {
        let span = self.to - self.from - self.window;
        let travelled = (now - self.started_ms).max(0.0) / 1000.0 * self.speed;
        let (offset, going) = if travelled <= span {
            (travelled, true)
        } else if self.looping && span > 0.0 {
            (travelled % span, true)
        } else {
            (span, self.looping)
        };
        let start = self.from + offset;
        ([start, start + self.window], going)
    }
}

impl Shared {
    /// Moves a running playback's window to now, on each animation frame: the window to emit
    /// in a `time` event, if one is running.
    pub(super) fn advance_playback(&self) -> Option<[f64; 2]> {
        let mut playback = self.playback.borrow_mut();
        let (window, going) = playback.as_ref()?.window_at(now_ms());
        if !going {
            *playback = None;
        }
        // A valid playback only makes valid windows (checked in `play`).
        self.state
            .borrow_mut()
            .engine
            .set_time_window(Some(window))
            .ok()?;
        Some(window)
    }

    pub(super) fn emit_time(&self, window: [f64; 2]) {
        if self.listeners.has("time") {
            self.listeners
                .emit("time", &to_js_value(&TimeEvent { window }));
        }
    }

    /// Applies a change of selection and asks for the frame that shows it.
    fn select(&self, change: impl FnOnce(&mut crate::engine::Engine) -> Result<()>) -> Result<()> {
        change(&mut self.state.borrow_mut().engine)?;
        self.request_frame();
        Ok(())
    }
}

/// `null`/`undefined` as `None`, anything else as the expression the compiler reads.
fn expression(value: JsValue, what: &str) -> Result<Option<Json>> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    expression_part(&value, 0)
        .map(Some)
        .ok_or_else(|| Error::InvalidExpression {
            at: what.to_owned(),
            reason: format!("nested deeper than {MAX_EXPRESSION_DEPTH} arrays (or in a cycle)"),
        })
}

/// Deeper than any expression a person writes; a bound on the recursion, and on an array that
/// contains itself.
const MAX_EXPRESSION_DEPTH: usize = 64;

/// A JavaScript value read as JSON, as `JSON.stringify` would see it (`undefined` in an array
/// is `null`); `None` past [`MAX_EXPRESSION_DEPTH`].
fn expression_part(value: &JsValue, depth: usize) -> Option<Json> {
    Some(if value.is_null() || value.is_undefined() {
        Json::Null
    } else if let Some(b) = value.as_bool() {
        Json::Bool(b)
    } else if let Some(n) = value.as_f64() {
        Json::Number(n)
    } else if let Some(s) = value.as_string() {
        Json::String(s)
    } else if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        if depth == MAX_EXPRESSION_DEPTH {
            return None;
        }
        let items = array.iter().map(|item| expression_part(&item, depth + 1));
        Json::Array(items.collect::<Option<_>>()?)
    } else {
        Json::Object
    })
}

/// An instant given as epoch milliseconds or an ISO 8601 string.
fn instant(value: &JsValue, option: &'static str) -> Result<f64> {
    if let Some(ms) = value.as_f64() {
        return Ok(ms);
    }
    value
        .as_string()
        .and_then(|text| crate::iso8601::parse_ms(&text))
        .ok_or_else(|| {
            Error::option(
                option,
                "expected epoch milliseconds or an ISO 8601 date (YYYY-MM-DD) or date-time \
                 with a zone (YYYY-MM-DDThh:mm[:ss[.sss]] and Z or ±hh:mm)",
            )
        })
}

/// The earliest time loaded and the first instant after the latest (as the column stores
/// times: the next f32 offset), or `None` without times.
fn time_range(scene: &Scene) -> Option<[f64; 2]> {
    let column = scene
        .source()
        .columns()
        .iter()
        .find(|c| c.kind() == ColumnKind::Time)?;
    let (min, max) = column
        .values()
        .iter()
        .filter(|v| v.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let origin = column.origin();
    (min <= max).then(|| [origin + f64::from(min), origin + f64::from(max.next_up())])
}

/// A positive, finite number, or the error naming `option`.
fn positive(value: f64, option: &'static str) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::option(
            option,
            format!("{value} is not a positive number"),
        ))
    }
}

#[wasm_bindgen]
impl Heatmap {
    /// Weights the points by an expression over the kept properties (`"mag"`, `["get", "mag"]`,
    /// `["*", ["get", "mag"], 2]`), or by the weight read at load for `null`, without loading
    /// again. Points whose weight is missing or negative are left out. On error (code
    /// `INVALID_EXPRESSION`, `path` naming the wrong part) the previous weight stays.
    #[wasm_bindgen(js_name = setWeight)]
    pub fn set_weight(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WeightExpression | null")] expr: JsValue,
    ) -> Result<(), JsValue> {
        let expr = expression(expr, "weight")?;
        Ok(self
            .shared
            .select(|engine| engine.set_weight(expr.as_ref()))?)
    }

    /// Draws only the points that pass a filter over the kept properties (MapLibre's
    /// expressions: `[">=", ["get", "mag"], 4]`), or all for `null`. On error the previous
    /// filter stays.
    #[wasm_bindgen(js_name = setFilter)]
    pub fn set_filter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FilterExpression | null")] expr: JsValue,
    ) -> Result<(), JsValue> {
        let expr = expression(expr, "filter")?;
        Ok(self
            .shared
            .select(|engine| engine.set_filter(expr.as_ref()))?)
    }

    /// Draws only the points whose time (`timeProperty`) is in `[t0, t1)`, given as epoch
    /// milliseconds or ISO 8601 strings, or all for `null`; stops `play`. The stable
    /// normalisation covers every window, so colours mean the same in each. On error the
    /// previous window stays.
    #[wasm_bindgen(js_name = setTimeWindow)]
    pub fn set_time_window(
        &self,
        #[wasm_bindgen(unchecked_param_type = "[TimeValue, TimeValue] | null")] window: JsValue,
    ) -> Result<(), JsValue> {
        let window = if window.is_null() || window.is_undefined() {
            None
        } else {
            let pair = js_sys::Array::is_array(&window)
                .then(|| js_sys::Array::from(&window))
                .filter(|a| a.length() == 2)
                .ok_or_else(|| Error::option("timeWindow", "expected [t0, t1] or null"))?;
            Some([
                instant(&pair.get(0), "timeWindow")?,
                instant(&pair.get(1), "timeWindow")?,
            ])
        };
        self.shared
            .select(|engine| engine.set_time_window(window))?;
        self.shared.playback.borrow_mut().take();
        Ok(())
    }

    /// Moves the time window from `from` to `to` on animation frames, emitting `time` events
    /// (`{window: [t0, t1]}`) as it goes; at the end it loops or stops there. Needs a
    /// `timeProperty` at load. Replaces a running playback.
    pub fn play(&self, options: Option<types::PlayOptions>) -> Result<(), JsValue> {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let options = if options.is_undefined() || options.is_null() {
            js_sys::Object::new().into()
        } else {
            options
        };
        options::check_keys(
            &options,
            &[&["from", "to", "window", "speed", "loop"]],
            "play options",
        )?;
        let loaded = time_range(self.shared.state.borrow().engine.scene());
        let bound = |key: &'static str, default: Option<f64>| -> Result<f64> {
            let value = options::get(&options, key)?;
            if value.is_undefined() {
                default.ok_or_else(|| {
                    Error::option(key, "no times loaded: load with a `timeProperty` first")
                })
            } else {
                instant(&value, key)
            }
        };
        // The last window ends just after the latest time, so its points are in it.
        let from = bound("from", loaded.map(|[min, _]| min))?;
        let to = bound("to", loaded.map(|[_, after]| after))?;
        let span = positive(to - from, "to")?;
        let window = positive(
            options::field(&options, "window")?.unwrap_or(span / 10.0),
            "window",
        )?;
        if window > span {
            return Err(
                Error::option("window", format!("{window} ms is longer than to - from")).into(),
            );
        }
        let speed = positive(
            options::field(&options, "speed")?.unwrap_or(span / DEFAULT_PLAY_SECONDS),
            "speed",
        )?;
        *self.shared.playback.borrow_mut() = Some(Playback {
            from,
            to,
            window,
            speed,
            looping: options::field(&options, "loop")?.unwrap_or(false),
            started_ms: now_ms(),
        });
        self.shared.frames.request();
        Ok(())
    }

    /// Stops `play`; the window stays where it is.
    pub fn pause(&self) {
        self.shared.playback.borrow_mut().take();
    }
}
