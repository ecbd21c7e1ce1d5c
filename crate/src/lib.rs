//! # geoheat
//!
//! Weighted kernel-density heatmaps of GeoJSON points.
//!
//! Data flows one way: GeoJSON bytes are parsed by a streaming visitor straight into a
//! [`PointBuffer`] of packed `[x, y, w]` f32 (Web Mercator offsets from an f64 origin, no document
//! tree); a [`Scene`] (points, [`HeatStyle`], layers, time) seen through a [`View`] is planned once
//! per frame ([`FramePlan`]: size, radius, normalisation) and a renderer turns scene and plan into
//! straight RGBA8 pixels in the back buffer of a double-buffered [`Surface`]; the front buffer is
//! what is shown or saved.
//!
//! Two renderers share these definitions through [`frame`]: [`CpuRenderer`] (everywhere) and,
//! with the `gpu` feature (on by default), `GpuRenderer` on wgpu: Vulkan natively, WebGPU in the
//! browser. The [`Engine`] is a heatmap without a host (state, rules, frame driving); the CLI and
//! the web glue only translate to and from it.
//!
//! The density of every backend is the one defined in [`raster::reference`]:
//! `density(p) = intensity · Σ wᵢ · exp(−|p − pᵢ|² / 2σ²)` over the square |dx|, |dy| ≤ r, σ = r/3.

// `wasm_for_size` is set by www/build.sh for the page's wasm, which builds this crate at
// `opt-level = "z"`: each download byte counts, and most of the code (options, errors, the
// browser and GPU plumbing) runs a few times per frame at most. The loops that run per point, per
// pixel or per input byte are marked `#[cfg_attr(wasm_for_size, optimize(speed))]` and so keep
// the release build's code (unrolled, vectorised); those called from unmarked code are also
// `#[inline(never)]`, as a function inlined into a caller is optimised as the caller is. Other
// builds ignore the marks.
#![cfg_attr(wasm_for_size, feature(optimize_attribute))]

mod clock;
pub mod engine;
pub mod error;
pub mod expr;
pub mod frame;
pub mod geo;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod ingest;
pub mod iso8601;
pub mod layer;
pub mod points;
pub mod raster;
pub mod scene;
pub mod select;
mod shaders;
pub mod style;
pub mod surface;
// Heat tiles are written where the data is (the CLI, the Python package), never in a page.
#[cfg(not(target_arch = "wasm32"))]
pub mod tiles;
#[cfg(all(target_arch = "wasm32", feature = "web"))]
pub mod web;

pub use engine::{BackendChoice, Engine};
pub use error::{Error, GeoJsonProblem, Result, SourceLocation, WgslProblem};
pub use frame::{FramePlan, StableMax};
pub use geo::{LonLatBounds, View};
#[cfg(feature = "gpu")]
pub use gpu::GpuRenderer;
pub use ingest::{IngestOptions, IngestReport, ingest_geojson, ingest_geojson_from};
pub use layer::{
    Blend, Capabilities, Layer, LayerKind, LayerSpec, LayerStack, LayerUpdate, UniformValue,
};
pub use points::PointBuffer;
pub use raster::CpuRenderer;
pub use scene::Scene;
pub use style::{Aggregation, ColorRamp, HeatStyle, MEAN_MIN_COVERAGE, Normalize, Radius};
pub use surface::Surface;
