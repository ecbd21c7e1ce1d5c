//! [`FramePlan`]: what one frame of a scene at a view will be, decided once and read by every
//! backend, so that the CPU and the GPU cannot disagree on size, radius or normalisation.

use super::stable::StableMax;
use super::stats::FrameStats;
use crate::error::{Error, Result};
use crate::geo::View;
use crate::points::PointBuffer;
use crate::scene::Scene;
use crate::style::{HeatStyle, Normalize};
use std::time::Duration;

/// Where the density that maps to the top of the ramp comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxSource {
    /// The style's fixed maximum.
    Fixed(f32),
    /// The stable maximum of all the data at the view's scale (unchanged while panning).
    Stable(f32),
    /// There are no points: the maximum is 0 and the frame is transparent, rather than the
    /// ramp's bottom colour.
    NoPoints,
    /// The frame's own highest density (viewport normalisation): only the backend drawing the
    /// frame knows it.
    FrameMax,
}

impl MaxSource {
    /// The maximum when it is known before the frame is drawn.
    pub fn known(&self) -> Option<f32> {
        match *self {
            Self::Fixed(max) | Self::Stable(max) => Some(max),
            Self::NoPoints => Some(0.0),
            Self::FrameMax => None,
        }
    }

    /// True when the value was derived from the points, so it is wrong for other points.
    fn depends_on_points(&self) -> bool {
        matches!(self, Self::Stable(_) | Self::NoPoints)
    }
}

/// One frame of a [`Scene`] at a [`View`]: the device size, the kernel radius in device pixels
/// and where the normalisation maximum comes from. Made by [`FramePlan::new`], which validates
/// the style and the view, so a renderer given a plan has nothing left to check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FramePlan {
    view: View,
    width: u32,
    height: u32,
    radius_px: f64,
    max: MaxSource,
    /// [`PointBuffer::revision`] of the points the plan was made for.
    points: (u64, usize),
}

impl FramePlan {
    /// The plan for `scene` at `view`. A stable maximum is taken from `stable`, the heatmap's one
    /// cache of it (computed only when data, scale, radius or intensity changed), over the
    /// scene's weighted and filtered points in every time window. Fails when the
    /// view is invalid or the radius is out of range at this view.
    pub fn new(scene: &Scene, view: &View, stable: &mut StableMax) -> Result<Self> {
        let normal = scene.normalization_points();
        Self::for_parts(scene.points(), normal, scene.style(), view, stable)
    }

    /// [`FramePlan::new`] from the parts of a scene (for the reference renderer, which takes
    /// them loose).
    pub(crate) fn for_parts(
        points: &PointBuffer,
        normal: &PointBuffer,
        style: &HeatStyle,
        view: &View,
        stable: &mut StableMax,
    ) -> Result<Self> {
        style.validate()?;
        view.validate()?;
        let radius_px = style.radius_px(view)?;
        let max = if points.is_empty() {
            MaxSource::NoPoints
        } else {
            match style.normalize {
                Normalize::Fixed(max) => MaxSource::Fixed(max),
                Normalize::Viewport => MaxSource::FrameMax,
                Normalize::Stable => MaxSource::Stable(stable.get(
                    normal,
                    view.scale(),
                    radius_px,
                    style.intensity,
                    style.aggregation,
                )),
            }
        };
        Ok(Self {
            view: *view,
            width: view.pixel_width(),
            height: view.pixel_height(),
            radius_px,
            max,
            points: points.revision(),
        })
    }

    /// The view the frame shows.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// Width in device pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in device pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The kernel radius in device pixels.
    pub fn radius_px(&self) -> f64 {
        self.radius_px
    }

    /// Where the normalisation maximum comes from.
    pub fn max_source(&self) -> MaxSource {
        self.max
    }

    /// The density that maps to the top of the ramp for a frame of `points` whose own highest
    /// density is `frame_max`. Fails when the maximum came from other points than these (the
    /// points were replaced after the plan was made): make a new plan.
    pub fn normalize_max(&self, points: &PointBuffer, frame_max: f32) -> Result<f32> {
        if self.max.depends_on_points() && points.revision() != self.points {
            return Err(Error::option(
                "plan",
                "the points changed after the frame plan was made; make a new plan",
            ));
        }
        Ok(self.max.known().unwrap_or(frame_max))
    }

    /// The stats of a frame drawn by this plan.
    pub(crate) fn stats(
        &self,
        cell_px: u32,
        [max_density, normalize_max]: [f32; 2],
        elapsed: Duration,
    ) -> FrameStats {
        FrameStats {
            width: self.width,
            height: self.height,
            radius_px: self.radius_px,
            cell_px,
            max_density,
            normalize_max,
            elapsed,
        }
    }
}
