//! The layer stack on the CPU (Canvas 2D and PNG): the built-in layers' Rust twins, composited as
//! the [`crate::layer`] module docs define.
//!
//! The frame is composited a row at a time: every visible layer is blended bottom to top into one
//! row of f32 premultiplied pixels, which is then resolved to straight RGBA8. The row stays in
//! cache, where a whole-frame f32 buffer would be cleared, read and written once per layer. Custom
//! layers need the GPU (their WGSL is not run on the CPU): they are skipped here, so a Canvas 2D
//! frame is the stack without them, and the web API reports them as inactive.

mod composite;
mod contours;
mod points;

use super::colorize::{inverse_max, lut_index, normalized};
use crate::frame::{DensityField, FramePlan};
use crate::layer::{Blend, LayerKind};
use crate::scene::Scene;
use crate::style::HeatStyle;
use composite::{Premul, blend_layer, resolve};
use contours::{Contours, Window};

/// A frame's densities and the density that maps to value 1 (see
/// [`FramePlan::normalize_max`]): the two travel together, since the values mean nothing without
/// their maximum.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Normalized<'a> {
    /// The frame's densities, the size of the view in device pixels.
    pub field: &'a DensityField,
    pub max: f32,
}

/// Buffers reused between frames; they only grow.
#[derive(Debug, Default)]
pub(crate) struct LayerScratch {
    /// The visible layers the CPU draws, bottom to top.
    shaders: Vec<Shader>,
    /// The frame's normalised values, when a layer reads them.
    values: Vec<f32>,
    /// One coverage buffer per points layer, in stack order.
    coverage: Vec<Vec<f32>>,
    /// Squared column offsets of one point, for [`points::coverage`].
    dx2: Vec<f32>,
    /// The row being composited.
    row: Vec<Premul>,
}

/// A visible layer, ready to shade any pixel of the frame.
#[derive(Debug, Clone, Copy)]
struct Shader {
    kind: ShaderKind,
    blend: Blend,
    opacity: f32,
}

#[derive(Debug, Clone, Copy)]
enum ShaderKind {
    Heat,
    Contours(Contours),
    /// The layer's colour, its alpha scaled by the pixel's coverage in `LayerScratch::coverage`
    /// at this index.
    Points {
        color: [f32; 4],
        coverage: usize,
    },
}

/// Draws the visible layers of `scene` at `plan` into `rgba` (straight RGBA8, 4 bytes per
/// density).
pub(crate) fn compose(
    scene: &Scene,
    plan: &FramePlan,
    density: &Normalized,
    scratch: &mut LayerScratch,
    rgba: &mut [u8],
) {
    let LayerScratch {
        shaders,
        values,
        coverage,
        dx2,
        row,
    } = scratch;
    let Normalized {
        field: density,
        max,
    } = *density;
    let (w, h) = (density.width as usize, density.height as usize);
    // No pixels: nothing to draw, and no rows to split `rgba` into.
    if w == 0 || h == 0 {
        return;
    }
    let inv = inverse_max(max);
    let ramp = Ramp::new(scene.style());
    let view = plan.view();
    // As the GPU has it: the layer uniforms are f32.
    let pixel_ratio = view.device_pixel_ratio as f32;
    shaders.clear();
    let mut points_layers = 0;
    for layer in scene.layers().visible() {
        let kind = match layer.kind() {
            // No maximum: the heat layer is transparent (and blending nothing is a no-op).
            LayerKind::Heat if inv.is_none() => continue,
            LayerKind::Heat => ShaderKind::Heat,
            LayerKind::Contours => ShaderKind::Contours(Contours::new(layer, pixel_ratio, &ramp)),
            LayerKind::Points => {
                if coverage.len() == points_layers {
                    coverage.push(Vec::new());
                }
                let radius = layer.uniform_f32("radius") * pixel_ratio;
                points::coverage(
                    scene.points(),
                    view,
                    radius,
                    &mut coverage[points_layers],
                    dx2,
                );
                points_layers += 1;
                ShaderKind::Points {
                    color: layer.uniform_vec4("color"),
                    coverage: points_layers - 1,
                }
            }
            // GPU only (see the module docs).
            LayerKind::Custom => continue,
        };
        shaders.push(Shader {
            kind,
            blend: layer.blend(),
            opacity: layer.opacity(),
        });
    }
    values.clear();
    if shaders
        .iter()
        .any(|s| matches!(s.kind, ShaderKind::Heat | ShaderKind::Contours(_)))
    {
        // Without a maximum every value is 0, as the WGSL `value_at` has it.
        let inv = inv.unwrap_or(0.0);
        values.extend(density.values.iter().map(|&d| normalized(d, inv)));
    }
    row.clear();
    row.resize(w, [0.0; 4]);
    let threshold = scene.style().threshold;
    // Rows of `values`, clamped to the frame; only read when it holds the values.
    let values_row = |y: usize| &values[y.min(h - 1) * w..][..w];
    for (y, out) in rgba.chunks_exact_mut(4 * w).enumerate() {
        row.fill([0.0; 4]);
        for &Shader {
            kind,
            blend,
            opacity,
        } in shaders.iter()
        {
            match kind {
                ShaderKind::Heat => {
                    let here = values_row(y);
                    blend_layer(row, blend, opacity, |x| {
                        let value = here[x];
                        if value < threshold {
                            [0.0; 4]
                        } else {
                            ramp.at(value)
                        }
                    });
                }
                ShaderKind::Contours(contours) => {
                    let window = Window {
                        above: values_row(y.saturating_sub(1)),
                        here: values_row(y),
                        below: values_row(y + 1),
                    };
                    blend_layer(row, blend, opacity, |x| contours.shade(&window, &ramp, x));
                }
                ShaderKind::Points { color, coverage: c } => {
                    let cover = &coverage[c][y * w..][..w];
                    let [r, g, b, a] = color;
                    blend_layer(row, blend, opacity, |x| [r, g, b, a * cover[x]]);
                }
            }
        }
        resolve(row, out);
    }
}

/// The heat style's palette as straight f32 colours: what the WGSL `ramp` reads (bytes `k` as
/// `k / 255`, the style's opacity in alpha), shared by the heat layer and contour bands.
struct Ramp([[f32; 4]; 256]);

impl Ramp {
    fn new(style: &HeatStyle) -> Self {
        Self(
            style
                .palette()
                .map(|color| color.map(|c| f32::from(c) / 255.0)),
        )
    }

    fn at(&self, value: f32) -> [f32; 4] {
        self.0[lut_index(value)]
    }
}
