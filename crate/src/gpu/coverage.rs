//! The points layer's coverage pass (`shaders/shared/point_quad.wgsl` and
//! `shaders/coverage.wgsl`): anti-aliased discs at the density pass's uploaded points, in
//! the density pass's per-world-copy frames, Max-blended into the R32Float coverage texture that
//! the layer's fullscreen pass then reads as `geoheat_coverage`.

use super::density::{DensityPass, quad_module, quad_pipeline, uniform_layout};
use crate::shaders::Stage;

/// Bytes of the points layer's `Uniforms` (radius, then a 16-aligned vec4 colour).
const DOTS_BYTES: u64 = 32;

#[derive(Debug)]
pub(crate) struct CoveragePass {
    pipeline: wgpu::RenderPipeline,
    /// Group 1: a points layer's uniform buffer, whose first member is the disc radius.
    pub(crate) dots_layout: wgpu::BindGroupLayout,
}

impl CoveragePass {
    pub(crate) fn new(device: &wgpu::Device, density: &DensityPass) -> Self {
        let module = quad_module(device, "geoheat coverage", Stage::Coverage);
        let dots_layout = uniform_layout(device, "geoheat coverage dots", DOTS_BYTES, false);
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("geoheat coverage"),
            bind_group_layouts: &[Some(&density.layout), Some(&dots_layout)],
            immediate_size: 0,
        });
        // Max, not a sum: overlapping discs do not brighten, whatever the points' order.
        let pipeline = quad_pipeline(
            device,
            "geoheat coverage",
            &module,
            &layout,
            ["coverage_vs", "coverage_fs"],
            wgpu::BlendOperation::Max,
        );
        Self {
            pipeline,
            dots_layout,
        }
    }

    /// Clears `target` and draws the discs of `count` points of `buffer` (none without points)
    /// with the radius in the uniforms `dots` binds.
    pub(crate) fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::TextureView,
        density: &DensityPass,
        points: Option<(&wgpu::Buffer, usize)>,
        dots: &wgpu::BindGroup,
    ) {
        let mut pass = super::render_pass(encoder, "geoheat coverage", target, true);
        if let Some((buffer, count)) = points {
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(1, dots, &[]);
            density.draw_copies(&mut pass, buffer, count);
        }
    }
}
