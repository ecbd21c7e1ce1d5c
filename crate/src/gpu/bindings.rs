//! Group 0 of the fullscreen passes (colorize and every layer), as
//! `shaders/shared/layer_prelude.wgsl` declares it: the density, the `Geoheat` frame uniform, the
//! palette, the reduced maximum, the fault bits and the points coverage. One layout, so one bind
//! group per frame size serves them all.

use crate::frame::MaxSource;
use crate::style::HeatStyle;

/// Bytes of the prelude's `Geoheat` struct.
const GEOHEAT_BYTES: u64 = 48;
/// Bytes of `GeoheatPalette`: 256 packed RGBA8 colours.
const PALETTE_BYTES: u64 = 256 * 4;

/// What the `Geoheat` uniform holds for one frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameValues {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) time_s: f32,
    pub(crate) zoom: f64,
    pub(crate) pixel_ratio: f64,
    pub(crate) radius_px: f64,
    pub(crate) max: MaxSource,
}

/// The layout, the frame's uniform buffers (written only when their bytes change) and the fault
/// bits.
#[derive(Debug)]
pub(crate) struct FrameBindings {
    pub(crate) layout: wgpu::BindGroupLayout,
    geoheat: wgpu::Buffer,
    palette: wgpu::Buffer,
    /// `geoheat_faults`: bit i set when layer i's `shade` returned a non-finite colour; cleared at
    /// the start of every frame.
    pub(crate) faults: wgpu::Buffer,
    written_geoheat: Vec<u8>,
    written_palette: Vec<u8>,
}

impl FrameBindings {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let buffer_entry = |binding, ty, size| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: fragment,
            ty: wgpu::BindingType::Buffer {
                ty,
                has_dynamic_offset: false,
                min_binding_size: wgpu::BufferSize::new(size),
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("geoheat frame"),
            entries: &[
                super::unfilterable_texture_entry(0, fragment),
                buffer_entry(1, wgpu::BufferBindingType::Uniform, GEOHEAT_BYTES),
                buffer_entry(2, wgpu::BufferBindingType::Uniform, PALETTE_BYTES),
                buffer_entry(3, wgpu::BufferBindingType::Storage { read_only: true }, 4),
                buffer_entry(4, wgpu::BufferBindingType::Storage { read_only: false }, 4),
                super::unfilterable_texture_entry(5, fragment),
            ],
        });
        let buffer = |label, size, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage: usage | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        Self {
            layout,
            geoheat: buffer("geoheat frame", GEOHEAT_BYTES, wgpu::BufferUsages::UNIFORM),
            palette: buffer(
                "geoheat palette",
                PALETTE_BYTES,
                wgpu::BufferUsages::UNIFORM,
            ),
            faults: buffer(
                "geoheat faults",
                4,
                wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            ),
            written_geoheat: Vec::new(),
            written_palette: Vec::new(),
        }
    }

    /// Writes the frame uniform and the palette where they changed since the last frame.
    pub(crate) fn write(&mut self, queue: &wgpu::Queue, style: &HeatStyle, frame: &FrameValues) {
        // Flag 1: the passes read the max_reduce result of this frame instead.
        let (max_density, flags) = match frame.max.known() {
            Some(max) => (max, 0u32),
            None => (0.0, 1),
        };
        let floats = [
            frame.width as f32,
            frame.height as f32,
            frame.time_s,
            frame.zoom as f32,
            frame.pixel_ratio as f32,
            frame.radius_px as f32,
            max_density,
            // The reciprocal as the CPU's colouring computes it, so the f32 products match.
            1.0 / max_density,
            style.threshold,
        ];
        let mut bytes: Vec<u8> = floats.iter().flat_map(|f| f.to_le_bytes()).collect();
        bytes.extend(flags.to_le_bytes());
        bytes.resize(GEOHEAT_BYTES as usize, 0);
        write_changed(queue, &self.geoheat, &mut self.written_geoheat, &bytes);
        let lut: Vec<u8> = style.palette().iter().flatten().copied().collect();
        write_changed(queue, &self.palette, &mut self.written_palette, &lut);
    }

    /// The group over one frame size's textures and the reduction's result.
    pub(crate) fn bind_group(
        &self,
        device: &wgpu::Device,
        density: &wgpu::TextureView,
        reduced: &wgpu::Buffer,
        coverage: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("geoheat frame"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(density),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: self.geoheat.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: self.palette.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: reduced.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: self.faults.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 5,
                    resource: wgpu::BindingResource::TextureView(coverage),
                },
            ],
        })
    }
}

/// Writes `bytes` into `buffer` unless they are what was written last (kept in `written`).
pub(crate) fn write_changed(
    queue: &wgpu::Queue,
    buffer: &wgpu::Buffer,
    written: &mut Vec<u8>,
    bytes: &[u8],
) {
    if written != bytes {
        queue.write_buffer(buffer, 0, bytes);
        written.clear();
        written.extend_from_slice(bytes);
    }
}
