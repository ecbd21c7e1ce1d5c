//! Custom WGSL in the browser: the core wasm is built without naga (the `wgsl` feature would
//! more than double it), so the first custom layer loads the validator wasm (crate/validator,
//! `geoheat_wgsl.js` next to this package's glue) and installs its `validate` as the
//! [`crate::layer::Validator`]. Pages with only built-in layers never fetch it.
//!
//! `validate(layer, source, declaration)` answers `{animated}` for good WGSL, else
//! `{code, message, line, column}` with the code of a [`WgslProblem`] or `"LAYER"`.

use super::errors::message_of;
use crate::error::{Error, Result, WgslProblem};
use js_sys::{Function, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

// The snippet lands in snippets/<crate>-<hash>/ of the package: the validator's glue is two
// folders up. One load per page or worker; a failed one is tried again by the next layer.
#[wasm_bindgen(inline_js = r#"
let loading;
export function loadWgslValidator() {
  loading ??= import("../../geoheat_wgsl.js")
    .then(async (validator) => {
      await validator.default();
      return validator.validate;
    })
    .catch((error) => {
      loading = undefined;
      throw error;
    });
  return loading;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = loadWgslValidator)]
    fn load_wgsl_validator() -> js_sys::Promise;
}

thread_local! {
    static VALIDATE: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// True when custom WGSL can be checked now, without loading anything.
pub(super) fn is_ready() -> bool {
    cfg!(feature = "wgsl") || VALIDATE.with(|slot| slot.borrow().is_some())
}

/// Loads and installs the validator wasm, unless it is installed already.
pub(super) async fn load(layer: &str) -> Result<()> {
    if is_ready() {
        return Ok(());
    }
    let validate = JsFuture::from(load_wgsl_validator())
        .await
        .map_err(|thrown| {
            Error::layer(
                layer,
                format!(
                    "has custom WGSL, but the WGSL validator (geoheat_wgsl_bg.wasm) did not load: {}",
                    message_of(&thrown)
                ),
            )
        })?;
    let validate = validate.dyn_into::<Function>().map_err(|_| {
        Error::layer(
            layer,
            "has custom WGSL, but the WGSL validator has no `validate`",
        )
    })?;
    VALIDATE.with(|slot| *slot.borrow_mut() = Some(validate));
    crate::layer::install_validator(check);
    Ok(())
}

fn check(layer: &str, source: &str, declaration: &str) -> Result<bool> {
    let validate = VALIDATE
        .with(|slot| slot.borrow().clone())
        .ok_or_else(|| Error::layer(layer, "has custom WGSL, but no WGSL validator is loaded"))?;
    let verdict = validate
        .call3(
            &JsValue::NULL,
            &layer.into(),
            &source.into(),
            &declaration.into(),
        )
        .map_err(|thrown| {
            Error::layer(
                layer,
                format!("its WGSL could not be validated: {}", message_of(&thrown)),
            )
        })?;
    let get = |key: &str| Reflect::get(&verdict, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if let Some(animated) = get("animated").as_bool() {
        return Ok(animated);
    }
    let message = get("message").as_string().unwrap_or_default();
    let at = |key: &str| get(key).as_f64().map(|n| n as u32);
    Err(
        match WgslProblem::from_code(&get("code").as_string().unwrap_or_default()) {
            Some(problem) => Error::Wgsl {
                layer: layer.to_string(),
                problem,
                message,
                line: at("line"),
                column: at("column"),
            },
            // "LAYER": the uniforms' names do not make a WGSL struct.
            None => Error::layer(layer, message),
        },
    )
}
