//! [`Scene`]: what a heatmap shows, apart from where it looks ([`View`](crate::View)): points,
//! the selection of them drawn (weight, filter, time window), style, layers and `geoheat.time`.
//!
//! A scene is cheap to clone (the points and layers are shared) and copy-on-write: a frame in
//! flight (a WebGPU frame owns a clone while the GPU works) keeps what it started with, and an
//! edit clones the points or layers only when a frame still holds them.

use crate::error::{Error, Result};
use crate::expr::{FilterExpr, Json, WeightExpr};
use crate::layer::LayerStack;
use crate::points::PointBuffer;
use crate::select::{self, Selection};
use crate::style::HeatStyle;
use std::sync::Arc;

/// Points, style, layers and time: everything a frame draws except the view.
///
/// Every part that owns heap memory is shared, so the clone that each frame keeps of the scene
/// it draws allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    /// What the renderers draw: `source` with the selection applied (`source` itself when the
    /// selection is empty).
    points: Arc<PointBuffer>,
    /// The points as loaded, with their property columns.
    source: Arc<PointBuffer>,
    /// The selection without its time window: what the stable normalisation reads, so that
    /// colours mean the same in every window.
    normal: Arc<PointBuffer>,
    selection: Selection,
    style: Arc<HeatStyle>,
    layers: Arc<LayerStack>,
    time_s: f32,
}

impl Scene {
    /// A scene of `points` with the default style and layers (just the heat layer).
    pub fn new(points: impl Into<Arc<PointBuffer>>) -> Self {
        let mut scene = Self::default();
        scene.set_points(points);
        scene
    }

    /// The points drawn: the loaded points with the selection's weight, filter and time window
    /// applied.
    pub fn points(&self) -> &PointBuffer {
        &self.points
    }

    /// The points drawn, shared (a host hands them out without copying).
    pub fn shared_points(&self) -> &Arc<PointBuffer> {
        &self.points
    }

    /// The points as loaded, with their property columns.
    pub fn source(&self) -> &PointBuffer {
        &self.source
    }

    /// The points the stable normalisation reads: the selection without its time window.
    pub fn normalization_points(&self) -> &PointBuffer {
        &self.normal
    }

    /// Replaces the points; the selection applies to them (a property they lack reads as
    /// missing).
    pub fn set_points(&mut self, points: impl Into<Arc<PointBuffer>>) {
        self.source = points.into();
        self.rederive(true);
    }

    /// The weight, filter and time window applied.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// The kept columns expressions are checked against: none before the first load, so that a
    /// weight or filter may be set before the data arrives.
    fn columns_to_check(&self) -> Option<&[crate::points::Column]> {
        (!self.source.is_empty()).then(|| self.source.columns())
    }

    /// Weights the points by `expr` ([`crate::expr`]), or by their loaded weight for `None`.
    /// On error (a malformed expression, a property not kept) nothing changes.
    pub fn set_weight(&mut self, expr: Option<&Json>) -> Result<()> {
        let weight = match expr {
            Some(expr) => Some(Arc::new(WeightExpr::parse(expr, self.columns_to_check())?)),
            None => None,
        };
        self.selection.weight = weight;
        self.rederive(true);
        Ok(())
    }

    /// Draws only the points that pass `expr` ([`crate::expr`]), or all for `None`. On error
    /// nothing changes.
    pub fn set_filter(&mut self, expr: Option<&Json>) -> Result<()> {
        let filter = match expr {
            Some(expr) => Some(Arc::new(FilterExpr::parse(expr, self.columns_to_check())?)),
            None => None,
        };
        self.selection.filter = filter;
        self.rederive(true);
        Ok(())
    }

    /// Draws only the points whose time is in `[start, end)` (epoch ms; the points' time
    /// column, see [`crate::ingest::IngestOptions::time_property`]), or all for `None`. The
    /// stable normalisation does not change with the window. On error (not finite, or
    /// `start >= end`) nothing changes.
    pub fn set_time_window(&mut self, window: Option<[f64; 2]>) -> Result<()> {
        if let Some(window) = window {
            select::check_window(window)?;
        }
        self.selection.window = window;
        self.rederive(false);
        Ok(())
    }

    /// Rebuilds what the renderers read from `source`; `normal` too when the weight, filter or
    /// points changed. A buffer no frame holds any more is refilled in place.
    fn rederive(&mut self, normal_too: bool) {
        if Arc::ptr_eq(&self.points, &self.normal) {
            // Let go of `normal` as the drawn buffer first, so that it can be refilled in place.
            self.points = Arc::clone(&self.source);
        }
        if !self.selection.weighs_or_filters() {
            self.normal = Arc::clone(&self.source);
        } else if normal_too {
            refill(&mut self.normal, &self.source, &self.selection, false);
        }
        if self.selection.window.is_none() {
            self.points = Arc::clone(&self.normal);
        } else {
            refill(&mut self.points, &self.source, &self.selection, true);
        }
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

/// Derives into `slot`, in place when nothing else holds it.
fn refill(
    slot: &mut Arc<PointBuffer>,
    source: &PointBuffer,
    selection: &Selection,
    windowed: bool,
) {
    match Arc::get_mut(slot) {
        Some(buffer) => select::derive(source, selection, windowed, buffer),
        None => {
            let mut buffer = PointBuffer::new();
            select::derive(source, selection, windowed, &mut buffer);
            *slot = Arc::new(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{LayerKind, LayerSpec};
    use crate::style::Radius;
    use serde_json::json;

    #[test]
    fn changes_refill_the_derived_buffers_in_place() {
        let columns = [crate::points::Column::new(
            "m",
            crate::points::ColumnKind::Number,
        )];
        let mut points = PointBuffer::with_columns(columns);
        for m in [1.0, 2.0, 3.0] {
            points.push(m, 0.0, 1.0);
            points.push_values(&[m]);
        }
        let mut scene = Scene::new(points);
        let filters: [Json; 2] = [
            json!([">", ["get", "m"], 1]).into(),
            json!([">", ["get", "m"], 2]).into(),
        ];
        scene.set_filter(Some(&filters[0])).expect("valid");
        let drawn = scene.points().as_slice().as_ptr();
        scene.set_filter(Some(&filters[1])).expect("valid");
        assert_eq!(scene.points().len(), 1);
        assert_eq!(scene.points().as_slice().as_ptr(), drawn, "no new buffer");
        let frame = scene.clone();
        scene.set_filter(Some(&filters[0])).expect("valid");
        assert_eq!(
            (scene.points().len(), frame.points().len()),
            (2, 1),
            "the frame kept its own"
        );
        scene.set_filter(None).expect("no filter");
        assert!(Arc::ptr_eq(scene.shared_points(), &scene.source));
    }

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
