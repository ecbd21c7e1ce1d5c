//! JavaScript option objects → the core's option types. Each member is read on its own
//! ([`FromJs`]), so an error names the option; members that are not options are errors too.

use crate::engine::{BackendChoice, FitOptions};
use crate::error::{Error, Result};
use crate::ingest::{IngestOptions, InvalidPolicy, LineAndPolygonPolicy};
use crate::style::{
    Aggregation, ColorRamp, ColorStop, HeatStyle, Normalize, Radius, parse_css_color,
};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

const STYLE_KEYS: &[&str] = &[
    "radius",
    "radiusMeters",
    "intensity",
    "normalize",
    "colorRamp",
    "opacity",
    "threshold",
    "aggregation",
];
const VIEW_KEYS: &[&str] = &["center", "zoom"];
const HEATMAP_KEYS: &[&str] = &["interactive", "backend", "devicePixelRatio"];
const LOAD_KEYS: &[&str] = &[
    "weightProperty",
    "defaultWeight",
    "invalidWeight",
    "outOfRange",
    "linesAndPolygons",
    "maxPoints",
    "properties",
    "timeProperty",
    "fitBounds",
    "padding",
];

/// Options of `Heatmap.create`.
pub(crate) struct CreateOptions {
    pub style: HeatStyle,
    pub center: Option<[f64; 2]>,
    pub zoom: Option<f64>,
    pub interactive: bool,
    pub device_pixel_ratio: Option<f64>,
    /// "auto", "webgpu" (the GPU or an error) or "canvas2d" (the CPU; WebGPU is never touched).
    pub backend: BackendChoice,
}

/// Options of `loadGeoJSON` and the loader.
pub(crate) struct LoadOptions {
    pub ingest: IngestOptions,
    /// `fitBounds` and `padding`: how the engine treats the view on load.
    pub fit: FitOptions,
}

pub(crate) fn parse_create(options: &JsValue) -> Result<CreateOptions> {
    if options.is_undefined() || options.is_null() {
        return Ok(CreateOptions {
            style: HeatStyle::default(),
            center: None,
            zoom: None,
            interactive: true,
            device_pixel_ratio: None,
            backend: BackendChoice::Auto,
        });
    }
    check_keys(
        options,
        &[STYLE_KEYS, VIEW_KEYS, HEATMAP_KEYS],
        "Heatmap.create options",
    )?;
    let backend = match field::<String>(options, "backend")?.as_deref() {
        None | Some("auto") => BackendChoice::Auto,
        Some("webgpu") => BackendChoice::Gpu,
        Some("canvas2d") => BackendChoice::Cpu,
        Some(other) => {
            return Err(Error::option(
                "backend",
                format!("{other:?} is not a backend; use \"auto\", \"webgpu\" or \"canvas2d\""),
            ));
        }
    };
    Ok(CreateOptions {
        style: style_from(&HeatStyle::default(), options)?,
        center: center(options)?,
        zoom: field(options, "zoom")?,
        interactive: field(options, "interactive")?.unwrap_or(true),
        device_pixel_ratio: field(options, "devicePixelRatio")?,
        backend,
    })
}

/// The current style changed by the members present in `options` (a partial style).
pub(crate) fn apply_style(current: &HeatStyle, options: &JsValue) -> Result<HeatStyle> {
    check_keys(options, &[STYLE_KEYS], "setStyle")?;
    style_from(current, options)
}

/// `center` and `zoom` of a `setView` call.
pub(crate) fn parse_view(options: &JsValue) -> Result<(Option<[f64; 2]>, Option<f64>)> {
    check_keys(options, &[VIEW_KEYS], "setView")?;
    Ok((center(options)?, field(options, "zoom")?))
}

pub(crate) fn parse_load(options: &JsValue) -> Result<LoadOptions> {
    let mut load = LoadOptions {
        ingest: IngestOptions::default(),
        fit: FitOptions::default(),
    };
    if options.is_undefined() || options.is_null() {
        return Ok(load);
    }
    check_keys(options, &[LOAD_KEYS], "load options")?;
    load.ingest.weight_property = field(options, "weightProperty")?;
    if let Some(weight) = field(options, "defaultWeight")? {
        load.ingest.default_weight = weight;
    }
    let policy = |name: &'static str| -> Result<Option<InvalidPolicy>> {
        Ok(match field::<String>(options, name)?.as_deref() {
            None => None,
            Some("error") => Some(InvalidPolicy::Error),
            Some("skip") => Some(InvalidPolicy::Skip),
            Some(other) => {
                return Err(Error::option(
                    name,
                    format!("{other:?} is not \"error\" or \"skip\""),
                ));
            }
        })
    };
    // Read as the numbers it shares code with (a count below 2^53 is exact in an f64).
    if let Some(max) = field::<f64>(options, "maxPoints")? {
        if !(max >= 0.0 && max.fract() == 0.0) {
            return Err(Error::option(
                "maxPoints",
                format!("{max} is not a whole number of at least 0"),
            ));
        }
        load.ingest.max_points = max as usize;
    }
    if let Some(p) = policy("invalidWeight")? {
        load.ingest.invalid_weight = p;
    }
    if let Some(p) = policy("outOfRange")? {
        load.ingest.out_of_range = p;
    }
    load.ingest.lines_and_polygons = match field::<String>(options, "linesAndPolygons")?.as_deref()
    {
        None | Some("skip") => LineAndPolygonPolicy::Skip,
        Some("vertices") => LineAndPolygonPolicy::Vertices,
        Some(other) => {
            return Err(Error::option(
                "linesAndPolygons",
                format!("{other:?} is not \"skip\" or \"vertices\""),
            ));
        }
    };
    if let Some(properties) = field(options, "properties")? {
        load.ingest.properties = properties;
    }
    load.ingest.time_property = field(options, "timeProperty")?;
    load.fit.fit_bounds = field(options, "fitBounds")?;
    if let Some(padding) = field(options, "padding")? {
        load.fit.padding = padding;
    }
    Ok(load)
}

fn style_from(current: &HeatStyle, options: &JsValue) -> Result<HeatStyle> {
    let mut style = current.clone();
    match (field(options, "radius")?, field(options, "radiusMeters")?) {
        (Some(_), Some(_)) => {
            return Err(Error::option(
                "radiusMeters",
                "give either radius or radiusMeters, not both",
            ));
        }
        (Some(px), None) => style.radius = Radius::Pixels(px),
        (None, Some(m)) => style.radius = Radius::Meters(m),
        (None, None) => {}
    }
    if let Some(intensity) = field(options, "intensity")? {
        style.intensity = intensity;
    }
    if let Some(opacity) = field(options, "opacity")? {
        style.opacity = opacity;
    }
    if let Some(threshold) = field(options, "threshold")? {
        style.threshold = threshold;
    }
    let normalize = get(options, "normalize")?;
    if !normalize.is_undefined() {
        style.normalize = match (normalize.as_string().as_deref(), normalize.as_f64()) {
            (Some("stable"), _) => Normalize::Stable,
            (Some("viewport"), _) => Normalize::Viewport,
            (None, Some(max)) => Normalize::Fixed(max as f32),
            _ => {
                return Err(Error::option(
                    "normalize",
                    "expected \"stable\", \"viewport\" or a number (a fixed maximum)",
                ));
            }
        };
    }
    if let Some(aggregation) = field::<String>(options, "aggregation")? {
        style.aggregation = Aggregation::parse(&aggregation)?;
    }
    let ramp = get(options, "colorRamp")?;
    if !ramp.is_undefined() {
        style.ramp = parse_ramp(ramp)?;
    }
    style.validate()?;
    Ok(style)
}

/// A ramp name (`"viridis"`), a stop string (`"0:#00f0,1:red"`) or `[[offset, colour], ...]`.
fn parse_ramp(value: JsValue) -> Result<ColorRamp> {
    if let Some(spec) = value.as_string() {
        return ColorRamp::parse(&spec);
    }
    let stop = |pair: JsValue| -> Option<(f32, String)> {
        let pair = pair
            .dyn_into::<Array>()
            .ok()
            .filter(|pair| pair.length() == 2)?;
        Some((f32::from_js(&pair.get(0))?, pair.get(1).as_string()?))
    };
    let stops = value
        .dyn_into::<Array>()
        .ok()
        .and_then(|stops| stops.iter().map(stop).collect::<Option<Vec<_>>>())
        .ok_or_else(|| {
            Error::option(
                "colorRamp",
                "expected a ramp name, a stop string, or an array of [offset, cssColour] pairs",
            )
        })?;
    let stops = stops
        .into_iter()
        .map(|(offset, color)| {
            Ok(ColorStop {
                offset,
                color: parse_css_color(&color)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    ColorRamp::new(stops)
}

fn center(options: &JsValue) -> Result<Option<[f64; 2]>> {
    field::<Vec<f64>>(options, "center")?
        .map(|c| match c[..] {
            [lon, lat] => Ok([lon, lat]),
            _ => Err(Error::option("center", "expected [longitude, latitude]")),
        })
        .transpose()
}

pub(super) fn get(options: &JsValue, key: &'static str) -> Result<JsValue> {
    Reflect::get(options, &key.into()).map_err(|_| Error::option(key, "could not be read"))
}

/// Reads one member; `undefined` is "not given".
pub(super) fn field<T: FromJs>(options: &JsValue, key: &'static str) -> Result<Option<T>> {
    let value = get(options, key)?;
    if value.is_undefined() {
        return Ok(None);
    }
    T::from_js(&value)
        .map(Some)
        .ok_or_else(|| Error::option(key, format!("expected {}", T::EXPECTED)))
}

/// A type an option's value is read as. Options are numbers, booleans, strings and arrays of
/// them: read by hand, they need none of a general deserializer's code in the wasm.
pub(super) trait FromJs: Sized {
    /// What a value of this type is, for errors: "expected a number".
    const EXPECTED: &'static str;
    /// The same for an array of them.
    const EXPECTED_ARRAY: &'static str = "an array";
    /// `None` when `value` is of another type.
    fn from_js(value: &JsValue) -> Option<Self>;
}

impl FromJs for f64 {
    const EXPECTED: &'static str = "a number";
    const EXPECTED_ARRAY: &'static str = "an array of numbers";
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_f64()
    }
}

impl FromJs for f32 {
    const EXPECTED: &'static str = "a number";
    fn from_js(value: &JsValue) -> Option<Self> {
        // As JavaScript's `Math.fround`: the nearest f32.
        value.as_f64().map(|x| x as f32)
    }
}

impl FromJs for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_bool()
    }
}

impl FromJs for String {
    const EXPECTED: &'static str = "a string";
    const EXPECTED_ARRAY: &'static str = "an array of strings";
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_string()
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    const EXPECTED: &'static str = T::EXPECTED_ARRAY;
    fn from_js(value: &JsValue) -> Option<Self> {
        let array = value.dyn_ref::<Array>()?;
        array.iter().map(|item| T::from_js(&item)).collect()
    }
}

pub(super) fn check_keys(
    options: &JsValue,
    allowed: &'static [&'static [&'static str]],
    context: &'static str,
) -> Result<()> {
    if !options.is_object() {
        return Err(Error::option(
            "options",
            format!("{context} must be an object"),
        ));
    }
    for key in Object::keys(options.unchecked_ref::<Object>()).iter() {
        let name = key.as_string().unwrap_or_default();
        if !allowed.iter().any(|group| group.contains(&name.as_str())) {
            return Err(Error::UnknownOption {
                name,
                context,
                allowed,
            });
        }
    }
    Ok(())
}
