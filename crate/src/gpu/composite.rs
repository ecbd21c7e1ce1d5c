//! The layer composite: an Rgba32Float texture of premultiplied colour that every visible layer
//! blends into (float32 blending, which the renderer requires anyway), and the resolve pass
//! (`shaders/composite.wgsl`) that writes it into the RGBA8/BGRA8 target, straight or
//! premultiplied.

use super::ViewTarget;
use super::fullscreen::TargetPass;
use crate::error::Result;
use crate::shaders::Stage;

/// Full f32 precision, so that many layers or additive glows do not band before the resolve.
pub(crate) const COMPOSITE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba32Float;

/// The composite texture of one frame size and the resolve's bind group over it; made only once
/// a frame has layers to composite.
#[derive(Debug)]
pub(crate) struct Composite {
    pub(crate) view: wgpu::TextureView,
    bind_group: wgpu::BindGroup,
}

impl Composite {
    pub(crate) fn new(
        device: &wgpu::Device,
        resolve: &ResolvePass,
        width: u32,
        height: u32,
    ) -> Self {
        let texture = super::targets::texture(
            device,
            "geoheat composite",
            [width, height],
            COMPOSITE_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        );
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("geoheat resolve"),
            layout: &resolve.layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(&view),
            }],
        });
        Self { view, bind_group }
    }
}

/// The resolve pass: its bind group layout and per-format pipelines.
#[derive(Debug)]
pub(crate) struct ResolvePass {
    layout: wgpu::BindGroupLayout,
    pass: TargetPass,
}

impl ResolvePass {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("geoheat resolve"),
            entries: &[super::unfilterable_texture_entry(
                0,
                wgpu::ShaderStages::FRAGMENT,
            )],
        });
        let wgsl = Stage::Composite.module().to_string();
        let pass = TargetPass::new(device, "geoheat resolve", "resolve", wgsl, &layout);
        Self { layout, pass }
    }

    /// Records the resolve of `composite` into `target`.
    pub(crate) fn encode(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        composite: &Composite,
        target: ViewTarget<'_>,
    ) -> Result<()> {
        self.pass
            .encode(device, encoder, &composite.bind_group, target)
    }
}
