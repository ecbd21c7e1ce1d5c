//! The point buffer on the GPU: uploaded only when [`PointBuffer::revision`] changes, and then
//! only the appended tail when the buffer still fits.

use crate::error::{Error, Result};
use crate::points::{FLOATS_PER_POINT, PointBuffer};

/// Bytes per point: `[x, y, w]` f32.
pub(crate) const POINT_BYTES: u64 = (FLOATS_PER_POINT * 4) as u64;

/// The GPU copy of a [`PointBuffer`] and what it holds.
#[derive(Debug, Default)]
pub(crate) struct PointUpload {
    buffer: Option<wgpu::Buffer>,
    revision: Option<(u64, usize)>,
    uploads: u64,
}

impl PointUpload {
    /// Makes the GPU buffer hold `points` and returns it (`None` for no points). Writes nothing
    /// when the revision is the one already uploaded.
    pub(crate) fn sync(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        points: &PointBuffer,
    ) -> Result<Option<&wgpu::Buffer>> {
        let revision = points.revision();
        if points.is_empty() {
            return Ok(None);
        }
        let bytes: &[u8] = bytemuck::cast_slice(points.as_slice());
        let len = bytes.len() as u64;
        if self.revision != Some(revision) {
            // Points are only appended or cleared (which renews the buffer identity), so with the
            // same identity the uploaded prefix is still valid.
            let uploaded = match (self.revision, &self.buffer) {
                (Some((id, n)), Some(buffer))
                    if id == revision.0 && n <= revision.1 && buffer.size() >= len =>
                {
                    n as u64 * POINT_BYTES
                }
                _ => {
                    self.buffer = Some(create(device, len)?);
                    0
                }
            };
            let buffer = self.buffer.as_ref().ok_or_else(|| Error::Gpu {
                reason: "point buffer missing after creation".into(),
            })?;
            // Offsets and lengths are multiples of 12 bytes, so of COPY_BUFFER_ALIGNMENT (4).
            queue.write_buffer(buffer, uploaded, &bytes[uploaded as usize..]);
            self.revision = Some(revision);
            self.uploads += 1;
        }
        Ok(self.buffer.as_ref())
    }

    /// The buffer last synced (it holds stale points once they were cleared: check the
    /// frame's points first).
    pub(crate) fn buffer(&self) -> Option<&wgpu::Buffer> {
        self.buffer.as_ref()
    }

    /// How many times point data was written to the GPU.
    pub(crate) fn uploads(&self) -> u64 {
        self.uploads
    }
}

/// A vertex buffer for at least `len` bytes, with room to grow (appends then upload only their
/// tail), within the device's largest buffer.
fn create(device: &wgpu::Device, len: u64) -> Result<wgpu::Buffer> {
    let max = device.limits().max_buffer_size;
    if len > max {
        return Err(Error::Gpu {
            reason: format!(
                "{} points need {len} bytes, more than the GPU's largest buffer ({max} bytes)",
                len / POINT_BYTES
            ),
        });
    }
    // Round up to a whole number of points.
    let size =
        (len.saturating_mul(3) / 2).max(64 * POINT_BYTES).min(max) / POINT_BYTES * POINT_BYTES;
    Ok(device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("geoheat points"),
        size: size.max(len),
        usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    }))
}
