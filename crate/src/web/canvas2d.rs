//! Presents the surface's front buffer on a Canvas 2D context (of a canvas element or an
//! `OffscreenCanvas`) with `putImageData`.

use super::canvas::{Canvas, Context2d};
use crate::surface::Surface;
use js_sys::WebAssembly;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::ImageData;

/// An `ImageData` that views one of the surface's buffers in wasm memory (no copy), valid while
/// the buffer stays where it is and the memory has not grown (growth detaches the old view).
struct ImageView {
    ptr: usize,
    width: u32,
    height: u32,
    memory_buffer: JsValue,
    image: ImageData,
}

pub(crate) struct Canvas2d {
    context: Context2d,
    /// One per surface buffer: front and back trade places on every swap.
    views: [Option<ImageView>; 2],
    next_slot: usize,
}

impl Canvas2d {
    pub(crate) fn new(canvas: &Canvas) -> Result<Self, JsValue> {
        Ok(Self {
            context: canvas.context_2d()?,
            views: [None, None],
            next_slot: 0,
        })
    }

    pub(crate) fn present(&mut self, surface: &Surface) -> Result<(), JsValue> {
        let front = surface.front();
        let (ptr, width, height) = (front.as_ptr() as usize, surface.width(), surface.height());
        let memory_buffer = wasm_bindgen::memory()
            .unchecked_into::<WebAssembly::Memory>()
            .buffer();
        let current = |v: &ImageView| {
            v.ptr == ptr
                && v.width == width
                && v.height == height
                && js_sys::Object::is(&v.memory_buffer, &memory_buffer)
        };
        let slot = match self
            .views
            .iter()
            .position(|v| v.as_ref().is_some_and(current))
        {
            Some(slot) => slot,
            None => {
                let image =
                    ImageData::new_with_u8_clamped_array_and_sh(Clamped(front), width, height)?;
                let slot = self.next_slot;
                self.next_slot = 1 - slot;
                self.views[slot] = Some(ImageView {
                    ptr,
                    width,
                    height,
                    memory_buffer,
                    image,
                });
                slot
            }
        };
        if let Some(view) = &self.views[slot] {
            self.context.put_image_data(&view.image)?;
        }
        Ok(())
    }
}
