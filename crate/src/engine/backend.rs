//! The backend policy, in one place for every host: which backend to start on, which errors
//! count as GPU trouble, and whether trouble falls back to the CPU or is reported.
//!
//! A fall back keeps data, view, style and layers (the [`Scene`](crate::Scene) does not belong to
//! a backend); custom layers stay in the stack but are inactive on the CPU, which cannot run WGSL
//! (see [`Capabilities`]).

use crate::error::Error;
use crate::layer::{Capabilities, LayerStack};

/// Which backend a heatmap asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// The GPU when it starts, else the CPU.
    #[default]
    Auto,
    /// The GPU, or an error when it cannot start.
    Gpu,
    /// The CPU; the GPU is never touched.
    Cpu,
}

impl BackendChoice {
    /// Names accepted by [`BackendChoice::parse`].
    pub const NAMES: [&'static str; 3] = ["auto", "gpu", "cpu"];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "auto" => Self::Auto,
            "gpu" => Self::Gpu,
            "cpu" => Self::Cpu,
            _ => return None,
        })
    }

    /// True when the host should try to start a GPU renderer.
    pub fn wants_gpu(self) -> bool {
        self != Self::Cpu
    }
}

/// What draws the frames now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The choice wants the GPU and the host has not yet said whether it started: no frames.
    Starting,
    /// The CPU renderer into the engine's [`Surface`](crate::Surface).
    Cpu,
    /// The host's GPU renderer, on [`Step::DrawGpu`](super::Step::DrawGpu) frames.
    Gpu,
}

impl Backend {
    /// The layers this backend draws: while starting, those of the GPU it waits for.
    pub fn capabilities(self) -> Capabilities {
        match self {
            Self::Cpu => Capabilities::CPU,
            Self::Starting | Self::Gpu => Capabilities::GPU,
        }
    }
}

/// Why GPU trouble was reported instead of falling back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailCause {
    /// Not GPU trouble (an invalid style or view, say): the CPU would fail too.
    NotGpuTrouble,
    /// [`BackendChoice::Gpu`] and no GPU frame was ever shown.
    GpuRequired,
    /// A visible layer runs only on the GPU and no GPU frame was ever shown: drawing without it
    /// would silently show something else than was asked for.
    LayersNeedGpu,
}

/// The policy's answer to a GPU error.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Draw on the CPU from now on; `reason` says why.
    FallBack { reason: String },
    /// Report the error.
    Fail(Error, FailCause),
}

/// True for errors that mean the GPU is missing, broken or lost, rather than a bad scene.
pub fn is_gpu_trouble(error: &Error) -> bool {
    matches!(
        error,
        Error::GpuUnavailable { .. } | Error::Gpu { .. } | Error::GpuLost { .. }
    )
}

/// What to do about `error` from starting the GPU or drawing on it. Once a GPU frame was shown
/// (`presented`), trouble always falls back: a running heatmap keeps drawing. Before that, a
/// GPU-only choice or a GPU-only layer makes it an error.
pub(crate) fn verdict(
    choice: BackendChoice,
    error: Error,
    presented: bool,
    layers: &LayerStack,
) -> Verdict {
    if !is_gpu_trouble(&error) {
        return Verdict::Fail(error, FailCause::NotGpuTrouble);
    }
    if !presented {
        if choice == BackendChoice::Gpu {
            return Verdict::Fail(error, FailCause::GpuRequired);
        }
        if layers.visible().any(|l| !Capabilities::CPU.can_draw(l)) {
            return Verdict::Fail(error, FailCause::LayersNeedGpu);
        }
    }
    Verdict::FallBack {
        reason: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::LayerSpec;

    fn lost() -> Error {
        Error::GpuLost {
            reason: "destroyed".into(),
        }
    }

    #[test]
    fn only_gpu_trouble_falls_back() {
        let heat = LayerStack::default();
        let bad = Error::option("radius", "bad");
        assert!(matches!(
            verdict(BackendChoice::Auto, bad, true, &heat),
            Verdict::Fail(_, FailCause::NotGpuTrouble)
        ));
        assert!(matches!(
            verdict(BackendChoice::Auto, lost(), false, &heat),
            Verdict::FallBack { .. }
        ));
    }

    #[test]
    fn a_gpu_only_start_fails_but_a_running_gpu_falls_back() {
        let heat = LayerStack::default();
        assert!(matches!(
            verdict(BackendChoice::Gpu, lost(), false, &heat),
            Verdict::Fail(_, FailCause::GpuRequired)
        ));
        assert!(matches!(
            verdict(BackendChoice::Gpu, lost(), true, &heat),
            Verdict::FallBack { .. }
        ));
    }

    #[cfg(feature = "wgsl")]
    #[test]
    fn gpu_only_layers_fail_before_the_first_gpu_frame() {
        let mut layers = LayerStack::default();
        let wgsl = "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> { return vec4(value); }";
        layers
            .add(LayerSpec::custom("glow", wgsl), None)
            .expect("valid layer");
        assert!(matches!(
            verdict(BackendChoice::Auto, lost(), false, &layers),
            Verdict::Fail(_, FailCause::LayersNeedGpu)
        ));
        assert!(matches!(
            verdict(BackendChoice::Auto, lost(), true, &layers),
            Verdict::FallBack { .. }
        ));
    }
}
