//! Finding an adapter, opening a device with float32 blending, and turning wgpu's errors and
//! device loss into [`Error`] values: wgpu's default handler for errors outside an error scope
//! panics, which must never happen in a library that runs in a browser tab.

use crate::error::{Error, Result};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The density target. Additive blending of 32-bit floats needs `FLOAT32_BLENDABLE`; a 16-bit float
/// target is not an option, since it stops adding small weights once the sum grows.
///
/// Two channels: the density `Σ w·K` in red and, for a mean, the coverage `Σ K` in green (0 for a
/// sum). `FLOAT32_BLENDABLE` covers Rg32Float as it does R32Float.
pub(crate) const DENSITY_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rg32Float;

/// An instance of the backends this build has (Vulkan natively, WebGPU in the browser).
pub(crate) fn new_instance() -> wgpu::Instance {
    wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle())
}

/// Asks `instance` for a high-performance adapter; a software adapter such as lavapipe or
/// SwiftShader is accepted.
pub(crate) async fn request_adapter(instance: &wgpu::Instance) -> Result<wgpu::Adapter> {
    instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: None,
            apply_limit_buckets: false,
        })
        .await
        .map_err(|e| Error::GpuUnavailable {
            reason: format!("no graphics adapter ({e})"),
        })
}

/// Opens a device on `adapter` with what the renderer needs, or says why it cannot.
pub(crate) async fn open(adapter: &wgpu::Adapter) -> Result<(wgpu::Device, wgpu::Queue)> {
    let info = adapter.get_info();
    let missing = |what: &str| Error::GpuUnavailable {
        reason: format!(
            "adapter {:?} ({:?}) has no {what}, which the density pass needs",
            info.name, info.backend
        ),
    };
    if !adapter
        .features()
        .contains(wgpu::Features::FLOAT32_BLENDABLE)
    {
        return Err(missing("float32 blending"));
    }
    let format = adapter.get_texture_format_features(DENSITY_FORMAT);
    if !format
        .allowed_usages
        .contains(wgpu::TextureUsages::RENDER_ATTACHMENT)
        || !format
            .flags
            .contains(wgpu::TextureFormatFeatureFlags::BLENDABLE)
    {
        return Err(missing("renderable, blendable R32Float"));
    }
    adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("geoheat"),
            required_features: wgpu::Features::FLOAT32_BLENDABLE | timing_features(adapter),
            // Low requirements, but the adapter's own texture size so large views work.
            required_limits: wgpu::Limits::downlevel_defaults().using_resolution(adapter.limits()),
            ..wgpu::DeviceDescriptor::default()
        })
        .await
        .map_err(|e| Error::GpuUnavailable {
            reason: format!("adapter {:?} refused a device: {e}", info.name),
        })
}

/// Timestamp queries for frame times (see `super::timer`), where the adapter has them.
#[cfg(not(target_arch = "wasm32"))]
fn timing_features(adapter: &wgpu::Adapter) -> wgpu::Features {
    adapter.features() & super::timer::FEATURES
}

/// The browser build measures no GPU time.
#[cfg(target_arch = "wasm32")]
fn timing_features(_adapter: &wgpu::Adapter) -> wgpu::Features {
    wgpu::Features::empty()
}

/// What the device reported outside error scopes, written by wgpu's callbacks and read around
/// every frame.
#[derive(Debug, Default)]
pub(crate) struct Health {
    lost: Mutex<Option<String>>,
    uncaptured: Mutex<Option<String>>,
}

impl Health {
    /// Installs the device-lost callback and an uncaptured-error handler that records instead of
    /// panicking (replacing any handler the caller installed).
    pub(crate) fn watch(device: &wgpu::Device) -> Arc<Self> {
        let health = Arc::new(Self::default());
        let on_lost = Arc::clone(&health);
        device.set_device_lost_callback(move |reason, message| {
            lock(&on_lost.lost).get_or_insert(format!("{reason:?}: {message}"));
        });
        let on_error = Arc::clone(&health);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            lock(&on_error.uncaptured).get_or_insert(error.to_string());
        }));
        health
    }

    /// `Err(GpuLost)` once the device is lost; otherwise the first error reported outside a
    /// scope since the last check, if any.
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(reason) = lock(&self.lost).clone() {
            return Err(Error::GpuLost { reason });
        }
        match lock(&self.uncaptured).take() {
            Some(reason) => Err(Error::Gpu { reason }),
            None => Ok(()),
        }
    }

    /// True once the device-lost callback has run.
    pub(crate) fn is_lost(&self) -> bool {
        lock(&self.lost).is_some()
    }
}

/// The data is a plain `Option<String>`: a panic elsewhere cannot leave it half-written.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `work` inside out-of-memory, internal and validation error scopes; a captured error becomes
/// [`Error::Gpu`], or [`Error::GpuLost`] when the device is gone.
pub(crate) async fn scoped<T>(
    device: &wgpu::Device,
    health: &Health,
    work: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let internal = device.push_error_scope(wgpu::ErrorFilter::Internal);
    let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let value = work();
    // Pop all three before awaiting any: popping takes effect at once.
    let (validation, internal, oom) = (validation.pop(), internal.pop(), oom.pop());
    let captured = [validation.await, internal.await, oom.await];
    health.check()?;
    match captured.into_iter().flatten().next() {
        Some(error) => Err(Error::Gpu {
            reason: error.to_string(),
        }),
        None => value,
    }
}

/// Waits until the GPU has finished the submitted work (natively; in the browser the work
/// completes on the event loop and mapping callbacks fire there).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn wait(device: &wgpu::Device, health: &Health) -> Result<()> {
    let polled = device.poll(wgpu::PollType::wait_indefinitely());
    health.check()?;
    polled.map(|_| ()).map_err(|e| Error::Gpu {
        reason: e.to_string(),
    })
}

/// The browser completes GPU work on its event loop; there is nothing to poll.
#[cfg(target_arch = "wasm32")]
pub(crate) fn wait(_device: &wgpu::Device, health: &Health) -> Result<()> {
    health.check()
}
