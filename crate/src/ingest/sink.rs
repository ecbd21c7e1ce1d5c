//! The one place where features become points: policy checks, weights, counters.
//!
//! Both the streaming parser and [`PointBuffer::from_geojson`] hand every feature to
//! [`Sink::commit`], so the two paths apply the same rules and fill the same buffer.

use super::{IngestOptions, IngestReport, InvalidPolicy};
use crate::error::GeoJsonProblem;
use crate::points::{ColumnKind, PointBuffer, project};

/// Longest excerpt of a string value quoted in an error message.
const EXCERPT_CHARS: usize = 40;

/// A feature's weight property, or one of its kept properties, as found, before the policy
/// looks at it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Weight {
    /// No such property, no properties, or a null value: the default weight (or NaN) applies.
    Default,
    Number(f64),
    NonNumeric(NonNumeric),
}

/// A weight property value that is not a number.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum NonNumeric {
    /// A string, cut to a short excerpt.
    String(String),
    Bool(bool),
    Object,
    Array,
    /// A string of the time property that is not an ISO 8601 instant, cut to an excerpt.
    Time(String),
}

impl NonNumeric {
    pub(super) fn string(value: &str) -> Self {
        Self::String(excerpt(value))
    }

    /// A string found in a property: an instant when the property is the time property.
    pub(super) fn string_in(value: &str, slot: Slot) -> Weight {
        if slot.time {
            match crate::iso8601::parse_ms(value) {
                Some(ms) => Weight::Number(ms),
                None => Weight::NonNumeric(Self::Time(excerpt(value))),
            }
        } else {
            Weight::NonNumeric(Self::string(value))
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::String(s) => format!("the string {s:?}"),
            Self::Bool(b) => format!("the boolean {b}"),
            Self::Object => "an object".to_owned(),
            Self::Array => "an array".to_owned(),
            Self::Time(s) => format!("the string {s:?}"),
        }
    }
}

/// At most [`EXCERPT_CHARS`] characters of `value`, so that a huge bad value does not make a
/// huge error message.
pub(super) fn excerpt(value: &str) -> String {
    match value.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_owned(),
    }
}

/// True for a longitude in [-180, 180] and a latitude in [-90, 90]: the positions every way in
/// accepts.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(super) fn is_lon_lat(lon: f64, lat: f64) -> bool {
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}

/// A weight as stored, or `None` when it is negative, NaN or too large for f32: rounding turns
/// values past f32::MAX into infinity, which is refused rather than drawn as an infinitely hot
/// spot.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(super) fn narrow_weight(value: f64) -> Option<f32> {
    let narrowed = value as f32;
    (value >= 0.0 && narrowed.is_finite()).then_some(narrowed)
}

/// What a feature's geometry turned out to be, besides its positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct GeometryOutcome {
    /// The geometry is `null`.
    pub(super) null: bool,
    /// A line or polygon geometry was left out by [`super::LineAndPolygonPolicy::Skip`].
    pub(super) skipped_by_type: bool,
}

impl GeometryOutcome {
    /// Merges the outcome of a GeometryCollection member into the collection's.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn merge(&mut self, member: Self) {
        self.skipped_by_type |= member.skipped_by_type;
    }
}

/// Times beyond this many milliseconds from 1970 are refused: JavaScript's `Date` range, and
/// far enough inside f64 that a time relative to another stays finite in f32.
const MAX_TIME_MS: f64 = 8.64e15;

/// What a property name is to a load: the weight, a kept column, both or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Slot {
    pub(super) weight: bool,
    pub(super) column: Option<usize>,
    /// The column is the time property: its strings are read as ISO 8601 instants.
    pub(super) time: bool,
}

impl Slot {
    /// Neither the weight nor a column: the value is skipped.
    pub(super) fn is_unused(self) -> bool {
        !self.weight && self.column.is_none()
    }
}

/// Collects points and counters for one load.
#[derive(Debug)]
pub(super) struct Sink {
    /// A copy, so that a load kept across calls ([`super::ChunkedIngest`]) owns what it needs.
    options: IngestOptions,
    points: PointBuffer,
    report: IngestReport,
    /// The kept properties of the feature being read, as found; reset after each commit.
    found: Vec<Weight>,
    /// The same, as stored (NaN for none). Reused, so steady state does not allocate.
    row: Vec<f64>,
    /// Which kept properties (and, last, the weight) the feature being read has named so far.
    seen: Vec<bool>,
    /// Set for a part of the features read on a thread of its own: its points are kept as
    /// read instead of in `points`, whose offsets need the origin of the whole load.
    deferred: Option<Deferred>,
}

/// The points of a part of a load as read, for `Sink::append` to push in order.
#[derive(Debug, Default)]
struct Deferred {
    positions: Vec<[f64; 2]>,
    /// The positions projected, on the part's thread.
    world: Vec<[f64; 2]>,
    weights: Vec<f32>,
    /// One row of kept values per point, in column order.
    rows: Vec<f64>,
}

impl Sink {
    pub(super) fn new(options: &IngestOptions) -> Self {
        let points = PointBuffer::with_columns(options.columns());
        let n = points.columns().len();
        Self {
            options: options.clone(),
            points,
            report: IngestReport::default(),
            found: vec![Weight::Default; n],
            row: vec![f64::NAN; n],
            seen: vec![false; n + 1],
            deferred: None,
        }
    }

    /// A sink for a part of a load's features that [`Sink::append`] adds to the whole.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn for_part(options: &IngestOptions) -> Self {
        Self {
            deferred: Some(Deferred::default()),
            ..Self::new(options)
        }
    }

    /// Adds the features of `part`, read after this sink's, as if committed here: the same
    /// points and counts. Refuses (changing nothing) when the points would pass
    /// [`IngestOptions::max_points`]: the feature that passes it must be found and named.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn append(&mut self, part: Self) -> Result<(), ()> {
        let Some(deferred) = part.deferred else {
            return Err(());
        };
        let limit = self.options.max_points;
        if part.report.points > limit.saturating_sub(self.report.points) {
            return Err(());
        }
        let n = self.row.len();
        let points = deferred.positions.iter().zip(&deferred.world);
        for (i, ((&[lon, lat], &world), &weight)) in points.zip(&deferred.weights).enumerate() {
            self.points.push_projected(lon, lat, world, weight);
            self.points.push_values(&deferred.rows[i * n..(i + 1) * n]);
        }
        let (report, more) = (&mut self.report, part.report);
        report.features += more.features;
        report.points += more.points;
        report.point_features += more.point_features;
        report.skipped_by_type += more.skipped_by_type;
        report.skipped_by_policy += more.skipped_by_policy;
        report.null_geometry += more.null_geometry;
        Ok(())
    }

    /// True when the load reads nothing from `properties`: they are skipped whole.
    pub(super) fn ignores_properties(&self) -> bool {
        self.options.weight_property.is_none() && self.found.is_empty()
    }

    /// What property `name` (as written, or decoded) is to this load.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn slot(&self, name: &[u8]) -> Slot {
        let column = self
            .points
            .columns()
            .iter()
            .position(|c| c.name().as_bytes() == name);
        Slot {
            weight: self.options.weight_property.as_deref().map(str::as_bytes) == Some(name),
            column,
            time: column.is_some_and(|i| self.points.columns()[i].kind() == ColumnKind::Time),
        }
    }

    /// Records the value of a kept property of the feature being read.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn set_found(&mut self, column: usize, value: Weight) {
        self.found[column] = value;
    }

    /// Forgets the kept properties found: the next feature starts without any.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn clear_found(&mut self) {
        self.found.fill(Weight::Default);
        self.seen.fill(false);
    }

    /// Notes that the feature being read names `slot`'s property; false when it did before. A
    /// property the load reads may come once per feature, as a member may (`rules::route`):
    /// which of two values counts would otherwise depend on the reader.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn first_sight(&mut self, slot: Slot) -> bool {
        let weight = self.seen.len() - 1;
        let mut first = true;
        for at in slot.column.into_iter().chain(slot.weight.then_some(weight)) {
            first &= !std::mem::replace(&mut self.seen[at], true);
        }
        first
    }

    /// The name of `slot`'s property, for errors.
    pub(super) fn slot_name(&self, slot: Slot) -> String {
        match slot.column {
            Some(column) => self.points.columns()[column].name().to_owned(),
            None => self.options.weight_property.clone().unwrap_or_default(),
        }
    }

    pub(super) fn options(&self) -> &IngestOptions {
        &self.options
    }

    /// Features committed so far.
    pub(super) fn features(&self) -> usize {
        self.report.features
    }

    /// Adds one feature (a bare geometry counts as one): every position becomes a point of the
    /// feature's weight, unless the feature breaks a rule. A broken rule is returned as the
    /// problem under [`InvalidPolicy::Error`] and counted under [`InvalidPolicy::Skip`].
    ///
    /// The weight is checked only when there is something to draw: a null or skipped geometry
    /// does not use it.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn commit(
        &mut self,
        positions: &[[f64; 2]],
        outcome: GeometryOutcome,
        weight: &Weight,
    ) -> Result<(), GeoJsonProblem> {
        let committed = self.commit_found(positions, outcome, weight);
        self.clear_found();
        committed
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn commit_found(
        &mut self,
        positions: &[[f64; 2]],
        outcome: GeometryOutcome,
        weight: &Weight,
    ) -> Result<(), GeoJsonProblem> {
        self.report.features += 1;
        if positions.is_empty() {
            if outcome.null {
                self.report.null_geometry += 1;
            } else if outcome.skipped_by_type {
                self.report.skipped_by_type += 1;
            }
            return Ok(());
        }
        let weight = match self.resolve_weight(weight) {
            Ok(weight) => weight,
            Err(problem) => return self.apply(self.options.invalid_weight, problem),
        };
        if let Err(problem) = self.resolve_row() {
            return self.apply(self.options.invalid_weight, problem);
        }
        let out_of_range = positions.iter().find(|[lon, lat]| !is_lon_lat(*lon, *lat));
        if let Some(&[lon, lat]) = out_of_range {
            let problem = GeoJsonProblem::CoordinateOutOfRange { lon, lat };
            return self.apply(self.options.out_of_range, problem);
        }
        let limit = self.options.max_points;
        if positions.len() > limit.saturating_sub(self.report.points) {
            return Err(GeoJsonProblem::TooManyPoints { limit });
        }
        if let Some(deferred) = &mut self.deferred {
            deferred.positions.extend_from_slice(positions);
            let world = positions.iter().map(|&[lon, lat]| project(lon, lat));
            deferred.world.extend(world);
            deferred.weights.resize(deferred.positions.len(), weight);
            for _ in positions {
                deferred.rows.extend_from_slice(&self.row);
            }
        } else {
            for &[lon, lat] in positions {
                self.points.push(lon, lat, weight);
                self.points.push_values(&self.row);
            }
        }
        self.report.points += positions.len();
        self.report.point_features += 1;
        Ok(())
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn apply(
        &mut self,
        policy: InvalidPolicy,
        problem: GeoJsonProblem,
    ) -> Result<(), GeoJsonProblem> {
        match policy {
            InvalidPolicy::Error => Err(problem),
            InvalidPolicy::Skip => {
                self.report.skipped_by_policy += 1;
                Ok(())
            }
        }
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn resolve_weight(&self, weight: &Weight) -> Result<f32, GeoJsonProblem> {
        let property = || self.options.weight_property.clone().unwrap_or_default();
        match *weight {
            Weight::Default => Ok(self.options.default_weight),
            Weight::Number(value) => {
                narrow_weight(value).ok_or_else(|| GeoJsonProblem::InvalidWeight {
                    property: property(),
                    value,
                })
            }
            Weight::NonNumeric(ref found) => Err(GeoJsonProblem::NonNumericWeight {
                property: property(),
                found: found.describe(),
            }),
        }
    }

    /// Checks the kept properties found and writes them to `row` as they are stored.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn resolve_row(&mut self) -> Result<(), GeoJsonProblem> {
        for ((found, slot), column) in self
            .found
            .iter()
            .zip(&mut self.row)
            .zip(self.points.columns())
        {
            let property = || column.name().to_owned();
            *slot = match *found {
                Weight::Default => f64::NAN,
                Weight::Number(value) => {
                    let fits = match column.kind() {
                        ColumnKind::Number => (value as f32).is_finite(),
                        ColumnKind::Time => value.abs() <= MAX_TIME_MS,
                    };
                    if !fits {
                        let property = property();
                        return Err(GeoJsonProblem::InvalidProperty { property, value });
                    }
                    value
                }
                Weight::NonNumeric(NonNumeric::Time(ref found)) => {
                    let found = found.clone();
                    let property = property();
                    return Err(GeoJsonProblem::InvalidTime { property, found });
                }
                Weight::NonNumeric(ref found) => {
                    let found = found.describe();
                    let property = property();
                    return Err(GeoJsonProblem::NonNumericProperty { property, found });
                }
            };
        }
        Ok(())
    }

    /// The buffer and the report, with the bounds and byte count filled in.
    pub(super) fn finish(self, bytes: usize) -> (PointBuffer, IngestReport) {
        let report = IngestReport {
            bounds: self.points.bounds(),
            bytes_per_point: self.points.bytes_per_point(),
            bytes,
            ..self.report
        };
        (self.points, report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::LineAndPolygonPolicy;

    fn options(policy: InvalidPolicy) -> IngestOptions {
        IngestOptions {
            weight_property: Some("w".to_owned()),
            default_weight: 2.0,
            invalid_weight: policy,
            out_of_range: policy,
            lines_and_polygons: LineAndPolygonPolicy::Skip,
            ..IngestOptions::default()
        }
    }

    #[test]
    fn weights_are_checked_against_f32() {
        let options = options(InvalidPolicy::Error);
        let mut sink = Sink::new(&options);
        let at = [[1.0, 2.0]];
        let ok = GeometryOutcome::default();
        assert_eq!(sink.commit(&at, ok, &Weight::Number(3.5)), Ok(()));
        assert_eq!(sink.commit(&at, ok, &Weight::Default), Ok(()));
        assert_eq!(sink.commit(&at, ok, &Weight::Number(-0.0)), Ok(()));
        assert_eq!(
            sink.commit(&at, ok, &Weight::Number(f64::from(f32::MAX))),
            Ok(())
        );
        for bad in [-1e-9, 1e39] {
            assert_eq!(
                sink.commit(&at, ok, &Weight::Number(bad)),
                Err(GeoJsonProblem::InvalidWeight {
                    property: "w".to_owned(),
                    value: bad
                })
            );
        }
        let (points, report) = sink.finish(0);
        let weights: Vec<f32> = points.as_slice().chunks(3).map(|p| p[2]).collect();
        assert_eq!(weights, [3.5, 2.0, 0.0, f32::MAX]);
        assert_eq!(report.features, 6);
        assert_eq!(report.points, 4);
    }

    #[test]
    fn skip_policy_counts_instead_of_failing() {
        let options = options(InvalidPolicy::Skip);
        let mut sink = Sink::new(&options);
        let ok = GeometryOutcome::default();
        let bad_weight = Weight::NonNumeric(NonNumeric::Bool(true));
        assert_eq!(sink.commit(&[[0.0, 0.0]], ok, &bad_weight), Ok(()));
        assert_eq!(
            sink.commit(&[[0.0, 0.0], [181.0, 0.0]], ok, &Weight::Default),
            Ok(())
        );
        assert_eq!(sink.commit(&[[0.0, 0.0]], ok, &Weight::Default), Ok(()));
        let (points, report) = sink.finish(0);
        assert_eq!(
            points.len(),
            1,
            "a feature with one bad position is left out whole"
        );
        assert_eq!(report.skipped_by_policy, 2);
        assert_eq!(report.point_features, 1);
    }

    #[test]
    fn empty_geometries_do_not_check_the_weight() {
        let options = options(InvalidPolicy::Error);
        let mut sink = Sink::new(&options);
        let bad_weight = Weight::NonNumeric(NonNumeric::Object);
        let null = GeometryOutcome {
            null: true,
            skipped_by_type: false,
        };
        let skipped = GeometryOutcome {
            null: false,
            skipped_by_type: true,
        };
        assert_eq!(sink.commit(&[], null, &bad_weight), Ok(()));
        assert_eq!(sink.commit(&[], skipped, &bad_weight), Ok(()));
        let (_, report) = sink.finish(0);
        assert_eq!((report.null_geometry, report.skipped_by_type), (1, 1));
    }

    #[test]
    fn excerpts_cut_long_strings_on_char_boundaries() {
        assert_eq!(excerpt("abc"), "abc");
        let long = "é".repeat(100);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
    }
}
