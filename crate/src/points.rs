//! [`PointBuffer`]: the packed `[x, y, w]` f32 points that every backend renders.

use crate::geo::{self, BoundsBuilder, LonLatBounds};
use std::sync::atomic::{AtomicU64, Ordering};

/// Floats per point in [`PointBuffer::as_slice`]: x, y, weight.
pub const FLOATS_PER_POINT: usize = 3;

static NEXT_REVISION: AtomicU64 = AtomicU64::new(1);

/// Weighted points in Web Mercator, packed as `[x, y, w]` f32 triples.
///
/// `x` and `y` are offsets in world units (see [`crate::geo`]) from an f64 `origin`, the first
/// point loaded. Offsets keep f32 precise: a dataset within a city keeps sub-millimetre precision;
/// a dataset spanning the world keeps half a device pixel up to zoom 14.
#[derive(Debug, Clone)]
pub struct PointBuffer {
    xyw: Vec<f32>,
    origin: [f64; 2],
    /// True when `origin` was given ([`PointBuffer::with_origin`]) rather than taken from the
    /// first point.
    fixed_origin: bool,
    bounds: BoundsBuilder,
    total_weight: f64,
    revision: u64,
}

impl Default for PointBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl PointBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty buffer with room for `points` points.
    pub fn with_capacity(points: usize) -> Self {
        Self {
            xyw: Vec::with_capacity(points * FLOATS_PER_POINT),
            origin: [0.0; 2],
            fixed_origin: false,
            bounds: BoundsBuilder::default(),
            total_weight: 0.0,
            revision: next_revision(),
        }
    }

    /// An empty buffer with room for `points` points whose offsets are taken from `origin` (world
    /// coordinates) instead of its first point. Buffers of parts of a dataset made with the
    /// origin of the whole (its first point) hold the same f32 offsets as the buffer of the
    /// whole, so their densities add up to its density within f32 rounding of the sum alone.
    pub fn with_origin(origin: [f64; 2], points: usize) -> Self {
        Self {
            origin,
            fixed_origin: true,
            ..Self::with_capacity(points)
        }
    }

    /// Appends a point. `lon` must be in [-180, 180] and `lat` in [-90, 90] (the ingest checks
    /// both); latitudes beyond ±85.0511° are clamped by the projection. `weight` must be finite
    /// and not negative.
    #[inline]
    pub fn push(&mut self, lon: f64, lat: f64, weight: f32) {
        debug_assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
        debug_assert!(weight.is_finite() && weight >= 0.0);
        let world = [geo::lon_to_world_x(lon), geo::lat_to_world_y(lat)];
        if self.xyw.is_empty() && !self.fixed_origin {
            self.origin = world;
        }
        self.xyw.extend_from_slice(&[
            (world[0] - self.origin[0]) as f32,
            (world[1] - self.origin[1]) as f32,
            weight,
        ]);
        self.bounds.add(lon, lat);
        self.total_weight += f64::from(weight);
    }

    /// Removes every point (a given origin is forgotten: the next first point sets it).
    pub fn clear(&mut self) {
        *self = Self {
            xyw: std::mem::take(&mut self.xyw),
            ..Self::new()
        };
        self.xyw.clear();
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.xyw.len() / FLOATS_PER_POINT
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.xyw.is_empty()
    }

    /// The packed `[x, y, w]` triples.
    pub fn as_slice(&self) -> &[f32] {
        &self.xyw
    }

    /// The world coordinates that the x and y offsets are relative to.
    pub fn origin(&self) -> [f64; 2] {
        self.origin
    }

    /// The longitude/latitude box of the points, or `None` when empty.
    pub fn bounds(&self) -> Option<LonLatBounds> {
        self.bounds.bounds()
    }

    /// Sum of all weights.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// A value that changes whenever the points change, for caches keyed on the data: points are
    /// only ever appended or cleared, so a per-buffer identity (renewed by `clear`) and the length
    /// identify the contents without touching a shared counter on every push.
    pub fn revision(&self) -> (u64, usize) {
        (self.revision, self.len())
    }

    /// The points as world coordinates and weights (f64), for code that is not speed critical.
    pub fn iter_world(&self) -> impl Iterator<Item = ([f64; 2], f32)> + '_ {
        let [ox, oy] = self.origin;
        self.xyw
            .chunks_exact(FLOATS_PER_POINT)
            .map(move |p| ([ox + f64::from(p[0]), oy + f64::from(p[1])], p[2]))
    }
}

fn next_revision() -> u64 {
    NEXT_REVISION.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_projects_relative_to_the_first_point() {
        let mut points = PointBuffer::new();
        points.push(10.0, 20.0, 1.0);
        points.push(10.001, 20.001, 2.5);
        assert_eq!(points.len(), 2);
        assert_eq!(&points.as_slice()[..3], &[0.0, 0.0, 1.0]);
        let [(a, _), (b, w)]: [([f64; 2], f32); 2] = points
            .iter_world()
            .collect::<Vec<_>>()
            .try_into()
            .expect("two points");
        assert!((a[0] - geo::lon_to_world_x(10.0)).abs() < 1e-15);
        assert!((b[0] - geo::lon_to_world_x(10.001)).abs() < 1e-12);
        assert!((b[1] - geo::lat_to_world_y(20.001)).abs() < 1e-12);
        assert_eq!(w, 2.5);
        assert_eq!(points.total_weight(), 3.5);
    }

    #[test]
    fn a_given_origin_gives_the_offsets_of_the_whole() {
        let mut whole = PointBuffer::new();
        let mut part =
            PointBuffer::with_origin([geo::lon_to_world_x(10.0), geo::lat_to_world_y(20.0)], 1);
        whole.push(10.0, 20.0, 1.0);
        for points in [&mut whole, &mut part] {
            points.push(10.001, 20.001, 2.5);
        }
        assert_eq!(part.as_slice(), &whole.as_slice()[3..]);
        assert_eq!(part.origin(), whole.origin());
    }

    #[test]
    fn clear_empties_and_changes_revision() {
        let mut points = PointBuffer::new();
        points.push(1.0, 1.0, 1.0);
        let before = points.revision();
        points.clear();
        assert!(points.is_empty());
        assert!(points.bounds().is_none());
        assert_ne!(points.revision(), before);
    }
}
