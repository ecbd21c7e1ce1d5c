//! The colour pass (`shaders/colorize.wgsl`): density, maximum, palette and threshold to straight
//! RGBA8, into any RGBA8/BGRA8 target (an offscreen texture to read back, later a canvas).

use crate::error::{Error, Result};
use crate::raster::colorize::palette;
use crate::style::HeatStyle;

/// Bytes of the shader's `Params`: 4 scalars, then 256 packed colours.
const PARAMS_BYTES: u64 = 16 + 256 * 4;

/// Where the colour pass takes the maximum density from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum MaxSource {
    /// A maximum known on the CPU (fixed or stable normalisation).
    Known(f32),
    /// The max_reduce result of this frame (viewport normalisation).
    Reduced,
}

/// How the colour pass writes alpha.
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

/// Pipelines (one per target format), the parameter buffer and the last parameters written.
#[derive(Debug)]
pub(crate) struct ColorPass {
    module: wgpu::ShaderModule,
    pipeline_layout: wgpu::PipelineLayout,
    pub(crate) layout: wgpu::BindGroupLayout,
    pipelines: Vec<(wgpu::TextureFormat, wgpu::RenderPipeline)>,
    pub(crate) params: wgpu::Buffer,
    written: Option<Vec<u8>>,
}

impl ColorPass {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("geoheat colorize"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../../shaders/colorize.wgsl").into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("geoheat colorize"),
            entries: &[
                super::density_texture_entry(0, wgpu::ShaderStages::FRAGMENT),
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(PARAMS_BYTES),
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only: true },
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(4),
                    },
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("geoheat colorize"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("geoheat colorize params"),
            size: PARAMS_BYTES,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            module,
            pipeline_layout,
            layout,
            pipelines: Vec::new(),
            params,
            written: None,
        }
    }

    /// Writes the parameters when they changed since the last frame.
    pub(crate) fn write_params(
        &mut self,
        queue: &wgpu::Queue,
        style: &HeatStyle,
        max: MaxSource,
        alpha: TargetAlpha,
    ) {
        let (max_density, mut flags) = match max {
            MaxSource::Known(max) => (max, 0u32),
            MaxSource::Reduced => (0.0, 1),
        };
        if alpha == TargetAlpha::Premultiplied {
            flags |= 2;
        }
        let mut bytes = Vec::with_capacity(PARAMS_BYTES as usize);
        bytes.extend(max_density.to_le_bytes());
        // The reciprocal as raster::colorize computes it, so the f32 products match.
        bytes.extend((1.0 / max_density).to_le_bytes());
        bytes.extend(style.threshold.to_le_bytes());
        bytes.extend(flags.to_le_bytes());
        for rgba in palette(style) {
            bytes.extend(u32::from_le_bytes(rgba).to_le_bytes());
        }
        if self.written.as_ref() != Some(&bytes) {
            queue.write_buffer(&self.params, 0, &bytes);
            self.written = Some(bytes);
        }
    }

    /// Records the pass into `target`, creating the pipeline for its format on first use.
    pub(crate) fn encode(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        bind_group: &wgpu::BindGroup,
        target: &wgpu::TextureView,
    ) -> Result<()> {
        let format = target.texture().format();
        let index = match self.pipelines.iter().position(|(f, _)| *f == format) {
            Some(index) => index,
            None => {
                let pipeline = self.pipeline(device, format)?;
                self.pipelines.push((format, pipeline));
                self.pipelines.len() - 1
            }
        };
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("geoheat colorize"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                },
            })],
            ..wgpu::RenderPassDescriptor::default()
        });
        pass.set_pipeline(&self.pipelines[index].1);
        pass.set_bind_group(0, bind_group, &[]);
        pass.draw(0..3, 0..1);
        Ok(())
    }

    fn pipeline(
        &self,
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
    ) -> Result<wgpu::RenderPipeline> {
        use wgpu::TextureFormat::{Bgra8Unorm, Rgba8Unorm};
        // sRGB targets would re-encode the ramp's colours; the surface holds them as given.
        if !matches!(format, Rgba8Unorm | Bgra8Unorm) {
            return Err(Error::option(
                "target",
                format!(
                    "texture format {format:?}; the colour pass writes Rgba8Unorm or Bgra8Unorm"
                ),
            ));
        }
        Ok(
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some("geoheat colorize"),
                layout: Some(&self.pipeline_layout),
                vertex: wgpu::VertexState {
                    module: &self.module,
                    entry_point: Some("vs_main"),
                    compilation_options: wgpu::PipelineCompilationOptions::default(),
                    buffers: &[],
                },
                primitive: wgpu::PrimitiveState::default(),
                depth_stencil: None,
                multisample: wgpu::MultisampleState::default(),
                fragment: Some(wgpu::FragmentState {
                    module: &self.module,
                    entry_point: Some("fs_main"),
                    compilation_options: wgpu::PipelineCompilationOptions::default(),
                    // No blending: the frame replaces what was there, straight alpha included.
                    targets: &[Some(wgpu::ColorTargetState {
                        format,
                        blend: None,
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            }),
        )
    }
}
