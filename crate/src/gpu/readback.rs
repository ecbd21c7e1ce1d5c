//! Mapping the readback buffer and copying its padded rows into a surface's back buffer.

use super::device::{Health, wait};
use super::targets::Targets;
use crate::error::{Error, Result};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// The outcome of `map_async`, and who to wake when it arrives.
#[derive(Debug, Default)]
struct MapState {
    result: Option<std::result::Result<(), wgpu::BufferAsyncError>>,
    waker: Option<Waker>,
}

/// Resolves when the mapping callback has run: at once natively (after the poll), on the browser's
/// event loop in wasm.
struct Mapped(Arc<Mutex<MapState>>);

impl Future for Mapped {
    type Output = std::result::Result<(), wgpu::BufferAsyncError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match state.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Maps `targets.readback`, copies the rows of the texture copied into it into `rgba` (tightly
/// packed: `rgba.len() / height` bytes a row, 4 for a colour pixel, 8 for a density one) and
/// returns the maximum density the frame's reduction found and the
/// frame's fault bits.
pub(crate) async fn read(
    device: &wgpu::Device,
    health: &Health,
    targets: &Targets,
    rgba: &mut [u8],
) -> Result<(f32, u32)> {
    let mapped = map_read(&targets.readback);
    wait(device, health)?;
    let copied = match mapped.await {
        Ok(()) => {
            let copied = copy_rows(targets, rgba);
            // Unmapped whatever happened, so that the next frame can copy into the buffer again.
            targets.readback.unmap();
            copied
        }
        Err(e) => Err(Error::Gpu {
            reason: format!("reading the frame back failed: {e}"),
        }),
    };
    // A lost device explains a failed mapping better than the mapping error does.
    health.check()?;
    copied
}

/// Asks for `buffer` to be mapped for reading; the future resolves once the mapping callback has
/// run, which needs the device polled (`wait`) natively.
pub(crate) fn map_read(
    buffer: &wgpu::Buffer,
) -> impl Future<Output = std::result::Result<(), wgpu::BufferAsyncError>> + use<> {
    let state = Arc::new(Mutex::new(MapState::default()));
    let callback = Arc::clone(&state);
    buffer.map_async(wgpu::MapMode::Read, .., move |result| {
        let mut state = callback.lock().unwrap_or_else(PoisonError::into_inner);
        state.result = Some(result);
        if let Some(waker) = state.waker.take() {
            waker.wake();
        }
    });
    Mapped(state)
}

/// Copies the mapped rows into `rgba` and returns the maximum's value and the fault bits.
fn copy_rows(targets: &Targets, rgba: &mut [u8]) -> Result<(f32, u32)> {
    let bytes = targets
        .readback
        .get_mapped_range(..)
        .map_err(|e| Error::Gpu {
            reason: format!("reading the frame back failed: {e}"),
        })?;
    let row = rgba.len() / targets.height.max(1) as usize;
    for (dst, src) in rgba
        .chunks_exact_mut(row)
        .zip(bytes.chunks(targets.padded_row as usize))
    {
        dst.copy_from_slice(&src[..row]);
    }
    let at = targets.max_offset() as usize;
    let word = |at: usize| [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
    Ok((
        f32::from_le_bytes(word(at)),
        u32::from_le_bytes(word(at + 4)),
    ))
}
