//! Everything sized to the view: the density and coverage textures, the RGBA8 texture read back
//! into a [`Surface`](crate::Surface), the layer composite, the readback buffer and the bind
//! groups that see them. Made again only when the size changes.

use super::bindings::FrameBindings;
use super::composite::Composite;
use super::device::DENSITY_FORMAT;
use super::reduce::MaxReduce;

/// Format of the offscreen colour target: the surface's byte order.
pub(crate) const COLOR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Textures, buffers and bind groups for one frame size.
#[derive(Debug)]
pub(crate) struct Targets {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) density_texture: wgpu::Texture,
    pub(crate) density: wgpu::TextureView,
    pub(crate) color: wgpu::Texture,
    pub(crate) color_view: wgpu::TextureView,
    /// A points layer's disc coverage (R32Float, like the density).
    pub(crate) coverage: wgpu::TextureView,
    /// Made by the first frame that composites layers.
    pub(crate) composite: Option<Composite>,
    pub(crate) reduce_bind_group: wgpu::BindGroup,
    /// Group 0 of the colour and layer passes.
    pub(crate) frame_bind_group: wgpu::BindGroup,
    /// Padded RGBA rows, then the 4 bytes of the maximum and the 4 of the fault bits.
    pub(crate) readback: wgpu::Buffer,
    /// Bytes per row in `readback`: `width · 8` (a density pixel's two f32; a colour pixel takes 4)
    /// rounded up to 256, as texture copies require.
    pub(crate) padded_row: u32,
}

impl Targets {
    pub(crate) fn new(
        device: &wgpu::Device,
        reduce: &MaxReduce,
        bindings: &FrameBindings,
        width: u32,
        height: u32,
    ) -> Self {
        let texture = |label, format, usage| texture(device, label, [width, height], format, usage);
        let density_texture = texture(
            "geoheat density",
            DENSITY_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_SRC,
        );
        let density = density_texture.create_view(&wgpu::TextureViewDescriptor::default());
        let color_texture = texture(
            "geoheat colour",
            COLOR_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        );
        let color_view = color_texture.create_view(&wgpu::TextureViewDescriptor::default());
        let reduce_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("geoheat max_reduce"),
            layout: &reduce.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&density),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: reduce.result.as_entire_binding(),
                },
            ],
        });
        let coverage = texture(
            "geoheat coverage",
            DENSITY_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&wgpu::TextureViewDescriptor::default());
        let frame_bind_group = bindings.bind_group(device, &density, &reduce.result, &coverage);
        let padded_row = (width * 8).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("geoheat readback"),
            size: u64::from(padded_row) * u64::from(height) + 8,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            width,
            height,
            density_texture,
            density,
            color: color_texture,
            color_view,
            coverage,
            composite: None,
            reduce_bind_group,
            frame_bind_group,
            readback,
            padded_row,
        }
    }

    /// Byte offset of the maximum's bits in `readback` (the fault bits follow).
    pub(crate) fn max_offset(&self) -> u64 {
        u64::from(self.padded_row) * u64::from(self.height)
    }

    /// Records copies of `texture` (the colour texture, 4 bytes a pixel, or the density texture,
    /// 8), the maximum and the fault bits into the readback buffer.
    pub(crate) fn encode_readback(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
        max: &wgpu::Buffer,
        faults: &wgpu::Buffer,
    ) {
        encoder.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &self.readback,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(self.padded_row),
                    rows_per_image: Some(self.height),
                },
            },
            wgpu::Extent3d {
                width: self.width,
                height: self.height,
                depth_or_array_layers: 1,
            },
        );
        encoder.copy_buffer_to_buffer(max, 0, &self.readback, self.max_offset(), 4);
        encoder.copy_buffer_to_buffer(faults, 0, &self.readback, self.max_offset() + 4, 4);
    }
}

/// A 2D texture of one mip level and sample.
pub(crate) fn texture(
    device: &wgpu::Device,
    label: &str,
    [width, height]: [u32; 2],
    format: wgpu::TextureFormat,
    usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage,
        view_formats: &[],
    })
}
