//! The layer stack: what a frame draws from the density, in order.
//!
//! Every layer has a name, visibility, opacity, a [`Blend`] mode and typed [`Uniforms`]. Built-in
//! kinds: [`LayerKind::Heat`] (the colour ramp over the normalised density, the default stack),
//! [`LayerKind::Points`] (a dot at each point) and [`LayerKind::Contours`] (iso-lines and bands of
//! the normalised value). [`LayerKind::Custom`] layers bring their own WGSL `shade` function,
//! validated by [`LayerShader::compile`] before any GPU sees it; they run on the GPU backend only.
//!
//! Heat and contours are written against the same WGSL contract as custom layers
//! (`shaders/layers/heat.wgsl`, `shaders/layers/contours.wgsl`); the CPU backend has a Rust twin
//! of each built-in, and the parity tests hold the two together.
//!
//! # Compositing (every backend)
//! Layers are drawn bottom to top into premultiplied RGBA (f32), starting transparent. A layer's
//! straight colour `s` (clamped to [0, 1]) with opacity `o` gives `a = s.a · o` and the
//! premultiplied `src = (s.rgb · a, a)`:
//! - [`Blend::Normal`]: `dst = src + dst · (1 − a)` (source-over);
//! - [`Blend::Add`]: `dst = src + dst` (glows; clamped only at the end);
//! - [`Blend::Multiply`]: `dst.rgb = dst.rgb · (1 − a + s.rgb · a)`, `dst.a` unchanged (darkens
//!   or tints what is below, a mask with black).
//!
//! The result is clamped to [0, 1] and written as straight RGBA8 (`rgb / a`, rounded), or
//! premultiplied for a WebGPU canvas. A stack that is just the default heat layer (visible,
//! normal, opacity 1, nothing else visible) skips compositing and colours straight into the
//! surface, so it stays byte-identical to the single-layer renderer.

mod shader;
mod uniforms;
mod validate;

use crate::error::{Error, Result};
use crate::shaders;
pub use shader::{LayerShader, MAX_SOURCE_BYTES, SHADE_SIGNATURE};
use std::sync::{Arc, OnceLock};
pub use uniforms::{MAX_UNIFORMS, UniformValue, Uniforms};
#[cfg(feature = "wgsl")]
pub use validate::validate;
pub use validate::{Validator, install_validator};

/// Most layers in a stack (each has one bit in the GPU's fault mask).
pub const MAX_LAYERS: usize = 32;

/// How a layer combines with the layers below it (see the module docs for the formulas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Blend {
    /// Source-over.
    #[default]
    Normal,
    /// Adds colour and alpha.
    Add,
    /// Multiplies the colour below by the layer's colour, weighted by its alpha.
    Multiply,
}

impl Blend {
    /// Names accepted by [`Blend::parse`].
    pub const NAMES: [&'static str; 3] = ["normal", "add", "multiply"];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "normal" => Self::Normal,
            "add" => Self::Add,
            "multiply" => Self::Multiply,
            _ => return None,
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Add => "add",
            Self::Multiply => "multiply",
        }
    }
}

/// What a layer draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// The heat style's ramp over the normalised density. No uniforms.
    Heat,
    /// A disc at every point (and world copy): uniforms `radius` (CSS pixels) and `color`
    /// (straight RGBA in [0, 1]). Where discs overlap the layer keeps the largest coverage, so
    /// the order of the points does not matter.
    Points,
    /// Iso-lines of the normalised value at every multiple of `interval` below 1, `width` CSS
    /// pixels wide in `color`, over bands filled with the ramp at each band's lower level times
    /// `fill` (0: lines only).
    Contours,
    /// The layer's own WGSL; GPU only.
    Custom,
}

impl LayerKind {
    /// Names accepted by [`LayerKind::parse`] (a custom layer is made by giving WGSL instead).
    pub const BUILT_IN: [&'static str; 3] = ["heat", "points", "contours"];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "heat" => Self::Heat,
            "points" => Self::Points,
            "contours" => Self::Contours,
            _ => return None,
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Heat => "heat",
            Self::Points => "points",
            Self::Contours => "contours",
            Self::Custom => "custom",
        }
    }

    /// The built-in uniforms with their defaults (empty for custom layers, which declare theirs).
    pub fn default_uniforms(&self) -> Vec<(String, UniformValue)> {
        let entries: &[(&str, UniformValue)] = match self {
            Self::Heat | Self::Custom => &[],
            Self::Points => &[
                ("radius", UniformValue::F32(2.5)),
                ("color", UniformValue::Vec4([1.0, 1.0, 1.0, 0.9])),
            ],
            Self::Contours => &[
                ("interval", UniformValue::F32(0.2)),
                ("width", UniformValue::F32(1.5)),
                ("color", UniformValue::Vec4([1.0, 1.0, 1.0, 0.85])),
                ("fill", UniformValue::F32(0.0)),
            ],
        };
        entries
            .iter()
            .map(|(name, value)| ((*name).to_string(), *value))
            .collect()
    }

    /// The built-in's WGSL source defining `shade`, or `None` for custom layers.
    fn built_in_source(&self) -> Option<&'static str> {
        match self {
            Self::Heat => Some(shaders::HEAT_LAYER),
            Self::Points => Some(shaders::POINTS_LAYER),
            Self::Contours => Some(shaders::CONTOURS_LAYER),
            Self::Custom => None,
        }
    }

    /// The built-in's shader, spliced once per process, or `None` for custom layers. Not run
    /// through naga at run time: the tests validate every built-in.
    fn built_in_shader(&self) -> Option<Arc<LayerShader>> {
        static SHADERS: [OnceLock<Arc<LayerShader>>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = match self {
            Self::Heat => &SHADERS[0],
            Self::Points => &SHADERS[1],
            Self::Contours => &SHADERS[2],
            Self::Custom => return None,
        };
        let source = self.built_in_source()?;
        Some(Arc::clone(slot.get_or_init(|| {
            Arc::new(LayerShader::built_in(source, &self.built_in_uniforms()))
        })))
    }

    /// [`LayerKind::default_uniforms`] as [`Uniforms`].
    fn built_in_uniforms(&self) -> Uniforms {
        Uniforms::new(self.name(), self.default_uniforms())
            .unwrap_or_else(|e| unreachable!("built-in uniform names are valid: {e}"))
    }
}

/// How to make a layer: [`LayerStack::add`].
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpec {
    /// Unique in the stack; 1 to 64 characters.
    pub name: String,
    /// A built-in kind; ignored when `wgsl` is given (the layer is then custom).
    pub kind: LayerKind,
    /// Source defining `shade` (see [`SHADE_SIGNATURE`]): makes a custom layer.
    pub wgsl: Option<String>,
    /// For built-ins, values for some of their uniforms; for custom layers, the declaration of
    /// all of them (name and type, from the number of components) with initial values.
    pub uniforms: Vec<(String, UniformValue)>,
    pub blend: Blend,
    /// In [0, 1].
    pub opacity: f32,
    pub visible: bool,
}

impl LayerSpec {
    /// A visible built-in layer, normal blend, opacity 1, default uniforms.
    pub fn built_in(name: &str, kind: LayerKind) -> Self {
        Self {
            name: name.to_string(),
            kind,
            wgsl: None,
            uniforms: Vec::new(),
            blend: Blend::Normal,
            opacity: 1.0,
            visible: true,
        }
    }

    /// A visible custom layer with no uniforms, normal blend, opacity 1.
    pub fn custom(name: &str, wgsl: &str) -> Self {
        Self {
            wgsl: Some(wgsl.to_string()),
            ..Self::built_in(name, LayerKind::Custom)
        }
    }
}

/// Changes to a layer: [`LayerStack::update`]. `None` keeps what the layer has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayerUpdate {
    /// New source for a custom layer (hot swap): validated first; on error the old one stays.
    pub wgsl: Option<String>,
    /// New values. With new `wgsl` they replace the custom layer's declaration; otherwise each
    /// must be declared already and keep its type.
    pub uniforms: Option<Vec<(String, UniformValue)>>,
    pub blend: Option<Blend>,
    pub opacity: Option<f32>,
    pub visible: Option<bool>,
}

/// One layer of a [`LayerStack`].
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    name: String,
    kind: LayerKind,
    shader: Arc<LayerShader>,
    uniforms: Uniforms,
    blend: Blend,
    opacity: f32,
    visible: bool,
}

impl Layer {
    fn new(spec: LayerSpec) -> Result<Self> {
        check_name(&spec.name)?;
        let opacity = check_opacity(&spec.name, spec.opacity)?;
        let (kind, shader, uniforms) = match &spec.wgsl {
            Some(source) => {
                let uniforms = Uniforms::new(&spec.name, spec.uniforms.clone())?;
                let shader = LayerShader::compile(&spec.name, source, &uniforms)?;
                (LayerKind::Custom, Arc::new(shader), uniforms)
            }
            None => {
                let shader = spec
                    .kind
                    .built_in_shader()
                    .ok_or_else(|| Error::layer(&spec.name, "is custom but has no WGSL source"))?;
                let mut uniforms = Uniforms::new(&spec.name, spec.kind.default_uniforms())?;
                uniforms.set_all(&spec.name, &spec.uniforms)?;
                (spec.kind, shader, uniforms)
            }
        };
        Ok(Self {
            name: spec.name,
            kind,
            shader,
            uniforms,
            blend: spec.blend,
            opacity,
            visible: spec.visible,
        })
    }

    /// This layer with `update` applied, or an error and nothing changed.
    fn updated(&self, update: LayerUpdate) -> Result<Self> {
        let mut layer = self.clone();
        match (update.wgsl, update.uniforms) {
            (Some(source), uniforms) => {
                if self.kind != LayerKind::Custom {
                    return Err(Error::layer(
                        &self.name,
                        format!(
                            "is a built-in `{}` layer; only custom layers take WGSL",
                            self.kind.name()
                        ),
                    ));
                }
                if let Some(entries) = uniforms {
                    layer.uniforms = Uniforms::new(&self.name, entries)?;
                }
                layer.shader =
                    Arc::new(LayerShader::compile(&self.name, &source, &layer.uniforms)?);
            }
            (None, Some(values)) => layer.uniforms.set_all(&self.name, &values)?,
            (None, None) => {}
        }
        if let Some(opacity) = update.opacity {
            layer.opacity = check_opacity(&self.name, opacity)?;
        }
        if let Some(blend) = update.blend {
            layer.blend = blend;
        }
        if let Some(visible) = update.visible {
            layer.visible = visible;
        }
        Ok(layer)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> LayerKind {
        self.kind
    }

    /// The validated shader (for built-ins, geoheat's own).
    pub fn shader(&self) -> &Arc<LayerShader> {
        &self.shader
    }

    pub fn uniforms(&self) -> &Uniforms {
        &self.uniforms
    }

    /// A uniform's value as one float; for built-ins, whose uniforms always exist.
    pub fn uniform_f32(&self, name: &str) -> f32 {
        self.uniforms
            .get(name)
            .map_or(0.0, |value| value.as_slice()[0])
    }

    /// A `vec4` uniform (such as a built-in's `color`); zero if absent.
    pub fn uniform_vec4(&self, name: &str) -> [f32; 4] {
        match self.uniforms.get(name) {
            Some(UniformValue::Vec4(v)) => v,
            _ => [0.0; 4],
        }
    }

    pub fn blend(&self) -> Blend {
        self.blend
    }

    pub fn opacity(&self) -> f32 {
        self.opacity
    }

    pub fn is_visible(&self) -> bool {
        self.visible
    }

    /// True for a layer that only the GPU backend can draw.
    pub fn needs_gpu(&self) -> bool {
        self.kind == LayerKind::Custom
    }

    /// True when the layer changes with time by itself (a custom shader reading `geoheat.time`).
    pub fn is_animated(&self) -> bool {
        self.shader.is_animated()
    }
}

/// What a backend can draw. Passed wherever the answer depends on the backend, so that a call
/// site says which backend it means instead of passing a bare `bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Runs custom WGSL layers (the GPU); without it they are kept but inactive.
    pub custom_layers: bool,
}

impl Capabilities {
    /// The CPU renderer: built-in layers only.
    pub const CPU: Self = Self {
        custom_layers: false,
    };
    /// The wgpu renderer: every layer.
    pub const GPU: Self = Self {
        custom_layers: true,
    };

    /// True when a backend with these capabilities draws `layer` (when it is visible).
    pub fn can_draw(&self, layer: &Layer) -> bool {
        self.custom_layers || !layer.needs_gpu()
    }
}

/// The ordered layers of a heatmap, bottom first. Every change is all or nothing: an error leaves
/// the stack as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerStack {
    layers: Vec<Layer>,
    revision: u64,
}

impl Default for LayerStack {
    /// One visible heat layer named `heat`.
    fn default() -> Self {
        let heat = Layer::new(LayerSpec::built_in("heat", LayerKind::Heat))
            .unwrap_or_else(|e| unreachable!("the built-in heat shader is valid: {e}"));
        Self {
            layers: vec![heat],
            revision: 0,
        }
    }
}

impl LayerStack {
    /// A stack with no layers (frames are transparent).
    pub fn empty() -> Self {
        Self {
            layers: Vec::new(),
            revision: 0,
        }
    }

    /// The layers, bottom first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The visible layers, bottom first.
    pub fn visible(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().filter(|l| l.visible)
    }

    pub fn get(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }

    /// Counts changes; a renderer caching per-layer state compares it.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Adds a layer on top, or below the layer named `before`.
    pub fn add(&mut self, spec: LayerSpec, before: Option<&str>) -> Result<&Layer> {
        if self.get(&spec.name).is_some() {
            return Err(Error::layer(
                &spec.name,
                "already exists; use updateLayer to change it or removeLayer first",
            ));
        }
        if self.layers.len() >= MAX_LAYERS {
            return Err(Error::layer(
                &spec.name,
                format!("cannot be added: a stack holds at most {MAX_LAYERS} layers"),
            ));
        }
        let index = match before {
            Some(other) => self.index(other)?,
            None => self.layers.len(),
        };
        let layer = Layer::new(spec)?;
        self.layers.insert(index, layer);
        self.revision += 1;
        Ok(&self.layers[index])
    }

    /// Applies `update` to the layer named `name`; on error the layer is unchanged (a bad WGSL
    /// replacement leaves the old shader drawing).
    pub fn update(&mut self, name: &str, update: LayerUpdate) -> Result<&Layer> {
        let index = self.index(name)?;
        self.layers[index] = self.layers[index].updated(update)?;
        self.revision += 1;
        Ok(&self.layers[index])
    }

    /// Sets one uniform of one layer.
    pub fn set_uniform(&mut self, name: &str, uniform: &str, value: UniformValue) -> Result<()> {
        let index = self.index(name)?;
        self.layers[index].uniforms.set(name, uniform, value)?;
        self.revision += 1;
        Ok(())
    }

    /// Removes and returns the layer named `name`.
    pub fn remove(&mut self, name: &str) -> Result<Layer> {
        let index = self.index(name)?;
        self.revision += 1;
        Ok(self.layers.remove(index))
    }

    /// The visible layers a backend with `capabilities` draws (custom layers only where it runs
    /// WGSL).
    pub fn drawn(&self, capabilities: Capabilities) -> impl Iterator<Item = &Layer> {
        self.visible().filter(move |l| capabilities.can_draw(l))
    }

    /// True when what the backend draws (see [`LayerStack::drawn`]) is exactly the plain heat
    /// layer (normal blend, opacity 1): frames then skip compositing (see the module docs), so a
    /// Canvas 2D frame with an inactive custom layer costs what heat alone does.
    pub fn is_plain_heat(&self, capabilities: Capabilities) -> bool {
        let mut drawn = self.drawn(capabilities);
        matches!(
            (drawn.next(), drawn.next()),
            (Some(layer), None)
                if layer.kind == LayerKind::Heat && layer.blend == Blend::Normal && layer.opacity == 1.0
        )
    }

    /// True when a visible layer is animated: a frame loop keeps drawing while this holds.
    pub fn is_animated(&self) -> bool {
        self.visible().any(Layer::is_animated)
    }

    fn index(&self, name: &str) -> Result<usize> {
        self.layers
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.layers.iter().map(|l| l.name.as_str()).collect();
                Error::layer(
                    name,
                    format!(
                        "does not exist; the layers are: {}",
                        if names.is_empty() {
                            "(none)".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                )
            })
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::layer(name, "needs a name of 1 to 64 characters"));
    }
    Ok(())
}

fn check_opacity(layer: &str, opacity: f32) -> Result<f32> {
    if (0.0..=1.0).contains(&opacity) {
        Ok(opacity)
    } else {
        Err(Error::layer(
            layer,
            format!("opacity {opacity} is outside [0, 1]"),
        ))
    }
}

#[cfg(test)]
mod tests;
