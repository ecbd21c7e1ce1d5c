//! geoheat's WGSL validator as a wasm of its own: the page's core wasm is built without naga (it
//! would more than double it), and the entry module loads this one with the first custom layer
//! and installs its [`validate`] into the core (`installWgslValidator`).

use geoheat::Error;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

/// Checks a custom layer's WGSL `source` spliced with `declaration` (its `Uniforms` struct) as
/// `geoheat::layer::validate` does. Answers `{animated}` (whether it reads `geoheat.time`) for
/// good WGSL, else `{code, message, line, column}`: the error's code (`WGSL_SYNTAX`,
/// `WGSL_INVALID`, `WGSL_ENTRY`, `WGSL_BINDING`, `LAYER`), its message without the layer's name,
/// and where known the one-based line and column in `source`.
#[wasm_bindgen]
pub fn validate(layer: &str, source: &str, declaration: &str) -> Object {
    let verdict = Object::new();
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh, extensible object cannot fail.
        let _ = Reflect::set(&verdict, &key.into(), &value);
    };
    let at = |n: Option<u32>| n.map_or(JsValue::NULL, JsValue::from);
    match geoheat::layer::validate(layer, source, declaration) {
        Ok(animated) => set("animated", animated.into()),
        Err(Error::Wgsl {
            problem,
            message,
            line,
            column,
            ..
        }) => {
            set("code", problem.code().into());
            set("message", message.into());
            set("line", at(line));
            set("column", at(column));
        }
        Err(Error::Layer { reason, .. }) => {
            set("code", "LAYER".into());
            set("message", reason.into());
        }
        Err(other) => {
            set("code", other.code().into());
            set("message", other.to_string().into());
        }
    }
    verdict
}
