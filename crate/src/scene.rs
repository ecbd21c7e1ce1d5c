//! [`Scene`]: what a heatmap shows, apart from where it looks ([`View`](crate::View)): points,
//! style, layers and `geoheat.time`.
//!
//! A scene is cheap to clone (the points and layers are shared) and copy-on-write: a frame in
//! flight (a WebGPU frame owns a clone while the GPU works) keeps what it started with, and an
//! edit clones the points or layers only when a frame still holds them.

use crate::error::{Error, Result};
use crate::layer::LayerStack;
use crate::points::PointBuffer;
use crate::style::HeatStyle;
use std::sync::Arc;

/// Points, style, layers and time: everything a frame draws except the view.
///
/// Every part that owns heap memory is shared, so the clone that each frame keeps of the scene
/// it draws allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    points: Arc<PointBuffer>,
    style: Arc<HeatStyle>,
    layers: Arc<LayerStack>,
    time_s: f32,
}

impl Scene {
    /// A scene of `points` with the default style and layers (just the heat layer).
    pub fn new(points: impl Into<Arc<PointBuffer>>) -> Self {
        Self {
            points: points.into(),
            ..Self::default()
        }
    }

    /// The points.
    pub fn points(&self) -> &PointBuffer {
        &self.points
    }

    /// The points, shared (a host hands them out without copying).
    pub fn shared_points(&self) -> &Arc<PointBuffer> {
        &self.points
    }

    /// Replaces the points.
    pub fn set_points(&mut self, points: impl Into<Arc<PointBuffer>>) {
        self.points = points.into();
    }

    /// The heat style.
    pub fn style(&self) -> &HeatStyle {
        &self.style
    }

    /// Replaces the style if it is valid; an invalid one changes nothing.
    pub fn set_style(&mut self, style: HeatStyle) -> Result<()> {
        style.validate()?;
        self.style = Arc::new(style);
        Ok(())
    }

    /// The layer stack.
    pub fn layers(&self) -> &LayerStack {
        &self.layers
    }

    /// The layer stack to edit (every [`LayerStack`] change is all or nothing). Cloned first
    /// only while a frame still holds the old one.
    pub fn layers_mut(&mut self) -> &mut LayerStack {
        Arc::make_mut(&mut self.layers)
    }

    /// Replaces the layer stack.
    pub fn set_layers(&mut self, layers: impl Into<Arc<LayerStack>>) {
        self.layers = layers.into();
    }

    /// `geoheat.time` in seconds, for animated layers.
    pub fn time_s(&self) -> f32 {
        self.time_s
    }

    /// Sets `geoheat.time`; it must be finite (a shader would see NaN otherwise).
    pub fn set_time_s(&mut self, time_s: f32) -> Result<()> {
        if !time_s.is_finite() {
            return Err(Error::option("time", format!("{time_s} is not finite")));
        }
        self.time_s = time_s;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{LayerKind, LayerSpec};
    use crate::style::Radius;

    #[test]
    fn a_bad_style_changes_nothing() {
        let mut scene = Scene::default();
        let bad = HeatStyle {
            radius: Radius::Pixels(-1.0),
            ..HeatStyle::default()
        };
        assert!(scene.set_style(bad).is_err());
        assert_eq!(scene.style(), &HeatStyle::default());
        assert!(scene.set_time_s(f32::NAN).is_err());
        assert_eq!(scene.time_s(), 0.0);
    }

    #[test]
    fn clones_share_until_edited() {
        let mut points = PointBuffer::new();
        points.push(1.0, 2.0, 1.0);
        let mut scene = Scene::new(points);
        let frame = scene.clone();
        assert!(Arc::ptr_eq(scene.shared_points(), frame.shared_points()));
        scene
            .layers_mut()
            .add(LayerSpec::built_in("dots", LayerKind::Points), None)
            .expect("valid layer");
        assert_eq!(scene.layers().layers().len(), 2);
        assert_eq!(
            frame.layers().layers().len(),
            1,
            "the clone kept its layers"
        );
    }
}
