//! The frame's maximum density on the GPU (`shaders/reduce.wgsl`), for viewport
//! normalisation without a CPU round trip.

use crate::shaders::Stage;

/// Pixels per workgroup along each axis: 16 invocations × 4 pixels.
const PIXELS_PER_GROUP: u32 = 64;

/// Pipeline and the 4-byte result buffer (the bits of the maximum).
#[derive(Debug)]
pub(crate) struct MaxReduce {
    pipeline: wgpu::ComputePipeline,
    pub(crate) layout: wgpu::BindGroupLayout,
    /// Bits of the last frame's maximum; read by the colour pass and copied out on readback.
    pub(crate) result: wgpu::Buffer,
}

impl MaxReduce {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("geoheat max_reduce"),
            source: wgpu::ShaderSource::Wgsl(Stage::Reduce.module().into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("geoheat max_reduce"),
            entries: &[
                super::unfilterable_texture_entry(0, wgpu::ShaderStages::COMPUTE),
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only: false },
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(4),
                    },
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("geoheat max_reduce"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("geoheat max_reduce"),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("main"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            cache: None,
        });
        let result = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("geoheat max"),
            size: 4,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            pipeline,
            layout,
            result,
        }
    }

    /// Clears the result and records the reduction of a `width`×`height` density texture bound
    /// by `bind_group`.
    pub(crate) fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        bind_group: &wgpu::BindGroup,
        width: u32,
        height: u32,
    ) {
        encoder.clear_buffer(&self.result, 0, None);
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("geoheat max_reduce"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        pass.dispatch_workgroups(
            width.div_ceil(PIXELS_PER_GROUP),
            height.div_ceil(PIXELS_PER_GROUP),
            1,
        );
    }
}
