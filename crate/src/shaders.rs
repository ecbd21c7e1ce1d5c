//! geoheat's WGSL, assembled: the one place that knows which files of the top-level `shaders/`
//! folder make each GPU module (embedded minified, see build.rs).
//!
//! A stage's file has the name of its `gpu/` pass (and of its `raster/` CPU twin, where one
//! exists); pieces that several stages share are in `shaders/shared/`, and the built-in layers'
//! `shade` functions in `shaders/layers/`. Modules are put together at compile time, so built-in
//! shaders never need a WGSL parser at run time. `crate/shaders` is a link to `../shaders`: the
//! paths below resolve through it, and `cargo package` copies the files it points at into the
//! crate.

/// The named files of `shaders/`, joined by newlines, as one `&'static str`: the copies that
/// build.rs wrote without comments and indentation.
macro_rules! wgsl {
    ($first:literal $(, $file:literal)* $(,)?) => {
        concat!(
            include_str!(concat!(env!("OUT_DIR"), "/shaders/", $first))
            $(, "\n", include_str!(concat!(env!("OUT_DIR"), "/shaders/", $file)))*
        )
    };
}

/// The built-in heat layer's `shade` (the colour ramp; CPU twin `raster::colorize`).
pub(crate) const HEAT_LAYER: &str = wgsl!("layers/heat.wgsl");
/// The built-in points layer's `shade` over the dots' coverage (`Stage::Coverage`).
pub(crate) const POINTS_LAYER: &str = wgsl!("layers/points.wgsl");
/// The built-in contours layer's `shade` (CPU twin `raster::layers::contours`).
pub(crate) const CONTOURS_LAYER: &str = wgsl!("layers/contours.wgsl");

/// What follows a layer's `Uniforms`: the bindings and helpers every `shade` may use.
const LAYER_PRELUDE: &str = wgsl!("shared/layer_prelude.wgsl");
/// The entry points of a layer pass: the full-target triangle and the fragment that calls `shade`.
const LAYER_ENTRY: &str = wgsl!("shared/fullscreen.wgsl", "layers.wgsl");

/// The module of a layer (built-in or custom) whose `shade` is `source`: `source` first, so
/// that naga's line and column numbers in it are the layer author's own, then `declaration` (the
/// layer's `Uniforms` struct), the prelude and, with `entry`, the entry points `geoheat_vs` and
/// `geoheat_fs`. Without them the module only checks that `source` defines `shade` properly.
pub(crate) fn layer_module(source: &str, declaration: &str, entry: bool) -> String {
    let mut text = String::with_capacity(
        source.len() + declaration.len() + LAYER_PRELUDE.len() + LAYER_ENTRY.len() + 1,
    );
    text.push_str(source);
    text.push('\n');
    text.push_str(declaration);
    text.push_str(LAYER_PRELUDE);
    if entry {
        text.push_str(LAYER_ENTRY);
    }
    text
}

/// A GPU pass whose module is geoheat's own (layer passes are [`layer_module`]s).
#[cfg(feature = "gpu")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Kernel quads summed into the density target (`gpu::density`; the CPU computes the same
    /// sum in `raster::reference`).
    Density,
    /// The frame's maximum density, for viewport normalisation (`gpu::reduce`).
    Reduce,
    /// The heat layer straight into the target (`gpu::colorize`, `raster::colorize`).
    Colorize,
    /// The points layer's discs (`gpu::coverage`, `raster::layers::points`).
    Coverage,
    /// The resolve of the layer composite into the target (`gpu::composite`,
    /// `raster::layers::composite`).
    Composite,
}

#[cfg(feature = "gpu")]
impl Stage {
    /// The stage's complete WGSL module.
    pub(crate) fn module(self) -> &'static str {
        match self {
            Self::Density => wgsl!("shared/point_quad.wgsl", "density.wgsl"),
            Self::Reduce => wgsl!("reduce.wgsl"),
            Self::Colorize => wgsl!(
                "layers/heat.wgsl",
                "shared/layer_prelude.wgsl",
                "shared/fullscreen.wgsl",
                "colorize.wgsl",
            ),
            Self::Coverage => wgsl!("shared/point_quad.wgsl", "coverage.wgsl"),
            Self::Composite => wgsl!("shared/fullscreen.wgsl", "composite.wgsl"),
        }
    }
}

#[cfg(all(test, feature = "gpu", feature = "wgsl"))]
mod tests {
    use super::Stage;
    use naga::valid::{Capabilities, ValidationFlags, Validator};

    /// Every stage's module parses and validates, without a GPU.
    #[test]
    fn stages_validate() {
        let stages = [
            Stage::Density,
            Stage::Reduce,
            Stage::Colorize,
            Stage::Coverage,
            Stage::Composite,
        ];
        for stage in stages {
            let module = naga::front::wgsl::parse_str(stage.module())
                .unwrap_or_else(|e| panic!("{stage:?}: {}", e.emit_to_string(stage.module())));
            Validator::new(ValidationFlags::all(), Capabilities::empty())
                .validate(&module)
                .unwrap_or_else(|e| panic!("{stage:?}: {e:?}"));
        }
    }
}
