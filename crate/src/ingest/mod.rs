//! GeoJSON → [`PointBuffer`] without building a document tree.

use crate::error::Result;
use crate::geo::LonLatBounds;
use crate::points::PointBuffer;
use std::time::Duration;

/// What to do with a feature or position that breaks a rule (bad weight, coordinate out of range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvalidPolicy {
    /// Stop and return an error naming the place (the default: nothing is silently dropped).
    #[default]
    Error,
    /// Leave it out and count it in [`IngestReport::skipped_by_policy`].
    Skip,
}

/// What to do with LineString, Polygon, MultiLineString and MultiPolygon geometries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineAndPolygonPolicy {
    /// Leave them out and count them in [`IngestReport::skipped_by_type`] (the default).
    #[default]
    Skip,
    /// Use every vertex as a point.
    Vertices,
}

/// How GeoJSON is read.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOptions {
    /// Feature property holding the weight; `None` gives every point `default_weight`.
    pub weight_property: Option<String>,
    /// Weight of points whose feature has no (or a null) weight property.
    pub default_weight: f32,
    /// Non-numeric, negative or too large weights.
    pub invalid_weight: InvalidPolicy,
    /// Longitudes outside [-180, 180] and latitudes outside [-90, 90].
    pub out_of_range: InvalidPolicy,
    pub lines_and_polygons: LineAndPolygonPolicy,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            weight_property: None,
            default_weight: 1.0,
            invalid_weight: InvalidPolicy::Error,
            out_of_range: InvalidPolicy::Error,
            lines_and_polygons: LineAndPolygonPolicy::Skip,
        }
    }
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestReport {
    /// Points written to the buffer.
    pub points: usize,
    /// Features read (a bare geometry counts as one).
    pub features: usize,
    /// Features that gave at least one point.
    pub point_features: usize,
    /// Features whose geometry was a line or polygon type, left out by [`LineAndPolygonPolicy::Skip`].
    pub skipped_by_type: usize,
    /// Features left out by [`InvalidPolicy::Skip`] (bad weight or coordinate).
    pub skipped_by_policy: usize,
    /// Features with a null geometry (valid GeoJSON, nothing to draw).
    pub null_geometry: usize,
    /// Longitude/latitude box of the points written.
    pub bounds: Option<LonLatBounds>,
    /// Bytes read.
    pub bytes: usize,
    /// Wall time of the load.
    pub elapsed: Duration,
}

/// Progress of a long load, reported about every megabyte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestProgress {
    pub bytes_read: usize,
    pub total_bytes: usize,
    pub features: usize,
}

/// Parses GeoJSON bytes into a new [`PointBuffer`].
pub fn ingest_geojson(
    bytes: &[u8],
    options: &IngestOptions,
) -> Result<(PointBuffer, IngestReport)> {
    ingest_geojson_with_progress(bytes, options, &mut |_| {})
}

/// [`ingest_geojson`], calling `progress` about every megabyte.
pub fn ingest_geojson_with_progress(
    bytes: &[u8],
    options: &IngestOptions,
    progress: &mut dyn FnMut(IngestProgress),
) -> Result<(PointBuffer, IngestReport)> {
    let _ = (bytes, options, progress);
    unimplemented!("streaming ingest")
}
