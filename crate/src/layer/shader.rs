//! Layer shaders: a layer's WGSL `shade` function, spliced in front of geoheat's template (the
//! `Uniforms` struct, then the prelude and entry points that `crate::shaders::layer_module` adds)
//! and checked (see [`super::validate`]) before any GPU pipeline is made. The layer's source comes
//! first, so line and column numbers are the layer author's own.

use super::uniforms::Uniforms;
use super::validate;
use crate::error::{Error, Result};
use crate::shaders;
use std::sync::atomic::{AtomicU64, Ordering};

/// The signature every layer's entry function must have.
pub const SHADE_SIGNATURE: &str = "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32>";

/// Longest layer source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A validated layer shader: the complete WGSL module a GPU backend compiles.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerShader {
    id: u64,
    source: String,
    module: String,
    animated: bool,
}

impl LayerShader {
    /// Splices `source` (which defines `shade`) with the prelude and the `Uniforms` struct of
    /// `uniforms` and validates the result. Errors are [`Error::Wgsl`] at a line and column of
    /// `source`, or [`Error::Layer`] for bad uniform names.
    pub fn compile(layer: &str, source: &str, uniforms: &Uniforms) -> Result<Self> {
        if source.len() > MAX_SOURCE_BYTES {
            return Err(Error::layer(
                layer,
                format!(
                    "its WGSL is {} bytes; at most {MAX_SOURCE_BYTES} are accepted",
                    source.len()
                ),
            ));
        }
        let declaration = uniforms.wgsl_declaration();
        let splice = Splice {
            with_main: true,
            ..Splice::new(source, &declaration)
        };
        let animated = validate::check(layer, &splice)?;
        Ok(Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            source: source.to_string(),
            module: splice.text(),
            animated,
        })
    }

    /// A shader of geoheat's own (a built-in layer), spliced without validation: the tests
    /// validate every built-in with [`LayerShader::compile`], so pages that use no custom WGSL
    /// never run naga.
    pub(crate) fn built_in(source: &str, uniforms: &Uniforms) -> Self {
        let declaration = uniforms.wgsl_declaration();
        let splice = Splice {
            with_main: true,
            ..Splice::new(source, &declaration)
        };
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            source: source.to_string(),
            module: splice.text(),
            animated: false,
        }
    }

    /// Unique per compilation, for caches of GPU pipelines.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The layer's own WGSL.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The complete module: the layer's WGSL, its `Uniforms`, the prelude and the entry points
    /// `geoheat_vs` and `geoheat_fs`.
    pub fn module(&self) -> &str {
        &self.module
    }

    /// True when the shader reads `geoheat.time`: it changes every frame, so a heatmap showing it
    /// keeps rendering.
    pub fn is_animated(&self) -> bool {
        self.animated
    }
}

/// The spliced text: the layer's source, then geoheat's declarations.
#[derive(Clone, Copy)]
pub(super) struct Splice<'a> {
    pub(super) source: &'a str,
    pub(super) declaration: &'a str,
    /// With the entry points (the module a GPU compiles), or without them (to check that the
    /// layer's own part defines `shade` properly before anything calls it).
    pub(super) with_main: bool,
}

impl<'a> Splice<'a> {
    pub(super) fn new(source: &'a str, declaration: &'a str) -> Self {
        Self {
            source,
            declaration,
            with_main: false,
        }
    }

    /// Byte offset where geoheat's text starts: spans before it are the layer's.
    #[cfg(feature = "wgsl")]
    pub(super) fn user_end(&self) -> usize {
        self.source.len()
    }

    pub(super) fn text(&self) -> String {
        shaders::layer_module(self.source, self.declaration, self.with_main)
    }
}
