//! JavaScript layer options → [`LayerSpec`] / [`LayerUpdate`], and layers back to plain objects
//! for `layers()` and `layer` events.

use super::options::{FromJs, check_keys, field, get};
use crate::error::{Error, Result};
use crate::layer::{Blend, Capabilities, Layer, LayerKind, LayerSpec, LayerUpdate, UniformValue};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use tsify::Tsify;
use wasm_bindgen::{JsCast, JsValue};

const ADD_KEYS: &[&str] = &["name", "kind", "before"];
const UPDATE_KEYS: &[&str] = &["wgsl", "uniforms", "blend", "opacity", "visible"];

/// `addLayer` options: the layer and the layer it goes below, if any.
pub(crate) fn parse_add(options: &JsValue) -> Result<(LayerSpec, Option<String>)> {
    check_keys(options, &[ADD_KEYS, UPDATE_KEYS], "addLayer options")?;
    let name: String = field(options, "name")?
        .ok_or_else(|| Error::option("name", "addLayer needs a layer name"))?;
    let update = parse_update_members(options)?;
    let kind = match (field::<String>(options, "kind")?.as_deref(), &update.wgsl) {
        (None | Some("custom"), Some(_)) => LayerKind::Custom,
        (None, None) => {
            return Err(Error::option(
                "kind",
                format!(
                    "layer {name:?} needs a `kind` ({}) or `wgsl` source",
                    LayerKind::BUILT_IN.join(", ")
                ),
            ));
        }
        (Some(kind), None) => LayerKind::parse(kind).ok_or_else(|| {
            Error::option(
                "kind",
                format!(
                    "{kind:?} is not a built-in layer kind; use one of {} or give `wgsl`",
                    LayerKind::BUILT_IN.join(", ")
                ),
            )
        })?,
        (Some(kind), Some(_)) => {
            return Err(Error::option(
                "kind",
                format!("{kind:?} is a built-in kind; a layer with `wgsl` is \"custom\""),
            ));
        }
    };
    let spec = LayerSpec {
        name,
        kind,
        wgsl: update.wgsl,
        uniforms: update.uniforms.unwrap_or_default(),
        blend: update.blend.unwrap_or_default(),
        opacity: update.opacity.unwrap_or(1.0),
        visible: update.visible.unwrap_or(true),
    };
    Ok((spec, field(options, "before")?))
}

/// `updateLayer` options.
pub(crate) fn parse_update(options: &JsValue) -> Result<LayerUpdate> {
    check_keys(options, &[UPDATE_KEYS], "updateLayer options")?;
    parse_update_members(options)
}

fn parse_update_members(options: &JsValue) -> Result<LayerUpdate> {
    let blend = field::<String>(options, "blend")?
        .map(|name| {
            Blend::parse(&name).ok_or_else(|| {
                Error::option(
                    "blend",
                    format!(
                        "{name:?} is not a blend mode; use {}",
                        Blend::NAMES.join(", ")
                    ),
                )
            })
        })
        .transpose()?;
    let uniforms = get(options, "uniforms")?;
    let uniforms = if uniforms.is_undefined() {
        None
    } else {
        Some(parse_uniforms(&uniforms)?)
    };
    Ok(LayerUpdate {
        wgsl: field(options, "wgsl")?,
        uniforms,
        blend,
        opacity: field(options, "opacity")?,
        visible: field(options, "visible")?,
    })
}

/// `{name: number | [x, y] | [x, y, z] | [x, y, z, w]}` in the object's key order (the order of
/// the WGSL struct's fields).
fn parse_uniforms(value: &JsValue) -> Result<Vec<(String, UniformValue)>> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(Error::option(
            "uniforms",
            "expected an object such as { bands: 5, tint: [1, 0.5, 0, 1] }",
        ));
    }
    let object = value.unchecked_ref::<js_sys::Object>();
    js_sys::Object::entries(object)
        .iter()
        .map(|entry| {
            let pair = entry.unchecked_into::<js_sys::Array>();
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = parse_uniform_value(&name, &pair.get(1))?;
            Ok((name, value))
        })
        .collect()
}

/// A number, or an array of 2 to 4 numbers.
pub(crate) fn parse_uniform_value(name: &str, value: &JsValue) -> Result<UniformValue> {
    let numbers: Option<Vec<f32>> = match value.as_f64() {
        Some(x) => Some(vec![x as f32]),
        None => Vec::from_js(value),
    };
    numbers
        .as_deref()
        .and_then(UniformValue::from_slice)
        .ok_or_else(|| {
            Error::option(
                "uniforms",
                format!("uniform {name:?} must be a number or an array of 2 to 4 numbers"),
            )
        })
}

/// A layer as `layers()`, `addLayer`, `updateLayer` and "layer" events describe it.
#[derive(Debug, Serialize, Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub struct LayerInfo {
    name: String,
    #[tsify(type = "\"heat\" | \"points\" | \"contours\" | \"custom\"")]
    kind: &'static str,
    visible: bool,
    opacity: f32,
    #[tsify(type = "BlendMode")]
    blend: &'static str,
    #[tsify(type = "Record<string, UniformValue>")]
    uniforms: OrderedUniforms,
    /// The layer reads `geoheat.time`: frames keep coming while it is visible (WebGPU).
    animated: bool,
    /// False when this backend cannot draw it: custom layers on Canvas 2D.
    active: bool,
    /// Why the layer is not active, else null.
    reason: Option<&'static str>,
}

/// Uniforms as an object whose keys keep the declaration order.
#[derive(Debug)]
struct OrderedUniforms(Vec<(String, UniformJs)>);

impl Serialize for OrderedUniforms {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum UniformJs {
    Scalar(f32),
    Vector(Vec<f32>),
}

/// Why a custom layer is not drawn on Canvas 2D.
pub(crate) const NEEDS_WEBGPU: &str = "custom WGSL layers run on WebGPU only; this heatmap draws \
     with Canvas 2D, so the layer is kept and drawn again as soon as WebGPU is the backend";

impl LayerInfo {
    pub(crate) fn is_active(&self) -> bool {
        self.active
    }

    /// `layer` as a backend with `capabilities` draws it.
    pub(crate) fn new(layer: &Layer, capabilities: Capabilities) -> Self {
        let active = capabilities.can_draw(layer);
        Self {
            name: layer.name().to_string(),
            kind: layer.kind().name(),
            visible: layer.is_visible(),
            opacity: layer.opacity(),
            blend: layer.blend().name(),
            uniforms: OrderedUniforms(
                layer
                    .uniforms()
                    .iter()
                    .map(|(name, value)| {
                        let js = match value {
                            UniformValue::F32(x) => UniformJs::Scalar(x),
                            other => UniformJs::Vector(other.as_slice().to_vec()),
                        };
                        (name.to_string(), js)
                    })
                    .collect(),
            ),
            animated: layer.is_animated(),
            active,
            reason: (!active).then_some(NEEDS_WEBGPU),
        }
    }
}
