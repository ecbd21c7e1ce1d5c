//! The layer stack on the CPU (Canvas 2D and PNG): the built-in layers' Rust twins, composited as
//! the [`crate::layer`] module docs define.
//!
//! The frame is composited a row at a time. The bottom heat layer gives each pixel a palette key
//! whose composited bytes come from a table (see [`row`]); the layers above blend in f32 only into
//! the pixels where they have alpha, which are then resolved to straight RGBA8. A sparse frame's
//! contours and dots thus cost what they draw, and the heat under them what the heat alone costs.
//! Custom layers need the GPU (their WGSL is not run on the CPU): they are skipped here, so a
//! Canvas 2D frame is the stack without them, and the web API reports them as inactive.

mod composite;
mod contours;
mod points;
mod row;

use super::colorize::{inverse_max, lut_index, normalized};
use crate::frame::{DensityField, FramePlan};
use crate::layer::{Blend, LayerKind};
use crate::scene::Scene;
use crate::style::HeatStyle;
use contours::{Contours, Window};
use row::{BaseTables, RowBuffers, TRANSPARENT};

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
    /// Normalised values of three rows, row `y` at `y % 3`.
    values: ValueRows,
    /// One coverage buffer per points layer, in stack order.
    coverage: Vec<Vec<f32>>,
    /// Squared column offsets of one point, for [`points::coverage`].
    dx2: Vec<f32>,
    /// The row being composited.
    row: RowBuffers,
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
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
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
        row: buffers,
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
    // A heat layer at the bottom is the base (blended over the transparent start, whatever its
    // blend); the layers above blend into it.
    let (base, above) = match shaders.split_first() {
        Some((bottom, above)) if matches!(bottom.kind, ShaderKind::Heat) => (
            BaseTables::new(Some((&ramp.0, bottom.opacity, bottom.blend))),
            above,
        ),
        _ => (BaseTables::new(None), &shaders[..]),
    };
    let heat_base = above.len() < shaders.len();
    // A points layer on top covering a pixel fully, over the base alone: one colour per key.
    let top_dots = match above.last() {
        Some(&Shader {
            kind: ShaderKind::Points { color, .. },
            blend,
            opacity,
        }) => Some(base.over(color, opacity, blend)),
        _ => None,
    };
    // Without a maximum every value is 0, as the WGSL `value_at` has it.
    values.start(density, inv.unwrap_or(0.0));
    buffers.resize(w);
    let threshold = scene.style().threshold;
    let key = |value: f32| {
        if value < threshold {
            TRANSPARENT
        } else {
            // At most 255: a u16 key, with `TRANSPARENT` past the palette.
            lut_index(value) as u16
        }
    };
    for (y, out) in rgba.chunks_exact_mut(4 * w).enumerate() {
        let window = values.window(y, density);
        if heat_base {
            for ((key_out, px), &value) in buffers
                .keys
                .iter_mut()
                .zip(out.chunks_exact_mut(4))
                .zip(window.here)
            {
                *key_out = key(value);
                px.copy_from_slice(&base.rgba(*key_out));
            }
        } else {
            buffers.keys.fill(TRANSPARENT);
            out.fill(0);
        }
        let mut row = buffers.row(&base);
        for (
            i,
            &Shader {
                kind,
                blend,
                opacity,
            },
        ) in above.iter().enumerate()
        {
            match kind {
                ShaderKind::Heat => {
                    for (x, &value) in window.here.iter().enumerate() {
                        let color = if value < threshold {
                            [0.0; 4]
                        } else {
                            ramp.at(value)
                        };
                        row.blend(x, color, opacity, blend);
                    }
                }
                ShaderKind::Contours(contours) => {
                    contours.shade_row(&window, &ramp, |x, color| {
                        row.blend(x, color, opacity, blend);
                    });
                }
                ShaderKind::Points { color, coverage: c } => {
                    let cover = &coverage[c][y * w..][..w];
                    let [r, g, b, a] = color;
                    // Only the top layer may write final bytes before the row is finished.
                    let top = top_dots.as_ref().filter(|_| i + 1 == above.len());
                    for (x, &cover) in cover.iter().enumerate() {
                        if cover <= 0.0 {
                            continue;
                        }
                        match top {
                            Some(table) if cover == 1.0 && row.untouched(x) => {
                                out[4 * x..][..4].copy_from_slice(&table[usize::from(row.key(x))]);
                            }
                            _ => row.blend(x, [r, g, b, a * cover], opacity, blend),
                        }
                    }
                }
            }
        }
        row.finish(out);
    }
}

/// Normalised values of the frame, three rows at a time: what the heat and contours read.
#[derive(Debug, Default)]
struct ValueRows {
    /// Rows `y` at `(y % 3) · width`.
    rows: Vec<f32>,
    /// Whether each row holds a NaN.
    nan: [bool; 3],
    /// The next row to normalise.
    next: usize,
    inv: f32,
}

impl ValueRows {
    fn start(&mut self, density: &DensityField, inv: f32) {
        self.rows.resize(3 * density.width as usize, 0.0);
        self.next = 0;
        self.inv = inv;
    }

    /// Rows `y − 1`, `y` and `y + 1` (clamped to the frame), normalising what is new; `y` counts
    /// up from 0.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn window(&mut self, y: usize, density: &DensityField) -> Window<'_> {
        let (w, h) = (density.width as usize, density.height as usize);
        let last = (y + 1).min(h - 1);
        while self.next <= last {
            let slot = self.next % 3;
            let row = &mut self.rows[slot * w..][..w];
            let src = &density.values[self.next * w..][..w];
            let inv = self.inv;
            let mut nan = false;
            for (v, &d) in row.iter_mut().zip(src) {
                *v = normalized(d, inv);
                nan |= v.is_nan();
            }
            self.nan[slot] = nan;
            self.next += 1;
        }
        let slots = [y.saturating_sub(1) % 3, y % 3, last % 3];
        let row = |s: usize| &self.rows[s * w..][..w];
        Window {
            above: row(slots[0]),
            here: row(slots[1]),
            below: row(slots[2]),
            ordered: slots.iter().all(|&s| !self.nan[s]),
        }
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

    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn at(&self, value: f32) -> [f32; 4] {
        self.0[lut_index(value)]
    }
}
