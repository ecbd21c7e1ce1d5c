//! One row of the frame as the compositor builds it: the bottom layer's bytes written straight
//! from a table, and only the pixels that a layer above covers composited in f32.
//!
//! The bottom heat layer's premultiplied colour depends on the pixel only through its palette
//! index (or the threshold): 256 colours, or transparent. Blending it over the transparent start
//! and resolving it to RGBA8 is therefore done once per index and frame, and a pixel that no layer
//! above touches takes its bytes from that table, exactly as if it had gone through the f32
//! pipeline. The layers above (contours, dots: mostly transparent) blend into the f32 pixel only
//! where they have alpha.

use super::composite::{Premul, blend_pixel, straight_rgba8};
use crate::layer::Blend;

/// Keys of the base: the palette index `0..=255`, or this for a transparent pixel.
pub(super) const TRANSPARENT: u16 = 256;
const KEYS: usize = TRANSPARENT as usize + 1;

/// The base layer's colour per key, premultiplied and resolved to straight RGBA8.
pub(super) struct BaseTables {
    premul: [Premul; KEYS],
    rgba: [[u8; 4]; KEYS],
}

impl BaseTables {
    /// The tables of `palette` blended with `opacity` and `blend` over the transparent start, or
    /// of a transparent base when `palette` is `None`.
    pub(super) fn new(palette: Option<(&[[f32; 4]; 256], f32, Blend)>) -> Self {
        let mut premul = [[0.0; 4]; KEYS];
        if let Some((palette, opacity, blend)) = palette {
            for (p, &color) in premul.iter_mut().zip(palette) {
                blend_pixel(p, color, opacity, blend);
            }
        }
        Self {
            premul,
            rgba: premul.map(straight_rgba8),
        }
    }

    /// Straight RGBA8 of the base over `keys` with `above` (straight colour, opacity, blend)
    /// blended over it: what a pixel gets where the top layer has that one colour.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn over(&self, above: [f32; 4], opacity: f32, blend: Blend) -> [[u8; 4]; KEYS] {
        self.premul.map(|mut p| {
            blend_pixel(&mut p, above, opacity, blend);
            straight_rgba8(p)
        })
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn rgba(&self, key: u16) -> [u8; 4] {
        self.rgba[usize::from(key)]
    }
}

/// The working buffers of one row, reused from row to row: `marked` is all false and `touched`
/// empty between rows.
#[derive(Debug, Default)]
pub(super) struct RowBuffers {
    /// The base key of each pixel.
    pub keys: Vec<u16>,
    /// Premultiplied colour of the touched pixels (the others hold stale values).
    premul: Vec<Premul>,
    marked: Vec<bool>,
    /// The pixels blended into, in the order first touched.
    touched: Vec<u32>,
}

impl RowBuffers {
    /// Sizes the buffers for rows of `w` pixels.
    pub(super) fn resize(&mut self, w: usize) {
        self.keys.resize(w, TRANSPARENT);
        self.premul.resize(w, [0.0; 4]);
        self.marked.clear();
        self.marked.resize(w, false);
        self.touched.clear();
    }

    /// The row over `base`, to blend the layers above into.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn row<'a>(&'a mut self, base: &'a BaseTables) -> Row<'a> {
        Row {
            base,
            buffers: self,
        }
    }
}

pub(super) struct Row<'a> {
    base: &'a BaseTables,
    buffers: &'a mut RowBuffers,
}

impl Row<'_> {
    /// True when no layer above has blended into pixel `x` yet: it still holds the base alone.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline]
    pub(super) fn untouched(&self, x: usize) -> bool {
        !self.buffers.marked[x]
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn key(&self, x: usize) -> u16 {
        self.buffers.keys[x]
    }

    /// Blends the straight colour `color` with `opacity` and `blend` into pixel `x`, as
    /// [`blend_pixel`] does (a transparent source changes nothing and leaves the pixel untouched).
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline]
    pub(super) fn blend(&mut self, x: usize, color: [f32; 4], opacity: f32, blend: Blend) {
        // The test `blend_pixel` starts with.
        if color[3].clamp(0.0, 1.0) * opacity <= 0.0 {
            return;
        }
        let b = &mut *self.buffers;
        if !b.marked[x] {
            b.marked[x] = true;
            // A row is at most u32::MAX pixels wide (the frame's width is a u32).
            b.touched.push(x as u32);
            b.premul[x] = self.base.premul[usize::from(b.keys[x])];
        }
        blend_pixel(&mut b.premul[x], color, opacity, blend);
    }

    /// Writes the touched pixels into `out` (the row's straight RGBA8, already holding the base's
    /// bytes) and leaves the buffers ready for the next row.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn finish(self, out: &mut [u8]) {
        let b = self.buffers;
        for &x in &b.touched {
            let x = x as usize;
            b.marked[x] = false;
            out[4 * x..][..4].copy_from_slice(&straight_rgba8(b.premul[x]));
        }
        b.touched.clear();
    }
}
