//! The colour pass of a frame whose stack is the plain heat layer (`shaders/colorize.wgsl`):
//! density, maximum, palette and threshold straight into the RGBA8/BGRA8 target, with no
//! composite in between, so such frames stay byte-identical to the CPU path.

use super::fullscreen::TargetPass;
use crate::shaders::Stage;

/// How a frame writes alpha into its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetAlpha {
    /// Straight (not premultiplied) RGBA, what [`Surface`](crate::Surface), Canvas 2D
    /// `putImageData` and PNG hold.
    #[default]
    Straight,
    /// Colour multiplied by alpha: what a WebGPU canvas configured with `alphaMode: "premultiplied"`
    /// composites (it has no straight-alpha mode).
    Premultiplied,
}

/// The colour pass: the heat layer's `shade` with the prelude's bindings and helpers.
pub(crate) fn color_pass(device: &wgpu::Device, frame: &wgpu::BindGroupLayout) -> TargetPass {
    let wgsl = Stage::Colorize.module().to_string();
    TargetPass::new(device, "geoheat colorize", "colorize", wgsl, frame)
}
