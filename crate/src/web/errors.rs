//! geoheat errors as JavaScript `Error` objects with machine-readable fields. Every error the
//! heatmap throws or emits is an [`Error`]; `From<Error> for JsValue` lets `?` convert it at the
//! boundary.

use crate::error::Error;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

/// An `Error` named `GeoheatError` whose `message` is the human text and which carries `code`
/// (such as `GEOJSON_SYNTAX`) and, where known, `featureIndex`, `line`, `column`, `byteOffset`,
/// `option`, `pointIndex`, `layer`, `url`, `status`, `path`.
impl From<Error> for JsValue {
    fn from(error: Error) -> Self {
        let js = js_sys::Error::new(&error.to_string());
        js.set_name("GeoheatError");
        set(&js, "code", error.code().into());
        match &error {
            Error::GeoJson { at, .. } => {
                set(&js, "line", at.line.into());
                set(&js, "column", at.column.into());
                set(&js, "byteOffset", at.byte_offset.into());
                set(&js, "featureIndex", optional(at.feature_index));
            }
            Error::GeoJsonValue { feature_index, .. } => {
                set(&js, "featureIndex", optional(*feature_index));
            }
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
                set(&js, "line", optional(*line));
                set(&js, "column", optional(*column));
            }
            Error::Layer { layer, .. } | Error::LayerNonFinite { layer } => {
                set(&js, "layer", layer.as_str().into());
            }
            Error::InvalidExpression { at, .. } => set(&js, "path", at.as_str().into()),
            Error::FetchFailed { url, status, .. } => {
                set(&js, "url", url.as_str().into());
                set(&js, "status", optional(*status));
            }
            _ => {}
        }
        js.into()
    }
}

/// `null` for `None`, as the TypeScript types say.
fn optional<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map_or(JsValue::NULL, Into::into)
}

fn set(target: &js_sys::Error, key: &str, value: JsValue) {
    // Setting a property on a fresh, extensible Error object cannot fail.
    let _ = Reflect::set(target, &key.into(), &value);
}

/// The message of a thrown JavaScript value (an `Error`'s `message`, else its string form).
pub(crate) fn message_of(thrown: &JsValue) -> String {
    thrown
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
