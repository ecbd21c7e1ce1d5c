//! The canvas a heatmap draws on: an `HtmlCanvasElement` on a page, or an `OffscreenCanvas` that
//! the page transferred to a worker. Both give a size, a 2D context and a WebGPU surface; only an
//! element has a layout (CSS) size, so an offscreen canvas is told its size by the page.

use crate::error::{Error, Result};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, ImageData, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d,
};

#[derive(Clone, Debug)]
pub(crate) enum Canvas {
    Element(HtmlCanvasElement),
    Offscreen(OffscreenCanvas),
}

impl Canvas {
    /// An `HTMLCanvasElement` or `OffscreenCanvas`, else an `INVALID_ARGUMENT` error.
    pub(crate) fn from_js(value: JsValue) -> Result<Self> {
        if value.is_instance_of::<OffscreenCanvas>() {
            return Ok(Self::Offscreen(value.unchecked_into()));
        }
        value
            .dyn_into::<HtmlCanvasElement>()
            .map(Self::Element)
            .map_err(|_| {
                Error::argument("a heatmap draws on an HTMLCanvasElement or an OffscreenCanvas")
            })
    }

    pub(crate) fn as_js(&self) -> &JsValue {
        match self {
            Self::Element(c) => c,
            Self::Offscreen(c) => c,
        }
    }

    pub(crate) fn element(&self) -> Option<&HtmlCanvasElement> {
        match self {
            Self::Element(c) => Some(c),
            Self::Offscreen(_) => None,
        }
    }

    /// The drawing buffer's size in device pixels.
    pub(crate) fn size(&self) -> (u32, u32) {
        match self {
            Self::Element(c) => (c.width(), c.height()),
            Self::Offscreen(c) => (c.width(), c.height()),
        }
    }

    pub(crate) fn set_size(&self, (width, height): (u32, u32)) {
        if self.size() == (width, height) {
            return;
        }
        match self {
            Self::Element(c) => {
                c.set_width(width);
                c.set_height(height);
            }
            Self::Offscreen(c) => {
                c.set_width(width);
                c.set_height(height);
            }
        }
    }

    /// The layout size in CSS pixels of an element that is laid out; `None` for an offscreen
    /// canvas or an element that is not (yet).
    pub(crate) fn css_size(&self) -> Option<(u32, u32)> {
        let c = self.element()?;
        let (w, h) = (c.client_width(), c.client_height());
        (w > 0 && h > 0).then_some((w as u32, h as u32))
    }

    /// The `2d` context; an error if the canvas has another kind.
    pub(crate) fn context_2d(&self) -> Result<Context2d, JsValue> {
        let context = match self {
            Self::Element(c) => c.get_context("2d")?,
            Self::Offscreen(c) => c.get_context("2d")?,
        }
        .ok_or_else(|| Error::CanvasUnavailable {
            reason: "the canvas has no 2D context (is another context in use?)".into(),
        })?;
        Ok(match self {
            Self::Element(_) => Context2d::Element(context.dyn_into()?),
            Self::Offscreen(_) => Context2d::Offscreen(context.dyn_into()?),
        })
    }

    pub(crate) fn surface_target(&self) -> crate::gpu::wgpu::SurfaceTarget<'static> {
        use crate::gpu::wgpu::SurfaceTarget;
        match self {
            Self::Element(c) => SurfaceTarget::Canvas(c.clone()),
            Self::Offscreen(c) => SurfaceTarget::OffscreenCanvas(c.clone()),
        }
    }
}

pub(crate) enum Context2d {
    Element(CanvasRenderingContext2d),
    Offscreen(OffscreenCanvasRenderingContext2d),
}

impl Context2d {
    pub(crate) fn put_image_data(&self, image: &ImageData) -> Result<(), JsValue> {
        match self {
            Self::Element(c) => c.put_image_data(image, 0.0, 0.0),
            Self::Offscreen(c) => c.put_image_data(image, 0.0, 0.0),
        }
    }
}
