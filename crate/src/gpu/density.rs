//! The density pass: instanced kernel quads, additively blended into the Rg32Float density target
//! (the density, and for a mean the coverage beside it)
//! (`shaders/shared/point_quad.wgsl` and `shaders/density.wgsl`). Its per-world-copy frame
//! uniforms also place the points layer's discs ([`DensityPass::draw_copies`]).

use super::device::DENSITY_FORMAT;
use super::upload::POINT_BYTES;
use crate::geo::View;
use crate::points::PointBuffer;
use crate::shaders::Stage;
use std::ops::RangeInclusive;

/// Bytes of the shader's `Frame` uniform.
const FRAME_BYTES: u64 = 48;
/// Distance between per-copy uniforms: the largest `min_uniform_buffer_offset_alignment` WebGPU
/// allows, so one layout works on every adapter.
const SLOT: u64 = 256;

/// What one density pass draws: the points (and their uploaded buffer, `None` without points)
/// at a view, in the world copies the frame needs, into the density target.
#[derive(Debug)]
pub(crate) struct DensityInput<'a> {
    pub(crate) target: &'a wgpu::TextureView,
    pub(crate) points: &'a PointBuffer,
    pub(crate) buffer: Option<&'a wgpu::Buffer>,
    pub(crate) view: &'a View,
    pub(crate) copies: RangeInclusive<i32>,
    pub(crate) radius_px: f64,
    pub(crate) intensity: f32,
    /// Sum the coverage `Σ K` into the green channel too (a mean frame).
    pub(crate) coverage: bool,
}

/// Pipeline, per-world-copy uniforms and their bind group.
#[derive(Debug)]
pub(crate) struct DensityPass {
    pipeline: wgpu::RenderPipeline,
    /// Group 0 (the frame uniform at a dynamic offset), shared with the coverage pass.
    pub(crate) layout: wgpu::BindGroupLayout,
    uniforms: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    /// Uniform slots in `uniforms`: grows (rarely) to the most world copies seen in one frame.
    slots: u64,
    /// World copies written for the current frame.
    copies: u32,
    scratch: Vec<u8>,
}

impl DensityPass {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let module = quad_module(device, "geoheat density", Stage::Density);
        let layout = uniform_layout(device, "geoheat density", FRAME_BYTES, true);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("geoheat density"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        // Plain addition of every quad's contribution: the sum over points.
        let pipeline = quad_pipeline(
            device,
            "geoheat density",
            &module,
            &pipeline_layout,
            ["vs_main", "fs_main"],
            wgpu::BlendOperation::Add,
        );
        let slots = 4;
        let (uniforms, bind_group) = uniforms(device, &layout, slots);
        Self {
            pipeline,
            layout,
            uniforms,
            bind_group,
            slots,
            copies: 0,
            scratch: Vec::new(),
        }
    }

    /// Writes this frame's uniforms (one slot per world copy in `input.copies`) and records the
    /// pass into `input.target`, which it clears; with no points (`input.buffer` is `None`) the
    /// density is zero everywhere.
    pub(crate) fn encode(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        input: &DensityInput<'_>,
    ) {
        let mut pass = super::render_pass(encoder, "geoheat density", input.target, true);
        let Some(buffer) = input.buffer else {
            self.copies = 0;
            return;
        };
        self.write_frames(device, queue, input);
        pass.set_pipeline(&self.pipeline);
        self.draw_copies(&mut pass, buffer, input.points.len());
    }

    fn write_frames(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        input: &DensityInput<'_>,
    ) {
        let DensityInput {
            points,
            view,
            radius_px,
            intensity,
            coverage,
            ..
        } = *input;
        let copies = input.copies.clone();
        let needed = copies.clone().count() as u64;
        if needed > self.slots {
            self.slots = needed.next_power_of_two();
            (self.uniforms, self.bind_group) = uniforms(device, &self.layout, self.slots);
        }
        self.copies = needed as u32;
        self.scratch.clear();
        let [cx, cy] = view.center_world();
        let [ox, oy] = points.origin();
        let sigma = radius_px / 3.0;
        let half = [
            f64::from(view.pixel_width()) / 2.0,
            f64::from(view.pixel_height()) / 2.0,
        ];
        for copy in copies {
            // A point of copy k is drawn at world x + k: the same as the centre moved by -k.
            let center = [cx - ox - f64::from(copy), cy - oy];
            let hi = center.map(|c| c as f32);
            let lo = [0, 1].map(|i| (center[i] - f64::from(hi[i])) as f32);
            let floats = [
                hi[0],
                hi[1],
                lo[0],
                lo[1],
                view.scale() as f32,
                radius_px as f32,
                (1.0 / (2.0 * sigma * sigma)) as f32,
                intensity,
                half[0] as f32,
                half[1] as f32,
                view.device_pixel_ratio as f32,
                if coverage { 1.0 } else { 0.0 },
            ];
            let start = self.scratch.len();
            self.scratch
                .extend(floats.iter().flat_map(|f| f.to_le_bytes()));
            self.scratch.resize(start + SLOT as usize, 0);
        }
        queue.write_buffer(&self.uniforms, 0, &self.scratch);
    }

    /// Draws a quad per point of `buffer` (`count` points) in every world copy of the current
    /// frame, with the pipeline `pass` has (this pass's, or the coverage pass's); nothing before
    /// the frame's points were drawn.
    pub(crate) fn draw_copies(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        buffer: &wgpu::Buffer,
        count: usize,
    ) {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        pass.set_vertex_buffer(0, buffer.slice(..u64::from(count) * POINT_BYTES));
        for slot in 0..self.copies {
            // `slot < self.slots`, and slots · 256 fits the buffer.
            pass.set_bind_group(0, &self.bind_group, &[slot * SLOT as u32]);
            pass.draw(0..6, 0..count);
        }
    }
}

/// The module of a pass of instanced point quads (`shared/point_quad.wgsl`, then the stage's own).
pub(crate) fn quad_module(device: &wgpu::Device, label: &str, stage: Stage) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(stage.module().into()),
    })
}

/// A bind group layout of one uniform buffer of at least `size` bytes at binding 0, seen by both
/// stages.
pub(crate) fn uniform_layout(
    device: &wgpu::Device,
    label: &str,
    size: u64,
    has_dynamic_offset: bool,
) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries: &[wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset,
                min_binding_size: wgpu::BufferSize::new(size),
            },
            count: None,
        }],
    })
}

/// A pipeline of instanced point quads (one `[x, y, w]` instance per point, entry points
/// `[vertex, fragment]`) into the density format's red and green, blended with `operation`
/// (One, One).
pub(crate) fn quad_pipeline(
    device: &wgpu::Device,
    label: &str,
    module: &wgpu::ShaderModule,
    layout: &wgpu::PipelineLayout,
    [vertex, fragment]: [&str; 2],
    operation: wgpu::BlendOperation,
) -> wgpu::RenderPipeline {
    let component = wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::One,
        dst_factor: wgpu::BlendFactor::One,
        operation,
    };
    let vertex = wgpu::VertexState {
        module,
        entry_point: Some(vertex),
        compilation_options: wgpu::PipelineCompilationOptions::default(),
        buffers: &[Some(wgpu::VertexBufferLayout {
            array_stride: POINT_BYTES,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &wgpu::vertex_attr_array![0 => Float32x3],
        })],
    };
    let target = wgpu::ColorTargetState {
        format: DENSITY_FORMAT,
        blend: Some(wgpu::BlendState {
            color: component,
            alpha: component,
        }),
        write_mask: wgpu::ColorWrites::RED | wgpu::ColorWrites::GREEN,
    };
    super::render_pipeline(device, label, layout, vertex, fragment, target)
}

fn uniforms(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    slots: u64,
) -> (wgpu::Buffer, wgpu::BindGroup) {
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("geoheat density uniforms"),
        size: slots * SLOT,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("geoheat density"),
        layout,
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: &buffer,
                offset: 0,
                size: wgpu::BufferSize::new(FRAME_BYTES),
            }),
        }],
    });
    (buffer, bind_group)
}
