//! [`PointBuffer`]: the packed `[x, y, w]` f32 points that every backend renders, and the
//! numeric property columns kept beside them ([`Column`]).

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
    /// One value per point for each kept property, in the order the ingest was asked for them.
    columns: Vec<Column>,
}

/// What a [`Column`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Any number.
    Number,
    /// An instant, in milliseconds since 1970-01-01T00:00:00Z.
    Time,
}

/// One numeric property of every point, as f32.
///
/// A value the feature did not have (no such property, or `null`) is NaN, which every filter
/// comparison but `!=` treats as false and every weight expression treats as "no weight" (the
/// point is left out). Time values are epoch milliseconds, which f32 cannot hold (2⁲⁴ ms is
/// under five hours), so like coordinates they are stored relative to an f64 origin (the first
/// time loaded): [`Column::value`] adds it back. A span of a year then keeps about 2 s of
/// precision, a month about 0.25 s.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    name: String,
    kind: ColumnKind,
    /// Added to every stored value; set by the first finite time, 0 for number columns.
    origin: Option<f64>,
    values: Vec<f32>,
}

impl Column {
    /// An empty column.
    pub fn new(name: impl Into<String>, kind: ColumnKind) -> Self {
        Self {
            name: name.into(),
            kind,
            origin: None,
            values: Vec::new(),
        }
    }

    /// The property name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the values are.
    pub fn kind(&self) -> ColumnKind {
        self.kind
    }

    /// What the stored values are relative to.
    pub fn origin(&self) -> f64 {
        self.origin.unwrap_or(0.0)
    }

    /// The stored values, relative to [`Column::origin`].
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// The value of point `index` (NaN when it had none); panics past the end.
    #[inline]
    pub fn value(&self, index: usize) -> f64 {
        self.origin() + f64::from(self.values[index])
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn push(&mut self, value: f64) {
        if self.kind == ColumnKind::Time && self.origin.is_none() && value.is_finite() {
            self.origin = Some(value);
        }
        self.values.push((value - self.origin()) as f32);
    }
}

/// The world position of `lon`, `lat`, as [`PointBuffer::push`] stores it.
#[cfg_attr(wasm_for_size, optimize(speed))]
#[inline]
pub(crate) fn project(lon: f64, lat: f64) -> [f64; 2] {
    [geo::lon_to_world_x(lon), geo::lat_to_world_y(lat)]
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
            columns: Vec::new(),
        }
    }

    /// An empty buffer that keeps `columns` (their values are dropped) beside the points.
    pub fn with_columns(columns: impl IntoIterator<Item = Column>) -> Self {
        Self {
            columns: columns
                .into_iter()
                .map(|c| Column::new(c.name, c.kind))
                .collect(),
            ..Self::new()
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
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline]
    pub fn push(&mut self, lon: f64, lat: f64, weight: f32) {
        self.push_projected(lon, lat, project(lon, lat), weight);
    }

    /// [`PointBuffer::push`] with the point's world position already computed by [`project`].
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline]
    pub(crate) fn push_projected(&mut self, lon: f64, lat: f64, world: [f64; 2], weight: f32) {
        debug_assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
        debug_assert!(weight.is_finite() && weight >= 0.0);
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

    /// Appends one value per column for the point just pushed (NaN for none). Columns are
    /// filled in step with the points: a caller that keeps columns calls this after every
    /// [`PointBuffer::push`]. Time values must be within ±8.64e15 ms (JavaScript's `Date` range),
    /// so that they stay finite relative to the origin.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub fn push_values(&mut self, values: &[f64]) {
        debug_assert_eq!(values.len(), self.columns.len());
        for (column, &value) in self.columns.iter_mut().zip(values) {
            column.push(value);
        }
    }

    /// Removes every point (the columns stay, empty; a given origin is forgotten: the next first
    /// point sets it).
    pub fn clear(&mut self) {
        let columns = std::mem::take(&mut self.columns);
        *self = Self {
            xyw: std::mem::take(&mut self.xyw),
            ..Self::with_columns(columns)
        };
        self.xyw.clear();
    }

    /// Makes this buffer the points of `source` that `keep` keeps, in order, with the weight it
    /// returns for each (given the point's index and loaded weight; finite and not negative).
    /// `keep` is called once per point, in index order.
    /// The offsets are copied as they are: the origin and the bounds are the source's (the
    /// bounds of all the data, not of the points kept), and no columns are kept. Capacity is
    /// reused; the revision is new.
    pub fn refill_from(
        &mut self,
        source: &PointBuffer,
        mut keep: impl FnMut(usize, f32) -> Option<f32>,
    ) {
        self.clear();
        self.columns.clear();
        self.origin = source.origin;
        self.bounds = source.bounds;
        let mut total = 0.0;
        for (index, p) in source.xyw.chunks_exact(FLOATS_PER_POINT).enumerate() {
            if let Some(weight) = keep(index, p[2]) {
                debug_assert!(weight.is_finite() && weight >= 0.0);
                self.xyw.extend_from_slice(&[p[0], p[1], weight]);
                total += f64::from(weight);
            }
        }
        self.total_weight = total;
    }

    /// The kept property columns, each with one value per point.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column of property `name`, if it was kept.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Bytes each point takes: the packed `[x, y, w]` and 4 per column.
    pub fn bytes_per_point(&self) -> usize {
        4 * (FLOATS_PER_POINT + self.columns.len())
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
