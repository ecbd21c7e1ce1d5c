//! geoheat errors as JavaScript `Error` objects with machine-readable fields.

use crate::error::Error;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

/// An `Error` whose `message` is the human text and which carries `code` (such as
/// `GEOJSON_SYNTAX`) and, where known, `featureIndex`, `line`, `column`, `byteOffset`, `option`,
/// `layer`.
pub(crate) fn to_js(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("GeoheatError");
    set(&js, "code", error.code().into());
    match error {
        Error::GeoJson { at, .. } => {
            set(&js, "line", at.line.into());
            set(&js, "column", at.column.into());
            set(&js, "byteOffset", at.byte_offset.into());
            set(
                &js,
                "featureIndex",
                at.feature_index.map_or(JsValue::NULL, JsValue::from),
            );
        }
        Error::GeoJsonValue { feature_index, .. } => set(
            &js,
            "featureIndex",
            feature_index.map_or(JsValue::NULL, JsValue::from),
        ),
        Error::InvalidOption { option, .. } => set(&js, "option", (*option).into()),
        Error::UnknownOption { name, .. } => set(&js, "option", name.as_str().into()),
        Error::InvalidPoint { index, .. } => set(&js, "pointIndex", (*index).into()),
        Error::Wgsl {
            layer,
            line,
            column,
            ..
        } => {
            set(&js, "layer", layer.as_str().into());
            set(&js, "line", line.map_or(JsValue::NULL, JsValue::from));
            set(&js, "column", column.map_or(JsValue::NULL, JsValue::from));
        }
        Error::Layer { layer, .. } | Error::LayerNonFinite { layer } => {
            set(&js, "layer", layer.as_str().into())
        }
        _ => {}
    }
    js.into()
}

/// An error about using the API itself (such as calling a destroyed heatmap), with a `code`.
pub(crate) fn usage(code: &str, message: &str) -> JsValue {
    let js = js_sys::Error::new(message);
    js.set_name("GeoheatError");
    set(&js, "code", code.into());
    js.into()
}

fn set(target: &js_sys::Error, key: &str, value: JsValue) {
    // Setting a property on a fresh, extensible Error object cannot fail.
    let _ = Reflect::set(target, &key.into(), &value);
}

/// A `fetch` that failed (`status` is `None` when no response came: a network error, a refused
/// URL), with code `FETCH_FAILED` and the `url` and HTTP `status` as fields.
pub(crate) fn fetch_failed(url: &str, status: Option<u16>, reason: &str) -> JsValue {
    let place = if url.is_empty() { "the response" } else { url };
    let message = match status {
        Some(status) => format!("fetching {place} failed: HTTP {status} {reason}"),
        None => format!("fetching {place} failed: {reason}"),
    };
    let js = js_sys::Error::new(message.trim_end());
    js.set_name("GeoheatError");
    set(&js, "code", "FETCH_FAILED".into());
    set(&js, "url", url.into());
    set(&js, "status", status.map_or(JsValue::NULL, JsValue::from));
    js.into()
}

/// The message of a thrown JavaScript value (an `Error`'s `message`, else its string form).
pub(crate) fn message_of(thrown: &JsValue) -> String {
    thrown
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
