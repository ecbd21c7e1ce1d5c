//! Passes that draw one triangle over the whole target (`shaders/shared/fullscreen.wgsl`): the
//! colour pass, every layer and the resolve. Helpers for their pipelines and render passes, and the
//! per-format pipelines of the two that write the caller's RGBA8/BGRA8 target.

use super::ViewTarget;
use super::colorize::TargetAlpha;
use crate::error::{Error, Result};

/// A fullscreen pipeline of `module`'s fragment entry point `fragment` into one colour target.
pub(crate) fn pipeline(
    device: &wgpu::Device,
    label: &str,
    module: &wgpu::ShaderModule,
    layout: &wgpu::PipelineLayout,
    fragment: &str,
    target: wgpu::ColorTargetState,
) -> wgpu::RenderPipeline {
    let vertex = wgpu::VertexState {
        module,
        entry_point: Some("geoheat_vs"),
        compilation_options: wgpu::PipelineCompilationOptions::default(),
        buffers: &[],
    };
    super::render_pipeline(device, label, layout, vertex, fragment, target)
}

/// A fullscreen pass that writes the caller's target: a pipeline per target format and alpha
/// mode, made on first use. Its module has the fragment entry points `{prefix}_straight` and
/// `{prefix}_premultiplied`.
#[derive(Debug)]
pub(crate) struct TargetPass {
    label: &'static str,
    prefix: &'static str,
    module: wgpu::ShaderModule,
    layout: wgpu::PipelineLayout,
    pipelines: Vec<((wgpu::TextureFormat, TargetAlpha), wgpu::RenderPipeline)>,
}

impl TargetPass {
    pub(crate) fn new(
        device: &wgpu::Device,
        label: &'static str,
        prefix: &'static str,
        wgsl: String,
        group: &wgpu::BindGroupLayout,
    ) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(wgsl.into()),
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(group)],
            immediate_size: 0,
        });
        Self {
            label,
            prefix,
            module,
            layout,
            pipelines: Vec::new(),
        }
    }

    /// Records the pass into `target`, which it replaces (no blending, straight alpha included).
    pub(crate) fn encode(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        bind_group: &wgpu::BindGroup,
        target: ViewTarget<'_>,
    ) -> Result<()> {
        let ViewTarget {
            view: target,
            alpha,
        } = target;
        let key = (target.texture().format(), alpha);
        let index = match self.pipelines.iter().position(|(k, _)| *k == key) {
            Some(index) => index,
            None => {
                let pipeline = self.pipeline(device, key.0, alpha)?;
                self.pipelines.push((key, pipeline));
                self.pipelines.len() - 1
            }
        };
        let mut pass = super::render_pass(encoder, self.label, target, true);
        pass.set_pipeline(&self.pipelines[index].1);
        pass.set_bind_group(0, bind_group, &[]);
        pass.draw(0..3, 0..1);
        Ok(())
    }

    fn pipeline(
        &self,
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        alpha: TargetAlpha,
    ) -> Result<wgpu::RenderPipeline> {
        use wgpu::TextureFormat::{Bgra8Unorm, Rgba8Unorm};
        // sRGB targets would re-encode the ramp's colours; the surface holds them as given.
        if !matches!(format, Rgba8Unorm | Bgra8Unorm) {
            return Err(Error::option(
                "target",
                // The format is not named: its printed form would put every format's name in
                // the page's wasm for a case the page never meets.
                "frames are written to Rgba8Unorm or Bgra8Unorm textures only",
            ));
        }
        let entry = match alpha {
            TargetAlpha::Straight => format!("{}_straight", self.prefix),
            TargetAlpha::Premultiplied => format!("{}_premultiplied", self.prefix),
        };
        Ok(pipeline(
            device,
            self.label,
            &self.module,
            &self.layout,
            &entry,
            wgpu::ColorTargetState {
                format,
                blend: None,
                write_mask: wgpu::ColorWrites::ALL,
            },
        ))
    }
}
