//! Everything sized to the view: the density texture, the RGBA8 texture read back into a
//! [`Surface`](crate::Surface), the readback buffer and the bind groups that see them. Made again
//! only when the size changes.

use super::colorize::ColorPass;
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
    pub(crate) reduce_bind_group: wgpu::BindGroup,
    pub(crate) color_bind_group: wgpu::BindGroup,
    /// Padded RGBA rows, then the 4 bytes of the maximum.
    pub(crate) readback: wgpu::Buffer,
    /// Bytes per row in `readback`: `width · 4` rounded up to 256, as texture copies require.
    pub(crate) padded_row: u32,
}

impl Targets {
    pub(crate) fn new(
        device: &wgpu::Device,
        reduce: &MaxReduce,
        color: &ColorPass,
        width: u32,
        height: u32,
    ) -> Self {
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let texture = |label, format, usage| {
            device.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size,
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage,
                view_formats: &[],
            })
        };
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
        let color_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("geoheat colorize"),
            layout: &color.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&density),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: color.params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: reduce.result.as_entire_binding(),
                },
            ],
        });
        let padded_row = (width * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("geoheat readback"),
            size: u64::from(padded_row) * u64::from(height) + 4,
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
            reduce_bind_group,
            color_bind_group,
            readback,
            padded_row,
        }
    }

    /// Byte offset of the maximum's bits in `readback`.
    pub(crate) fn max_offset(&self) -> u64 {
        u64::from(self.padded_row) * u64::from(self.height)
    }

    /// Records copies of `texture` (the colour or the density texture: both 4 bytes a pixel) and
    /// the maximum into the readback buffer.
    pub(crate) fn encode_readback(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
        max: &wgpu::Buffer,
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
    }
}
