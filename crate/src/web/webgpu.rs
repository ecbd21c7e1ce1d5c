//! Presents frames with WebGPU: the [`GpuRenderer`] draws the layer stack straight into the
//! canvas's current texture (no readback); `snapshot` reads a frame back with
//! [`GpuRenderer::render_to_surface`].

use super::canvas::Canvas;
use crate::error::{Error, Result};
use crate::frame::{FramePlan, FrameStats};
use crate::gpu::{self, GpuRenderer, TargetAlpha, ViewTarget, wgpu};
use crate::scene::Scene;
use crate::surface::Surface;

/// A canvas configured for WebGPU and the renderer whose device it presents with.
pub(crate) struct WebGpu {
    renderer: GpuRenderer,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
}

impl std::fmt::Debug for WebGpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebGpu")
            .field("adapter", &self.renderer.describe())
            .finish_non_exhaustive()
    }
}

impl WebGpu {
    /// Opens an adapter and a device with float32 blending and only then takes the canvas's
    /// `webgpu` context, so that a failure leaves the canvas free for Canvas 2D.
    pub(crate) async fn new(canvas: &Canvas) -> Result<Self> {
        GpuDevice::open().await?.attach(canvas)
    }

    /// The adapter's description (browsers may leave it empty) and `" (software)"` after it on a
    /// fallback adapter such as SwiftShader.
    pub(crate) fn adapter(&self) -> String {
        let name = self.renderer.adapter_info().name.trim();
        let name = if name.is_empty() {
            "WebGPU adapter"
        } else {
            name
        };
        let software = if self.renderer.is_software() {
            " (software)"
        } else {
            ""
        };
        format!("{name}{software}")
    }

    pub(crate) fn is_lost(&self) -> bool {
        self.renderer.is_lost()
    }

    /// The device and its queue, for the frame watchdog (the device as a handle it keeps).
    pub(crate) fn device(&self) -> wgpu::Device {
        self.renderer.device().clone()
    }

    pub(crate) fn queue(&self) -> &wgpu::Queue {
        self.renderer.queue()
    }

    /// Destroys the device, freeing its memory now: the lost callback runs, later frames fail.
    pub(crate) fn destroy_device(&self) {
        self.renderer.device().destroy();
    }

    /// Draws `scene` as `plan` says into the canvas's current texture. The
    /// configuration follows the size (reconfigured only when it changes, or when the texture is
    /// outdated or lost).
    pub(crate) async fn present(
        &mut self,
        canvas: &Canvas,
        scene: &Scene,
        plan: &FramePlan,
    ) -> Result<FrameStats> {
        let (width, height) = (plan.width(), plan.height());
        if (self.config.width, self.config.height) != (width, height) {
            canvas.set_size((width, height));
            self.config.width = width;
            self.config.height = height;
            self.surface.configure(self.renderer.device(), &self.config);
        }
        // New layer pipelines are made (awaiting their error scopes) before the canvas texture
        // is taken: it is destroyed once this task yields.
        self.renderer.prepare_layers(scene.layers()).await?;
        let texture = self.current_texture()?;
        let target = texture
            .texture
            .create_view(&wgpu::TextureViewDescriptor::default());
        let stats = self
            .renderer
            .render_to_view(
                scene,
                plan,
                ViewTarget {
                    view: &target,
                    alpha: TargetAlpha::Premultiplied,
                },
            )
            .await?;
        self.renderer.queue().present(texture);
        Ok(stats)
    }

    /// Renders the same frame again and reads it back (for `snapshot`).
    pub(crate) async fn read_back(
        &mut self,
        scene: &Scene,
        plan: &FramePlan,
        surface: &mut Surface,
    ) -> Result<FrameStats> {
        self.renderer.render_to_surface(scene, plan, surface).await
    }

    /// Layers whose `shade` returned NaN or an infinity in frames since the last call (see
    /// [`GpuRenderer::take_faults`]).
    pub(crate) fn take_faults(&mut self) -> Vec<Error> {
        self.renderer.take_faults()
    }

    /// A presented frame's faults are still on their way back: look again on a later frame.
    pub(crate) fn faults_pending(&self) -> bool {
        self.renderer.faults_pending()
    }

    fn current_texture(&mut self) -> Result<wgpu::SurfaceTexture> {
        for _ in 0..2 {
            match self.surface.get_current_texture() {
                wgpu::CurrentSurfaceTexture::Success(t)
                | wgpu::CurrentSurfaceTexture::Suboptimal(t) => return Ok(t),
                wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                    self.surface.configure(self.renderer.device(), &self.config);
                }
                wgpu::CurrentSurfaceTexture::Timeout => return Err(no_texture("timed out")),
                wgpu::CurrentSurfaceTexture::Occluded => return Err(no_texture("occluded")),
                wgpu::CurrentSurfaceTexture::Validation => {
                    return Err(no_texture("a validation error"));
                }
            }
        }
        Err(Error::Gpu {
            reason: "the canvas texture stayed outdated after reconfiguring".into(),
        })
    }
}

/// The error when the canvas hands out no texture, and `why`.
fn no_texture(why: &str) -> Error {
    Error::Gpu {
        reason: format!("the canvas gave no texture ({why})"),
    }
}

/// An adapter and a device with float32 blending, not yet presenting on a canvas: a switch to
/// WebGPU opens one before it asks for a canvas, so that no canvas is given up for a device
/// that does not come.
pub(crate) struct GpuDevice {
    instance: wgpu::Instance,
    adapter: wgpu::Adapter,
    renderer: GpuRenderer,
}

impl GpuDevice {
    pub(crate) async fn open() -> Result<Self> {
        let instance = gpu::new_instance();
        let adapter = gpu::request_adapter(&instance).await?;
        let renderer = GpuRenderer::from_adapter(&adapter).await?;
        Ok(Self {
            instance,
            adapter,
            renderer,
        })
    }

    /// Takes the canvas's `webgpu` context and configures it at the canvas's size.
    pub(crate) fn attach(self, canvas: &Canvas) -> Result<WebGpu> {
        let Self {
            instance,
            adapter,
            renderer,
        } = self;
        let surface = instance
            .create_surface(canvas.surface_target())
            .map_err(|e| Error::GpuUnavailable {
                reason: format!("the canvas has no WebGPU context ({e})"),
            })?;
        let caps = surface.get_capabilities(&adapter);
        let format = caps
            .formats
            .iter()
            .copied()
            .find(|f| {
                matches!(
                    f,
                    wgpu::TextureFormat::Rgba8Unorm | wgpu::TextureFormat::Bgra8Unorm
                )
            })
            .ok_or_else(|| Error::GpuUnavailable {
                reason: "the canvas offers neither rgba8unorm nor bgra8unorm".into(),
            })?;
        let (width, height) = canvas.size();
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format,
            width: width.max(1),
            height: height.max(1),
            present_mode: wgpu::PresentMode::Fifo,
            desired_maximum_frame_latency: 2,
            alpha_mode: wgpu::CompositeAlphaMode::PreMultiplied,
            view_formats: Vec::new(),
            color_space: wgpu::SurfaceColorSpace::Auto,
        };
        surface.configure(renderer.device(), &config);
        Ok(WebGpu {
            renderer,
            surface,
            config,
        })
    }
}
