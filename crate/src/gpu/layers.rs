//! The layer passes of a composited frame: each visible layer's module
//! ([`LayerShader::module`](crate::layer::LayerShader::module)) drawn over the whole composite with
//! the blend state of its [`Blend`] mode, a points layer after its coverage pass.
//!
//! Pipelines are cached by (shader id, blend): built-in shaders are compiled once per process, so
//! their ids never change; a hot-swapped custom shader has a new id, and pipelines of ids no
//! longer in the stack are dropped. Each layer's uniform buffers are written only when their
//! bytes change.

use super::bindings::write_changed;
use super::composite::{COMPOSITE_FORMAT, Composite};
use super::coverage::CoveragePass;
use super::density::DensityPass;
use super::device::{Health, scoped};
use super::fullscreen;
use crate::error::{Error, Result};
use crate::layer::{Blend, Layer, LayerKind, LayerStack};

/// Bytes of the prelude's `GeoheatLayer`.
const LAYER_BYTES: u64 = 16;

/// What the layer passes of one frame read and write: the stack, the composite they blend
/// into, the frame's bind group (group 0), the coverage target of points layers, the density
/// pass (whose per-copy uniforms place the discs) and the uploaded points with their count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayerPassInput<'a> {
    pub(crate) stack: &'a LayerStack,
    pub(crate) composite: &'a Composite,
    pub(crate) frame: &'a wgpu::BindGroup,
    pub(crate) coverage: &'a wgpu::TextureView,
    pub(crate) density: &'a DensityPass,
    pub(crate) points: Option<(&'a wgpu::Buffer, usize)>,
}

/// Pipelines, modules and per-layer buffers, kept between frames.
#[derive(Debug)]
pub(crate) struct LayerPasses {
    /// Group 1 of a layer without uniforms (binding 0: `GeoheatLayer`) and with them (binding 1).
    groups: [wgpu::BindGroupLayout; 2],
    pipeline_layouts: [wgpu::PipelineLayout; 2],
    // A page has a handful of layers: pairs searched in order cost less (and weigh less in the
    // wasm) than hash maps.
    modules: Vec<(u64, wgpu::ShaderModule)>,
    pipelines: Vec<((u64, Blend), wgpu::RenderPipeline)>,
    states: Vec<(String, LayerState)>,
    coverage: CoveragePass,
    scratch: Vec<u8>,
}

/// One layer's buffers and bind groups.
#[derive(Debug)]
struct LayerState {
    layer: wgpu::Buffer,
    written_layer: Vec<u8>,
    /// The layer's `Uniforms`, when it declares any.
    uniforms: Option<wgpu::Buffer>,
    written_uniforms: Vec<u8>,
    bind_group: wgpu::BindGroup,
    /// A points layer's uniforms as the coverage pass binds them.
    dots: Option<wgpu::BindGroup>,
}

impl LayerPasses {
    pub(crate) fn new(
        device: &wgpu::Device,
        frame: &wgpu::BindGroupLayout,
        density: &DensityPass,
    ) -> Self {
        let uniform = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let groups = [&[uniform(0)][..], &[uniform(0), uniform(1)][..]].map(|entries| {
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some("geoheat layer"),
                entries,
            })
        });
        let pipeline_layouts = [&groups[0], &groups[1]].map(|group| {
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("geoheat layer"),
                bind_group_layouts: &[Some(frame), Some(group)],
                immediate_size: 0,
            })
        });
        Self {
            groups,
            pipeline_layouts,
            modules: Vec::new(),
            pipelines: Vec::new(),
            states: Vec::new(),
            coverage: CoveragePass::new(device, density),
            scratch: Vec::new(),
        }
    }

    /// Drops what belongs to layers or shaders no longer in `stack` and makes the pipelines its
    /// visible layers need, each in its own error scope: a shader the GPU rejects is an
    /// [`Error::Gpu`] naming the layer, and is retried (not cached) on the next frame.
    pub(crate) async fn prepare(
        &mut self,
        device: &wgpu::Device,
        health: &Health,
        stack: &LayerStack,
    ) -> Result<()> {
        // Runs every frame: compares in place rather than collecting the live ids.
        let live = |id: &u64| stack.layers().iter().any(|l| l.shader().id() == *id);
        self.modules.retain(|(id, _)| live(id));
        self.pipelines.retain(|((id, _), _)| live(id));
        self.states.retain(|(name, _)| stack.get(name).is_some());
        for layer in stack.visible() {
            let key = (layer.shader().id(), layer.blend());
            if self.pipelines.iter().any(|(k, _)| *k == key) {
                continue;
            }
            match scoped(device, health, || Ok(self.pipeline(device, layer))).await {
                Ok(pipeline) => self.pipelines.push((key, pipeline)),
                Err(Error::Gpu { reason }) => {
                    self.modules.retain(|(id, _)| *id != key.0);
                    return Err(Error::Gpu {
                        reason: format!(
                            "layer `{}`: the GPU rejected its shader: {reason}",
                            layer.name()
                        ),
                    });
                }
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    fn pipeline(&mut self, device: &wgpu::Device, layer: &Layer) -> wgpu::RenderPipeline {
        let shader = layer.shader();
        let index = match self.modules.iter().position(|(id, _)| *id == shader.id()) {
            Some(index) => index,
            None => {
                let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(layer.name()),
                    source: wgpu::ShaderSource::Wgsl(shader.module().into()),
                });
                self.modules.push((shader.id(), module));
                self.modules.len() - 1
            }
        };
        let module = &self.modules[index].1;
        let layout = &self.pipeline_layouts[usize::from(!layer.uniforms().is_empty())];
        fullscreen::pipeline(
            device,
            layer.name(),
            module,
            layout,
            "geoheat_fs",
            wgpu::ColorTargetState {
                format: COMPOSITE_FORMAT,
                blend: Some(blend_state(layer.blend())),
                write_mask: wgpu::ColorWrites::ALL,
            },
        )
    }

    fn state_index(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|(n, _)| n == name)
    }

    /// Writes each visible layer's `GeoheatLayer` (opacity, fault bit `1 << index`) and uniforms
    /// where they changed, making its buffers when it is new or its uniforms changed size.
    pub(crate) fn write(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, stack: &LayerStack) {
        for (index, layer) in stack.layers().iter().enumerate() {
            if !layer.is_visible() {
                continue;
            }
            layer.uniforms().to_bytes(&mut self.scratch);
            let uniform_bytes = (!layer.uniforms().is_empty()).then_some(&self.scratch);
            let fits = |state: &LayerState| {
                state.uniforms.as_ref().map(wgpu::Buffer::size)
                    == uniform_bytes.map(|b| b.len() as u64)
                    && state.dots.is_some() == (layer.kind() == LayerKind::Points)
            };
            let slot = match self.state_index(layer.name()) {
                Some(slot) if fits(&self.states[slot].1) => slot,
                found => {
                    let state = self.state(device, layer, uniform_bytes.map(Vec::len));
                    match found {
                        Some(slot) => {
                            self.states[slot].1 = state;
                            slot
                        }
                        None => {
                            self.states.push((layer.name().to_string(), state));
                            self.states.len() - 1
                        }
                    }
                }
            };
            let state = &mut self.states[slot].1;
            // `GeoheatLayer`: opacity, fault bit, padding.
            let mut bytes = [0u8; LAYER_BYTES as usize];
            bytes[..4].copy_from_slice(&layer.opacity().to_le_bytes());
            bytes[4..8].copy_from_slice(&(1u32 << index).to_le_bytes());
            write_changed(queue, &state.layer, &mut state.written_layer, &bytes);
            if let (Some(buffer), Some(bytes)) = (&state.uniforms, uniform_bytes) {
                write_changed(queue, buffer, &mut state.written_uniforms, bytes);
            }
        }
    }

    fn state(
        &self,
        device: &wgpu::Device,
        layer: &Layer,
        uniform_bytes: Option<usize>,
    ) -> LayerState {
        let buffer = |label, size| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let layer_buffer = buffer("geoheat layer", LAYER_BYTES);
        let uniforms = uniform_bytes.map(|size| buffer("geoheat layer uniforms", size as u64));
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: layer_buffer.as_entire_binding(),
        }];
        entries.extend(uniforms.iter().map(|b| wgpu::BindGroupEntry {
            binding: 1,
            resource: b.as_entire_binding(),
        }));
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(layer.name()),
            layout: &self.groups[usize::from(uniforms.is_some())],
            entries: &entries,
        });
        let dots = uniforms
            .as_ref()
            .filter(|_| layer.kind() == LayerKind::Points)
            .map(|b| {
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(layer.name()),
                    layout: &self.coverage.dots_layout,
                    entries: &[wgpu::BindGroupEntry {
                        binding: 0,
                        resource: b.as_entire_binding(),
                    }],
                })
            });
        LayerState {
            layer: layer_buffer,
            written_layer: Vec::new(),
            uniforms,
            written_uniforms: Vec::new(),
            bind_group,
            dots,
        }
    }

    /// Records every visible layer of `input.stack` into `input.composite`, bottom first, the
    /// first clearing it (a stack with nothing visible leaves it transparent); a points layer
    /// draws its discs into `input.coverage` first.
    pub(crate) fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        input: &LayerPassInput<'_>,
    ) -> Result<()> {
        let LayerPassInput {
            stack,
            composite,
            frame,
            coverage,
            density,
            points,
        } = *input;
        let mut clear = true;
        for layer in stack.visible() {
            let missing = || Error::Gpu {
                reason: format!("layer `{}` was drawn before it was prepared", layer.name()),
            };
            let key = (layer.shader().id(), layer.blend());
            let pipeline = self
                .pipelines
                .iter()
                .find_map(|(k, p)| (*k == key).then_some(p))
                .ok_or_else(missing)?;
            let index = self.state_index(layer.name()).ok_or_else(missing)?;
            let state = &self.states[index].1;
            if let Some(dots) = &state.dots {
                self.coverage
                    .encode(encoder, coverage, density, points, dots);
            }
            let mut pass = super::render_pass(encoder, layer.name(), &composite.view, clear);
            clear = false;
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, frame, &[]);
            pass.set_bind_group(1, &state.bind_group, &[]);
            pass.draw(0..3, 0..1);
        }
        if clear {
            super::render_pass(encoder, "geoheat composite", &composite.view, true);
        }
        Ok(())
    }
}

/// The blend state of `blend` on premultiplied colour `src = (s.rgb · a, a)` (the formulas of
/// [`crate::layer`]).
fn blend_state(blend: Blend) -> wgpu::BlendState {
    use wgpu::BlendFactor::{Dst, One, OneMinusSrcAlpha, Zero};
    let component = |src_factor, dst_factor| wgpu::BlendComponent {
        src_factor,
        dst_factor,
        operation: wgpu::BlendOperation::Add,
    };
    match blend {
        // dst = src + dst · (1 − a)
        Blend::Normal => wgpu::BlendState {
            color: component(One, OneMinusSrcAlpha),
            alpha: component(One, OneMinusSrcAlpha),
        },
        // dst = src + dst
        Blend::Add => wgpu::BlendState {
            color: component(One, One),
            alpha: component(One, One),
        },
        // dst.rgb = src.rgb · dst.rgb + dst.rgb · (1 − a) = dst.rgb · (1 − a + s.rgb · a);
        // dst.a unchanged.
        Blend::Multiply => wgpu::BlendState {
            color: component(Dst, OneMinusSrcAlpha),
            alpha: component(Zero, One),
        },
    }
}
