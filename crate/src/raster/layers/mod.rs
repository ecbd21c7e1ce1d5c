//! The layer stack on the CPU (Canvas 2D and PNG): the built-in layers' Rust twins, composited as
//! the [`crate::layer`] module docs define.
//!
//! Visible layers are drawn bottom to top into an f32 premultiplied buffer kept between frames,
//! which is then resolved to straight RGBA8. Custom layers need the GPU (their WGSL is not run on
//! the CPU): they are skipped here, so a Canvas 2D frame is the stack without them, and the web
//! API reports them as inactive.

mod composite;
mod contours;
mod points;

use super::DensityField;
use super::colorize::{inverse_max, lut_index, normalized, palette};
use super::fast::zeroed;
use crate::geo::View;
use crate::layer::{LayerKind, LayerStack};
use crate::points::PointBuffer;
use crate::style::HeatStyle;
use composite::{Premul, blend_layer, finite_or_transparent, resolve};
use contours::Contours;

/// What one frame's layers draw from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameInputs<'a> {
    pub points: &'a PointBuffer,
    pub style: &'a HeatStyle,
    pub view: &'a View,
    /// The frame's densities, the size of the view in device pixels.
    pub density: &'a DensityField,
    /// The density that maps to value 1 (see [`super::colorize::normalize_max`]).
    pub normalize_max: f32,
}

/// Buffers reused between frames; they only grow.
#[derive(Debug, Default)]
pub(crate) struct LayerScratch {
    accum: Vec<Premul>,
    coverage: Vec<f32>,
}

/// Draws the visible layers of `layers` into `rgba` (straight RGBA8, 4 bytes per density).
pub(crate) fn compose(
    layers: &LayerStack,
    frame: &FrameInputs,
    scratch: &mut LayerScratch,
    rgba: &mut [u8],
) {
    let density = frame.density;
    let accum = zeroed(&mut scratch.accum, density.values.len());
    let inv = inverse_max(frame.normalize_max);
    let values = Values {
        density: &density.values,
        width: density.width as usize,
        height: density.height as usize,
        // Without a maximum every value is 0, as the WGSL `value_at` has it.
        inv: inv.unwrap_or(0.0),
    };
    let ramp = Ramp::new(frame.style);
    // As the GPU has it: the layer uniforms are f32.
    let pixel_ratio = frame.view.device_pixel_ratio as f32;
    for layer in layers.visible() {
        let (blend, opacity) = (layer.blend(), layer.opacity());
        match layer.kind() {
            LayerKind::Heat => {
                // No maximum: the heat layer is transparent (and blending nothing is a no-op).
                if inv.is_none() {
                    continue;
                }
                let threshold = frame.style.threshold;
                blend_layer(accum, blend, opacity, |i| {
                    let value = normalized(values.density[i], values.inv);
                    if value < threshold {
                        [0.0; 4]
                    } else {
                        ramp.at(value)
                    }
                });
            }
            LayerKind::Contours => {
                let contours = Contours::new(layer, pixel_ratio);
                let w = values.width;
                blend_layer(accum, blend, opacity, |i| {
                    // A tiny interval can overflow the shader's math.
                    finite_or_transparent(contours.shade(&values, &ramp, i % w, i / w))
                });
            }
            LayerKind::Points => {
                let radius = layer.uniform_f32("radius") * pixel_ratio;
                let cover =
                    points::coverage(frame.points, frame.view, radius, &mut scratch.coverage);
                let [r, g, b, a] = layer.uniform_vec4("color");
                blend_layer(accum, blend, opacity, |i| [r, g, b, a * cover[i]]);
            }
            // GPU only (see the module docs).
            LayerKind::Custom => {}
        }
    }
    resolve(accum, rgba);
}

/// The frame's normalised values, read as the WGSL `value_at` reads them.
struct Values<'a> {
    density: &'a [f32],
    width: usize,
    height: usize,
    inv: f32,
}

impl Values<'_> {
    /// The value at a pixel inside the frame.
    fn at(&self, x: usize, y: usize) -> f32 {
        normalized(self.density[y * self.width + x], self.inv)
    }

    /// The value at a pixel, its coordinates clamped to the frame.
    fn clamped(&self, x: isize, y: isize) -> f32 {
        let last = |side: usize| side.saturating_sub(1) as isize;
        // Clamped to [0, side − 1], so non-negative and in range.
        let (x, y) = (x.clamp(0, last(self.width)), y.clamp(0, last(self.height)));
        self.at(x as usize, y as usize)
    }
}

/// The heat style's palette as straight f32 colours: what the WGSL `ramp` reads (bytes `k` as
/// `k / 255`, the style's opacity in alpha), shared by the heat layer and contour bands.
struct Ramp([[f32; 4]; 256]);

impl Ramp {
    fn new(style: &HeatStyle) -> Self {
        Self(palette(style).map(|color| color.map(|c| f32::from(c) / 255.0)))
    }

    fn at(&self, value: f32) -> [f32; 4] {
        self.0[lut_index(value)]
    }
}
