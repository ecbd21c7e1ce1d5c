//! The GPU's own time for a frame: two timestamp queries, written by command buffers submitted
//! just before and just after the frame's, and resolved into a buffer read on request. Native
//! only, and only on devices with [`FEATURES`]; the browser build asks for no query feature
//! (WebGPU has no timestamps between passes, and the page's wasm keeps no code it does not use).

use super::device::{Health, wait};
use super::readback::map_read;
use crate::error::{Error, Result};
use std::time::Duration;

/// What the device needs for frame times; [`device::open`](super::device::open) asks for it
/// where the adapter has it.
pub(crate) const FEATURES: wgpu::Features =
    wgpu::Features::TIMESTAMP_QUERY.union(wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS);

/// Bytes of the two resolved timestamps.
const STAMPS_SIZE: u64 = 2 * wgpu::QUERY_SIZE as u64;

#[derive(Debug)]
pub(crate) struct FrameTimer {
    queries: wgpu::QuerySet,
    resolved: wgpu::Buffer,
    readable: wgpu::Buffer,
    /// Nanoseconds per timestamp tick.
    period_ns: f64,
}

impl FrameTimer {
    /// A timer on `device`, or `None` when it was opened without [`FEATURES`].
    pub(crate) fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Option<Self> {
        if !device.features().contains(FEATURES) {
            return None;
        }
        let buffer = |label, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: STAMPS_SIZE,
                usage,
                mapped_at_creation: false,
            })
        };
        Some(Self {
            queries: device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("frame timestamps"),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            }),
            resolved: buffer(
                "frame timestamps resolved",
                wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            ),
            readable: buffer(
                "frame timestamps read",
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
            period_ns: f64::from(queue.get_timestamp_period()),
        })
    }

    /// Submits `frame` between the two stamps.
    pub(crate) fn submit(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        frame: wgpu::CommandBuffer,
    ) {
        let mut start = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("frame start stamp"),
        });
        start.write_timestamp(&self.queries, 0);
        let mut end = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("frame end stamp"),
        });
        end.write_timestamp(&self.queries, 1);
        end.resolve_query_set(&self.queries, 0..2, &self.resolved, 0);
        end.copy_buffer_to_buffer(&self.resolved, 0, &self.readable, 0, STAMPS_SIZE);
        queue.submit([start.finish(), frame, end.finish()]);
    }

    /// The time between the stamps of the last frame submitted, waiting for the GPU to finish
    /// it.
    pub(crate) fn read(&self, device: &wgpu::Device, health: &Health) -> Result<Duration> {
        let mapped = map_read(&self.readable);
        wait(device, health)?;
        let failed = |reason: String| Error::Gpu {
            reason: format!("reading the frame's timestamps failed: {reason}"),
        };
        pollster::block_on(mapped).map_err(|e| failed(e.to_string()))?;
        let stamps = {
            let bytes = self
                .readable
                .get_mapped_range(..)
                .map_err(|e| failed(e.to_string()))?;
            let stamp = |at: usize| {
                let mut word = [0; 8];
                word.copy_from_slice(&bytes[at..at + 8]);
                u64::from_le_bytes(word)
            };
            (stamp(0), stamp(8))
        };
        self.readable.unmap();
        let ticks = stamps.1.saturating_sub(stamps.0);
        Ok(Duration::from_nanos((ticks as f64 * self.period_ns) as u64))
    }
}
