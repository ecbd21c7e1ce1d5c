//! The wgpu backend, the same code natively (Vulkan) and in the browser (WebGPU).
//!
//! A frame starts with two passes (one WGSL file each in `shaders/`):
//!
//! 1. **density** (`shared/point_quad.wgsl` + `density.wgsl`): one instanced quad of half-size r + 1
//!    device pixels per point and world copy; the fragment shader evaluates the exact kernel of
//!    [`raster::reference`] at the pixel centre and additive blending sums it into an R32Float
//!    texture. That needs `Features::FLOAT32_BLENDABLE`; 16-bit float targets lose small weights
//!    once the sum grows. Positions are the points' f32 offsets minus a per-frame f64 centre split
//!    into two f32 uniforms, so precision holds far from the data's origin.
//! 2. **max_reduce** (`reduce.wgsl`): the frame's maximum (viewport normalisation), left in a
//!    storage buffer that the later passes read directly.
//!
//! Then the scene's [`LayerStack`] is drawn. The plain heat stack (see
//! [`LayerStack::is_plain_heat`]) takes one **colorize** pass (`colorize.wgsl`: the heat layer's
//! `shade` straight into the RGBA8 target), the mapping of the CPU path. Any other stack draws
//! each visible layer's module into an Rgba32Float **composite** of premultiplied colour with the
//! blend state of its mode (a points layer after a **coverage** pass of its discs), then a
//! **resolve** pass writes the composite into the target (the formulas of [`crate::layer`]).
//!
//! [`GpuRenderer::render_to_surface`] reads the frame back into a [`Surface`] (and the 4-byte
//! maximum and fault bits with it); [`GpuRenderer::render_to_view`] draws into any RGBA8/BGRA8
//! texture view, such as a canvas's current texture, without waiting for anything. Layers whose
//! `shade` returned NaN or an infinity come back from [`GpuRenderer::take_faults`]. Points are
//! uploaded only when [`PointBuffer::revision`](crate::PointBuffer::revision) changes; textures
//! and buffers are made again only when the size does; layer pipelines are cached by shader and
//! blend mode.
//!
//! An [`Aggregation::Mean`] frame also sums the coverage `Σ K` into the density target's green
//! channel; every pass that reads the density (reduce, colour, layers, read-back) reads
//! `red / max(green, MEAN_MIN_COVERAGE)`, which for a sum (green 0) is the red exactly.
//!
//! Errors never panic: validation and out-of-memory errors are caught in error scopes and
//! returned as [`Error::Gpu`], a lost device makes every later frame return [`Error::GpuLost`],
//! and an adapter without float32 blending is [`Error::GpuUnavailable`] at creation.
//!
//! [`raster::reference`]: crate::raster::reference

mod bindings;
mod colorize;
mod composite;
mod coverage;
mod density;
mod device;
mod faults;
mod fullscreen;
mod layers;
mod readback;
mod reduce;
mod targets;
#[cfg(not(target_arch = "wasm32"))]
mod timer;
mod upload;

use crate::clock::Stopwatch;
use crate::error::{Error, Result};
use crate::frame::{DensityField, FramePlan, FrameStats};
use crate::layer::{Capabilities, LayerKind, LayerStack};
use crate::scene::Scene;
use crate::style::{Aggregation, MEAN_MIN_COVERAGE};
use crate::surface::Surface;
use bindings::{FrameBindings, FrameValues};
pub use colorize::TargetAlpha;
use composite::{Composite, ResolvePass};
use density::{DensityInput, DensityPass};
use device::{Health, scoped};
#[cfg(target_arch = "wasm32")]
pub(crate) use device::{new_instance, request_adapter};
use faults::FaultReport;
use fullscreen::TargetPass;
use layers::{LayerPassInput, LayerPasses};
use reduce::MaxReduce;
use std::sync::Arc;
use targets::Targets;
use upload::PointUpload;

pub use wgpu;

/// Renders heatmaps with wgpu. Keeps its pipelines, the uploaded points and the size-dependent
/// textures between frames.
#[derive(Debug)]
pub struct GpuRenderer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    health: Arc<Health>,
    points: PointUpload,
    density: DensityPass,
    reduce: MaxReduce,
    bindings: FrameBindings,
    color: TargetPass,
    layers: LayerPasses,
    resolve: ResolvePass,
    faults: FaultReport,
    targets: Option<Targets>,
    /// Frame times from timestamp queries, natively on devices that have them.
    #[cfg(not(target_arch = "wasm32"))]
    timer: Option<timer::FrameTimer>,
}

/// Where [`GpuRenderer::render_to_view`] draws: a view of an `Rgba8Unorm` or `Bgra8Unorm`
/// texture, and whether its consumer expects premultiplied colour.
#[derive(Debug, Clone, Copy)]
pub struct ViewTarget<'a> {
    pub view: &'a wgpu::TextureView,
    pub alpha: TargetAlpha,
}

impl GpuRenderer {
    /// A renderer on the default adapter: high performance if there is a choice; a software
    /// adapter (lavapipe, SwiftShader) is accepted, see [`GpuRenderer::is_software`].
    ///
    /// Fails with [`Error::GpuUnavailable`] when there is no adapter or it lacks float32 blending;
    /// callers then fall back to [`CpuRenderer`](crate::CpuRenderer).
    pub async fn new() -> Result<Self> {
        let adapter = device::request_adapter(&device::new_instance()).await?;
        Self::from_adapter(&adapter).await
    }

    /// A renderer on `adapter`, with a device of its own.
    pub async fn from_adapter(adapter: &wgpu::Adapter) -> Result<Self> {
        let (device, queue) = device::open(adapter).await?;
        Self::from_device(adapter.get_info(), device, queue).await
    }

    /// A renderer on a device the caller opened (for example the one behind a canvas), which must
    /// have `Features::FLOAT32_BLENDABLE`. Installs the device's lost callback and
    /// uncaptured-error handler, replacing any the caller set.
    pub async fn from_device(
        info: wgpu::AdapterInfo,
        device: wgpu::Device,
        queue: wgpu::Queue,
    ) -> Result<Self> {
        if !device
            .features()
            .contains(wgpu::Features::FLOAT32_BLENDABLE)
        {
            return Err(Error::GpuUnavailable {
                reason: format!(
                    "the device on {:?} was opened without FLOAT32_BLENDABLE",
                    info.name
                ),
            });
        }
        let health = Health::watch(&device);
        let (density, reduce, bindings, color, layers, resolve, faults) =
            scoped(&device, &health, || {
                let density = DensityPass::new(&device);
                let bindings = FrameBindings::new(&device);
                let color = colorize::color_pass(&device, &bindings.layout);
                let layers = LayerPasses::new(&device, &bindings.layout, &density);
                Ok((
                    density,
                    MaxReduce::new(&device),
                    bindings,
                    color,
                    layers,
                    ResolvePass::new(&device),
                    FaultReport::new(&device),
                ))
            })
            .await?;
        Ok(Self {
            #[cfg(not(target_arch = "wasm32"))]
            timer: timer::FrameTimer::new(&device, &queue),
            device,
            queue,
            info,
            health,
            points: PointUpload::default(),
            density,
            reduce,
            bindings,
            color,
            layers,
            resolve,
            faults,
            targets: None,
        })
    }

    /// The adapter: name, backend, driver, and `device_type` ([`wgpu::DeviceType::Cpu`] for a
    /// software rasteriser).
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// True on a software adapter (CPU emulation such as lavapipe or SwiftShader): fine for
    /// correctness, not for timing claims.
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// `"NAME via BACKEND"`, with `" (software)"` after it for a software adapter: for summary
    /// lines, so that timings from a CPU emulation are never mistaken for GPU timings.
    pub fn describe(&self) -> String {
        let software = if self.is_software() {
            " (software)"
        } else {
            ""
        };
        format!("{} via {:?}{software}", self.info.name, self.info.backend)
    }

    /// The device, to share with a presenter (textures it renders into must come from it).
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The queue that frames are submitted on.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// How many times point data has been written to the GPU: unchanged by a frame whose points
    /// have the revision already uploaded.
    pub fn point_uploads(&self) -> u64 {
        self.points.uploads()
    }

    /// True once the device is lost; every render then returns [`Error::GpuLost`].
    pub fn is_lost(&self) -> bool {
        self.health.is_lost()
    }

    /// The layers whose `shade` returned NaN or an infinity (drawn transparent at those pixels,
    /// other layers unaffected) in frames since the last call, as
    /// [`Error::LayerNonFinite`] values. Never waits: a frame from
    /// [`GpuRenderer::render_to_surface`] is counted as soon as it returns; one from
    /// [`GpuRenderer::render_to_view`] once the GPU has finished it and its small readback has
    /// been mapped (natively when the device is next polled, in the browser on the event loop).
    /// While that readback is pending, later view frames are not checked.
    pub fn take_faults(&mut self) -> Vec<Error> {
        // Natively, mapping callbacks run only when the device is polled; this poll never blocks.
        // A poll error is a lost device, which the next frame reports.
        let _ = self.device.poll(wgpu::PollType::Poll);
        self.faults.collect();
        self.faults.take()
    }

    /// True while the fault bits of a frame drawn into a view are still on their way back: a
    /// caller that draws no further frames calls [`GpuRenderer::take_faults`] again later (on
    /// the next animation frame, say) until this is false.
    pub fn faults_pending(&self) -> bool {
        self.faults.is_pending()
    }

    /// Renders `scene` as `plan` says into the back buffer of `surface` (resized to the plan),
    /// reads it back and swaps. The scene's time is `geoheat.time` for animated layers.
    ///
    /// With the plain heat stack, the same pixels as [`CpuRenderer::render`](crate::CpuRenderer)
    /// up to f32 rounding; `max_density` is the frame's maximum from the GPU reduction. Faulting
    /// layers are available from [`GpuRenderer::take_faults`] when this returns. Errors leave the
    /// surface's front buffer unchanged.
    pub async fn render_to_surface(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        surface: &mut Surface,
    ) -> Result<FrameStats> {
        let clock = Stopwatch::start();
        self.check(plan)?;
        surface.resize(plan.width(), plan.height())?;
        if scene.points().is_empty() && scene.layers().is_plain_heat(Capabilities::GPU) {
            // Transparent, like the CPU path, rather than the ramp's bottom colour.
            surface.back_mut().fill(0);
            surface.swap();
            return Ok(plan.stats(1, [0.0, 0.0], clock.elapsed()));
        }
        self.submit_frame(scene, plan, None).await?;
        let targets = self.targets()?;
        let (max_density, faults) =
            readback::read(&self.device, &self.health, targets, surface.back_mut()).await?;
        self.faults.record(faults, scene.layers());
        surface.swap();
        let normalize = plan.max_source().known().unwrap_or(max_density);
        Ok(plan.stats(1, [max_density, normalize], clock.elapsed()))
    }

    /// The density of a frame (before normalisation), read back from the GPU: for `value_at`-style
    /// queries and for testing against [`raster::reference`](crate::raster::reference).
    pub async fn render_density(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
    ) -> Result<DensityField> {
        self.check(plan)?;
        let mut field = DensityField {
            width: plan.width(),
            height: plan.height(),
            values: vec![0.0; plan.width() as usize * plan.height() as usize],
        };
        if scene.points().is_empty() {
            return Ok(field);
        }
        let (device, health) = (self.device.clone(), Arc::clone(&self.health));
        scoped(&device, &health, || {
            let mut encoder = self.encode_density(scene, plan, plan.radius_px())?;
            let targets = self.targets()?;
            targets.encode_readback(
                &mut encoder,
                &targets.density_texture,
                &self.reduce.result,
                &self.bindings.faults,
            );
            self.queue.submit([encoder.finish()]);
            Ok(())
        })
        .await?;
        let mut bytes = vec![0; field.values.len() * 8];
        readback::read(&self.device, &self.health, self.targets()?, &mut bytes).await?;
        let f32_at = |b: &[u8]| f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        for (value, bits) in field.values.iter_mut().zip(bytes.chunks_exact(8)) {
            // As the shaders read it (see the module's notes).
            *value = f32_at(&bits[..4]) / f32_at(&bits[4..]).max(MEAN_MIN_COVERAGE);
        }
        Ok(field)
    }

    /// Renders `scene` as `plan` says into `target`, a view of an `Rgba8Unorm` or `Bgra8Unorm`
    /// texture of the plan's size in device pixels made on [`GpuRenderer::device`] with
    /// `RENDER_ATTACHMENT` usage (a canvas's current texture, for instance), and submits; nothing
    /// is waited for. A WebGPU canvas composites premultiplied colours: give it
    /// [`TargetAlpha::Premultiplied`]. Faulting layers reach [`GpuRenderer::take_faults`] once the
    /// GPU has finished the frame. Before submitting it waits only to make new layer pipelines
    /// (see [`GpuRenderer::prepare_layers`]).
    ///
    /// In the returned stats `max_density` is NaN (it stays on the GPU), and so is
    /// `normalize_max` for viewport normalisation.
    pub async fn render_to_view(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        target: ViewTarget<'_>,
    ) -> Result<FrameStats> {
        let clock = Stopwatch::start();
        self.check(plan)?;
        let size = target.view.texture().size();
        if (size.width, size.height) != (plan.width(), plan.height()) {
            return Err(Error::InvalidSize {
                width: size.width,
                height: size.height,
                reason: "the target texture is not the view's size in device pixels",
            });
        }
        self.submit_frame(scene, plan, Some(target)).await?;
        let normalize = plan.max_source().known().unwrap_or(f32::NAN);
        Ok(plan.stats(1, [f32::NAN, normalize], clock.elapsed()))
    }

    /// Checks that the device is alive and the plan's size fits its textures (the plan itself
    /// was validated when made).
    fn check(&self, plan: &FramePlan) -> Result<()> {
        self.health.check()?;
        let (width, height) = (plan.width(), plan.height());
        if width.max(height) > self.device.limits().max_texture_dimension_2d {
            return Err(Error::InvalidSize {
                width,
                height,
                reason: "a side is larger than the GPU's largest texture",
            });
        }
        Ok(())
    }

    /// Makes the GPU pipelines of `layers`' visible layers that are not cached yet (none for the
    /// plain heat stack), each in its own error scope: a shader the GPU rejects is an
    /// [`Error::Gpu`] naming the layer.
    ///
    /// [`GpuRenderer::render_to_view`] does this itself, and it is the only step of a frame that
    /// waits on the GPU before submitting. A caller whose target does not outlive the current
    /// task (a WebGPU canvas's current texture, which the browser presents and destroys once the
    /// task yields) calls this first and takes the texture afterwards.
    pub async fn prepare_layers(&mut self, layers: &LayerStack) -> Result<()> {
        if layers.is_plain_heat(Capabilities::GPU) {
            return Ok(());
        }
        let (device, health) = (self.device.clone(), Arc::clone(&self.health));
        self.layers.prepare(&device, &health, layers).await
    }

    /// Records and submits a frame into `target`, or into the offscreen colour texture with a
    /// copy into the readback buffer when `target` is `None`. A composited frame into a view
    /// also copies its fault bits into the probe, when free.
    async fn submit_frame(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        target: Option<ViewTarget<'_>>,
    ) -> Result<()> {
        let layers = scene.layers();
        let plain = layers.is_plain_heat(Capabilities::GPU);
        self.prepare_layers(layers).await?;
        self.faults.collect();
        let (device, health) = (self.device.clone(), Arc::clone(&self.health));
        let submitted = scoped(&device, &health, || {
            // With no points the density is zero and a maximum of 0 makes the heat transparent.
            let mut encoder = self.encode_frame(scene, plan, target)?;
            let targets = self.targets.as_ref().ok_or_else(missing_targets)?;
            match target {
                None => targets.encode_readback(
                    &mut encoder,
                    &targets.color,
                    &self.reduce.result,
                    &self.bindings.faults,
                ),
                Some(_) if !plain => {
                    self.faults
                        .encode_probe(&mut encoder, &self.bindings.faults, layers)
                }
                Some(_) => {}
            }
            self.submit(encoder.finish());
            Ok(())
        })
        .await;
        // Whatever the outcome, a recorded probe copy is mapped, so the probe never stays armed.
        self.faults.submitted();
        submitted
    }

    /// Submits a frame's commands: natively between two timestamps where the device has them.
    fn submit(&self, frame: wgpu::CommandBuffer) {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(timer) = &self.timer {
            return timer.submit(&self.device, &self.queue, frame);
        }
        self.queue.submit([frame]);
    }

    /// Records a whole frame into `target` (the offscreen colour texture when `None`): density,
    /// reduction, then the colour pass for the plain heat stack, or the layers and the resolve.
    fn encode_frame(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        target: Option<ViewTarget<'_>>,
    ) -> Result<wgpu::CommandEncoder> {
        let (layers, view) = (scene.layers(), plan.view());
        // Discs wider than the kernel need the world copies they reach into the view.
        let copy_margin_px = layers
            .visible()
            .filter(|l| l.kind() == LayerKind::Points)
            .map(|l| f64::from(l.uniform_f32("radius")) * view.device_pixel_ratio + 1.0)
            .fold(plan.radius_px(), f64::max);
        let mut encoder = self.encode_density(scene, plan, copy_margin_px)?;
        self.bindings.write(
            &self.queue,
            scene.style(),
            &FrameValues {
                width: plan.width(),
                height: plan.height(),
                time_s: scene.time_s(),
                zoom: view.zoom,
                pixel_ratio: view.device_pixel_ratio,
                radius_px: plan.radius_px(),
                max: plan.max_source(),
            },
        );
        let targets = self.targets.as_mut().ok_or_else(missing_targets)?;
        let target = target.unwrap_or(ViewTarget {
            view: &targets.color_view,
            alpha: TargetAlpha::Straight,
        });
        if layers.is_plain_heat(Capabilities::GPU) {
            self.color.encode(
                &self.device,
                &mut encoder,
                &targets.frame_bind_group,
                target,
            )?;
            return Ok(encoder);
        }
        self.layers.write(&self.device, &self.queue, layers);
        let composite = targets.composite.get_or_insert_with(|| {
            Composite::new(&self.device, &self.resolve, plan.width(), plan.height())
        });
        // A cleared point buffer still holds the old points on the GPU.
        let points = scene.points();
        let uploaded = self
            .points
            .buffer()
            .filter(|_| !points.is_empty())
            .map(|buffer| (buffer, points.len()));
        self.layers.encode(
            &mut encoder,
            &LayerPassInput {
                stack: layers,
                composite,
                frame: &targets.frame_bind_group,
                coverage: &targets.coverage,
                density: &self.density,
                points: uploaded,
            },
        )?;
        self.resolve
            .encode(&self.device, &mut encoder, composite, target)?;
        Ok(encoder)
    }

    /// Sizes the targets, uploads what changed, clears the fault bits and records the density
    /// pass (zero without points; world copies within `copy_margin_px` of the view, at least the
    /// kernel radius) and the reduction; the caller adds the colour passes or a copy.
    fn encode_density(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        copy_margin_px: f64,
    ) -> Result<wgpu::CommandEncoder> {
        let (width, height) = (plan.width(), plan.height());
        self.ensure_targets(width, height);
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("geoheat frame"),
            });
        encoder.clear_buffer(&self.bindings.faults, 0, None);
        let points = scene.points();
        let buffer = self.points.sync(&self.device, &self.queue, points)?;
        let targets = self.targets.as_ref().ok_or_else(missing_targets)?;
        let input = DensityInput {
            target: &targets.density,
            points,
            buffer,
            view: plan.view(),
            copies: plan.view().world_copies(copy_margin_px),
            radius_px: plan.radius_px(),
            intensity: scene.style().intensity,
            coverage: scene.style().aggregation == Aggregation::Mean,
        };
        self.density
            .encode(&self.device, &self.queue, &mut encoder, &input);
        self.reduce
            .encode(&mut encoder, &targets.reduce_bind_group, width, height);
        Ok(encoder)
    }

    fn ensure_targets(&mut self, width: u32, height: u32) {
        if self
            .targets
            .as_ref()
            .is_none_or(|t| (t.width, t.height) != (width, height))
        {
            self.targets = Some(Targets::new(
                &self.device,
                &self.reduce,
                &self.bindings,
                width,
                height,
            ));
        }
    }

    fn targets(&self) -> Result<&Targets> {
        self.targets.as_ref().ok_or_else(missing_targets)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl GpuRenderer {
    /// [`GpuRenderer::new`], blocking.
    pub fn new_blocking() -> Result<Self> {
        pollster::block_on(Self::new())
    }

    /// The GPU's own time for the last frame submitted, from timestamp queries around its
    /// commands (no readback, no CPU work), waiting for the GPU to finish it; `None` on a device
    /// without [`wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS`]. For benchmarks.
    pub fn last_frame_gpu_time_blocking(&self) -> Result<Option<std::time::Duration>> {
        self.timer
            .as_ref()
            .map(|timer| timer.read(&self.device, &self.health))
            .transpose()
    }

    /// [`GpuRenderer::render_density`], blocking.
    pub fn render_density_blocking(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
    ) -> Result<DensityField> {
        pollster::block_on(self.render_density(scene, plan))
    }

    /// [`GpuRenderer::render_to_surface`], blocking until the frame is read back.
    pub fn render_to_surface_blocking(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        surface: &mut Surface,
    ) -> Result<FrameStats> {
        pollster::block_on(self.render_to_surface(scene, plan, surface))
    }

    /// [`GpuRenderer::render_to_view`], blocking until the frame is submitted.
    pub fn render_to_view_blocking(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        target: ViewTarget<'_>,
    ) -> Result<FrameStats> {
        pollster::block_on(self.render_to_view(scene, plan, target))
    }
}

fn missing_targets() -> Error {
    Error::Gpu {
        reason: "frame targets were not created".into(),
    }
}

/// A pipeline into one colour target, without depth or multisampling (every render pass here);
/// the fragment entry point `fragment` is in the vertex stage's module.
fn render_pipeline(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::PipelineLayout,
    vertex: wgpu::VertexState<'_>,
    fragment: &str,
    target: wgpu::ColorTargetState,
) -> wgpu::RenderPipeline {
    let module = vertex.module;
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(layout),
        vertex,
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some(fragment),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            targets: &[Some(target)],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// A render pass into `target` that clears it to transparent or keeps what it holds.
fn render_pass<'e>(
    encoder: &'e mut wgpu::CommandEncoder,
    label: &str,
    target: &wgpu::TextureView,
    clear: bool,
) -> wgpu::RenderPass<'e> {
    let load = if clear {
        wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT)
    } else {
        wgpu::LoadOp::Load
    };
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view: target,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load,
                store: wgpu::StoreOp::Store,
            },
        })],
        ..wgpu::RenderPassDescriptor::default()
    })
}

/// An f32 texture (density, coverage, composite) as the passes read it: unfilterable, loaded
/// texel by texel (32-bit float formats are not filterable without another feature).
fn unfilterable_texture_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable: false },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}
