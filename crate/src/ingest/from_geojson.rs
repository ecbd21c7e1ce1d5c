//! [`PointBuffer::from_geojson`]: the same ingest for a document already parsed by the
//! `geojson` crate.

use super::sink::{GeometryOutcome, NonNumeric, Sink, Slot, Weight};
use super::{IngestOptions, IngestReport, LineAndPolygonPolicy};
use crate::clock::Stopwatch;
use crate::error::{Error, GeoJsonProblem, Result};
use crate::points::PointBuffer;
use geojson::{Feature, GeoJson, Geometry, GeometryValue, Position};
use serde_json::Value;

impl PointBuffer {
    /// Loads a parsed GeoJSON document with the rules of [`super::ingest_geojson`], giving the
    /// same points, origin and counters as parsing its text would. [`IngestReport::bytes`] is 0,
    /// as no bytes are read.
    ///
    /// # Errors
    ///
    /// [`Error::GeoJsonValue`] naming the problem and the feature; [`Error::InvalidOption`] when
    /// `options` are invalid.
    pub fn from_geojson(
        doc: &GeoJson,
        options: &IngestOptions,
    ) -> Result<(PointBuffer, IngestReport)> {
        let clock = Stopwatch::start();
        options.validate()?;
        let mut reader = Reader {
            sink: Sink::new(options),
            scratch: Vec::new(),
            pending: Vec::new(),
        };
        let located = |feature_index| {
            move |problem| Error::GeoJsonValue {
                problem,
                feature_index: Some(feature_index),
            }
        };
        match doc {
            GeoJson::FeatureCollection(collection) => {
                for (index, feature) in collection.features.iter().enumerate() {
                    reader.feature(feature).map_err(located(index))?;
                }
            }
            GeoJson::Feature(feature) => reader.feature(feature).map_err(located(0))?,
            GeoJson::Geometry(geometry) => reader
                .commit(Some(geometry), &Weight::Default)
                .map_err(located(0))?,
        }
        let (points, report) = reader.sink.finish(0);
        Ok((
            points,
            IngestReport {
                elapsed: clock.elapsed(),
                ..report
            },
        ))
    }
}

/// Walks a document; the buffers are reused from feature to feature.
struct Reader<'d> {
    sink: Sink,
    scratch: Vec<[f64; 2]>,
    /// GeometryCollection members still to visit, walked without recursion so that a deeply
    /// nested document built in code cannot overflow the stack.
    pending: Vec<&'d Geometry>,
}

impl<'d> Reader<'d> {
    fn feature(&mut self, feature: &'d Feature) -> Result<(), GeoJsonProblem> {
        let weight = self.weight(feature);
        self.commit(feature.geometry.as_ref(), &weight)
    }

    fn commit(
        &mut self,
        geometry: Option<&'d Geometry>,
        weight: &Weight,
    ) -> Result<(), GeoJsonProblem> {
        self.scratch.clear();
        let outcome = match geometry {
            None => GeometryOutcome {
                null: true,
                skipped_by_type: false,
            },
            Some(geometry) => self.positions(geometry)?,
        };
        self.sink.commit(&self.scratch, outcome, weight)
    }

    /// Appends the positions of `geometry` to the scratch list in document order, as the
    /// streaming parser does.
    fn positions(&mut self, geometry: &'d Geometry) -> Result<GeometryOutcome, GeoJsonProblem> {
        let keep_lines = self.sink.options().lines_and_polygons == LineAndPolygonPolicy::Vertices;
        let mut outcome = GeometryOutcome::default();
        self.pending.clear();
        self.pending.push(geometry);
        while let Some(geometry) = self.pending.pop() {
            let scratch = &mut self.scratch;
            match &geometry.value {
                GeometryValue::GeometryCollection { geometries } => {
                    self.pending.extend(geometries.iter().rev());
                }
                GeometryValue::Point { coordinates } => add([coordinates], true, scratch)?,
                GeometryValue::MultiPoint { coordinates } => add(coordinates, true, scratch)?,
                GeometryValue::LineString { coordinates } => {
                    add(coordinates, keep_lines, scratch)?;
                }
                GeometryValue::MultiLineString { coordinates }
                | GeometryValue::Polygon { coordinates } => {
                    add(coordinates.iter().flatten(), keep_lines, scratch)?;
                }
                GeometryValue::MultiPolygon { coordinates } => {
                    add(coordinates.iter().flatten().flatten(), keep_lines, scratch)?;
                }
            }
            if geometry_is_line_or_polygon(&geometry.value) && !keep_lines {
                outcome.skipped_by_type = true;
            }
        }
        Ok(outcome)
    }

    /// The feature's weight; its kept properties go to the sink.
    fn weight(&mut self, feature: &Feature) -> Weight {
        let mut weight = Weight::Default;
        let Some(properties) = feature.properties.as_ref() else {
            return weight;
        };
        if self.sink.ignores_properties() {
            return weight;
        }
        for (name, value) in properties {
            let slot = self.sink.slot(name.as_bytes());
            if slot.is_unused() {
                continue;
            }
            let value = found(value, slot);
            if let Some(column) = slot.column {
                self.sink.set_found(column, value.clone());
            }
            if slot.weight {
                weight = value;
            }
        }
        weight
    }
}

/// A property's value as the sink judges it.
fn found(value: &Value, slot: Slot) -> Weight {
    match value {
        Value::Null => Weight::Default,
        // `as_f64` fails only for numbers beyond f64, which the checks refuse.
        Value::Number(n) => Weight::Number(n.as_f64().unwrap_or(f64::INFINITY)),
        Value::String(s) => NonNumeric::string_in(s, slot),
        Value::Bool(b) => Weight::NonNumeric(NonNumeric::Bool(*b)),
        Value::Array(_) => Weight::NonNumeric(NonNumeric::Array),
        Value::Object(_) => Weight::NonNumeric(NonNumeric::Object),
    }
}

fn geometry_is_line_or_polygon(value: &GeometryValue) -> bool {
    matches!(
        value,
        GeometryValue::LineString { .. }
            | GeometryValue::MultiLineString { .. }
            | GeometryValue::Polygon { .. }
            | GeometryValue::MultiPolygon { .. }
    )
}

/// Checks every position (also of geometries left out, as the parser does) and appends them
/// when `keep` is set.
fn add<'p>(
    positions: impl IntoIterator<Item = &'p Position>,
    keep: bool,
    scratch: &mut Vec<[f64; 2]>,
) -> Result<(), GeoJsonProblem> {
    for position in positions {
        match *position.as_slice() {
            [lon, lat, ..] => {
                if keep {
                    scratch.push([lon, lat]);
                }
            }
            _ => {
                return Err(GeoJsonProblem::ShortPosition {
                    len: position.len(),
                });
            }
        }
    }
    Ok(())
}
