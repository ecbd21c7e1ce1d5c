//! Valid GeoJSON of every type: exact points, weights, counters and bounds, and the same result
//! from the streaming parser and from `PointBuffer::from_geojson`. Fixtures live in
//! `tests/data/valid/` at the repository root.

use geoheat::geo::{world_x_to_lon, world_y_to_lat};
use geoheat::ingest::{
    IngestOptions, IngestProgress, IngestReport, LineAndPolygonPolicy, ingest_geojson,
    ingest_geojson_with_progress,
};
use geoheat::{LonLatBounds, PointBuffer};
use std::str::FromStr;

mod common;
use common::{mag, valid_fixture};

const FIXTURES: &[&str] = &[
    "antimeridian.geojson",
    "bom.geojson",
    "empty_collection.geojson",
    "feature.geojson",
    "feature_collection.geojson",
    "foreign_members.geojson",
    "geometry_collection_nested.geojson",
    "lines_and_polygons.geojson",
    "multipoint.geojson",
    "null_geometry.geojson",
    "point.geojson",
    "polar.geojson",
    "positions_3d_4d.geojson",
    "unusual_order.geojson",
    "weights.geojson",
];

fn vertices() -> IngestOptions {
    IngestOptions {
        lines_and_polygons: LineAndPolygonPolicy::Vertices,
        ..mag()
    }
}

fn load(name: &str, options: &IngestOptions) -> (PointBuffer, IngestReport) {
    ingest_geojson(&valid_fixture(name), options).unwrap_or_else(|err| panic!("{name}: {err}"))
}

/// The points as (longitude, latitude, weight), back-projected from the buffer.
fn lon_lat_w(points: &PointBuffer) -> Vec<(f64, f64, f32)> {
    points
        .iter_world()
        .map(|([x, y], w)| (world_x_to_lon(x), world_y_to_lat(y), w))
        .collect()
}

#[track_caller]
fn assert_points(points: &PointBuffer, expected: &[(f64, f64, f32)]) {
    let found = lon_lat_w(points);
    assert_eq!(found.len(), expected.len(), "{found:?}");
    for (&(lon, lat, w), &(elon, elat, ew)) in found.iter().zip(expected) {
        // f32 offsets from the origin keep about 1e-5 degrees over the whole world.
        assert!(
            (lon - elon).abs() < 1e-4 && (lat - elat).abs() < 1e-4 && w == ew,
            "found {found:?}, expected {expected:?}"
        );
    }
}

/// (points, features, point_features, skipped_by_type, skipped_by_policy, null_geometry)
fn counters(report: &IngestReport) -> [usize; 6] {
    [
        report.points,
        report.features,
        report.point_features,
        report.skipped_by_type,
        report.skipped_by_policy,
        report.null_geometry,
    ]
}

#[test]
fn feature_collection() {
    let (points, report) = load("feature_collection.geojson", &mag());
    assert_points(
        &points,
        &[
            (-122.4194, 37.7749, 2.0),
            (-118.2437, 34.0522, 4.5),
            (-73.9857, 40.7484, 1.0),
        ],
    );
    assert_eq!(counters(&report), [3, 3, 3, 0, 0, 0]);
    assert_eq!(
        report.bytes,
        valid_fixture("feature_collection.geojson").len()
    );
    let bounds = report.bounds.expect("points");
    // BoundsBuilder may take the equally long way through 360° and round in the last bit.
    let found = [bounds.west, bounds.south, bounds.east, bounds.north];
    let expected = [-122.4194, 34.0522, -73.9857, 40.7484];
    assert!(
        found
            .iter()
            .zip(expected)
            .all(|(a, b)| (a - b).abs() < 1e-9),
        "{found:?}"
    );
    assert_eq!(report.bounds, points.bounds());
}

#[test]
fn empty_feature_collection() {
    let (points, report) = load("empty_collection.geojson", &mag());
    assert!(points.is_empty());
    assert_eq!(counters(&report), [0; 6]);
    assert_eq!(report.bounds, None);
}

#[test]
fn single_feature() {
    let (points, report) = load("feature.geojson", &mag());
    assert_points(&points, &[(139.6917, 35.6895, 7.25)]);
    assert_eq!(counters(&report), [1, 1, 1, 0, 0, 0]);
}

#[test]
fn bare_point_and_multipoint() {
    let (points, report) = load("point.geojson", &mag());
    assert_points(&points, &[(2.3522, 48.8566, 1.0)]);
    assert_eq!(counters(&report), [1, 1, 1, 0, 0, 0]);
    let (points, report) = load("multipoint.geojson", &mag());
    assert_points(
        &points,
        &[
            (13.405, 52.52, 1.0),
            (16.3738, 48.2082, 1.0),
            (14.4378, 50.0755, 1.0),
        ],
    );
    assert_eq!(counters(&report), [3, 1, 1, 0, 0, 0]);
}

#[test]
fn nested_geometry_collections() {
    let (points, report) = load("geometry_collection_nested.geojson", &mag());
    assert_points(
        &points,
        &[(10.0, 20.0, 3.0), (11.0, 21.0, 3.0), (12.0, 22.0, 3.0)],
    );
    assert_eq!(counters(&report), [3, 1, 1, 0, 0, 0]);
    let (points, _) = load("geometry_collection_nested.geojson", &vertices());
    assert_eq!(points.len(), 5, "the LineString's two vertices too");
}

#[test]
fn lines_and_polygons_follow_the_policy() {
    let (points, report) = load("lines_and_polygons.geojson", &mag());
    assert_points(&points, &[(50.0, 50.0, 1.0)]);
    assert_eq!(counters(&report), [1, 5, 1, 4, 0, 0]);
    let (points, report) = load("lines_and_polygons.geojson", &vertices());
    // LineString 3 + Polygon 5 + 4 + MultiLineString 4 + MultiPolygon 8 + Point 1.
    assert_eq!(counters(&report), [25, 5, 5, 0, 0, 0]);
    let found = lon_lat_w(&points);
    assert!((found[3].0 - 0.0).abs() < 1e-9 && (found[4].0 - 10.0).abs() < 1e-4);
    assert!((found[24].0 - 50.0).abs() < 1e-4);
}

#[test]
fn null_and_missing_geometries() {
    let (points, report) = load("null_geometry.geojson", &mag());
    assert_points(&points, &[(1.0, 2.0, 2.0)]);
    assert_eq!(counters(&report), [1, 3, 1, 0, 0, 2]);
}

#[test]
fn positions_with_altitude_and_more() {
    let (points, report) = load("positions_3d_4d.geojson", &mag());
    assert_points(
        &points,
        &[
            (8.5417, 47.3769, 1.0),
            (7.4474, 46.948, 1.0),
            (6.1432, 46.2044, 1.0),
            (8.9511, 46.0037, 1.0),
        ],
    );
    assert_eq!(counters(&report), [4, 3, 3, 0, 0, 0]);
}

#[test]
fn byte_order_mark() {
    let (points, report) = load("bom.geojson", &mag());
    assert_points(&points, &[(-0.1276, 51.5072, 1.5)]);
    assert_eq!(report.bytes, valid_fixture("bom.geojson").len());
}

#[test]
fn foreign_members_everywhere() {
    let (points, report) = load("foreign_members.geojson", &mag());
    assert_points(
        &points,
        &[(1.0, 2.0, 2.5), (3.0, 4.0, 1.0), (5.0, 6.0, 1.0)],
    );
    assert_eq!(counters(&report), [3, 2, 2, 0, 0, 0]);
}

#[test]
fn members_in_any_order() {
    let (points, report) = load("unusual_order.geojson", &mag());
    assert_points(
        &points,
        &[
            (100.5, 13.75, 6.0),
            (101.5, 14.75, 6.0),
            (102.5, 15.75, 0.5),
            (103.5, 16.75, 1.0),
        ],
    );
    assert_eq!(counters(&report), [4, 3, 3, 0, 0, 0]);
    let (points, _) = load("unusual_order.geojson", &vertices());
    assert_eq!(points.len(), 6);
}

#[test]
fn weights_of_every_kind() {
    let (points, report) = load("weights.geojson", &mag());
    let weights: Vec<f32> = lon_lat_w(&points).into_iter().map(|p| p.2).collect();
    // int, float, missing, null, null properties, no properties, zero, exponent, escaped key.
    assert_eq!(weights, [3.0, 0.25, 1.0, 1.0, 1.0, 1.0, 0.0, 150.0, 12.0]);
    assert_eq!(counters(&report), [9, 9, 9, 0, 0, 0]);
    assert_eq!(points.total_weight(), 169.25);

    let half = IngestOptions {
        default_weight: 0.5,
        ..mag()
    };
    let (points, _) = load("weights.geojson", &half);
    let weights: Vec<f32> = lon_lat_w(&points).into_iter().map(|p| p.2).collect();
    assert_eq!(weights, [3.0, 0.25, 0.5, 0.5, 0.5, 0.5, 0.0, 150.0, 12.0]);

    let (points, _) = load("weights.geojson", &IngestOptions::default());
    assert!(
        points.as_slice().chunks(3).all(|p| p[2] == 1.0),
        "no weight property"
    );
}

#[test]
fn antimeridian_bounds_go_the_short_way() {
    let (_, report) = load("antimeridian.geojson", &mag());
    let bounds = report.bounds.expect("points");
    assert_eq!(
        bounds,
        LonLatBounds {
            west: 178.25,
            south: -18.0,
            east: -179.5,
            north: -16.5
        }
    );
    assert!(bounds.west > bounds.east);
}

#[test]
fn bounds_of_points_at_both_ends_of_the_antimeridian_hold_them() {
    let text = br#"{"type":"MultiPoint","coordinates":[[180,10],[-180,-10]]}"#;
    let (points, report) = ingest_geojson(text, &mag()).expect("valid");
    let expected = LonLatBounds {
        west: -180.0,
        south: -10.0,
        east: 180.0,
        north: 10.0,
    };
    assert_eq!(report.bounds, Some(expected));
    assert_eq!(points.bounds(), Some(expected));
}

#[test]
fn poles_are_accepted_and_clamped_by_the_projection() {
    let (points, report) = load("polar.geojson", &mag());
    assert_eq!(counters(&report), [3, 1, 1, 0, 0, 0]);
    let bounds = report.bounds.expect("points");
    assert_eq!((bounds.south, bounds.north), (-90.0, 90.0));
    let max = geoheat::geo::MAX_LATITUDE;
    assert!(lon_lat_w(&points).iter().all(|p| p.1.abs() <= max + 1e-9));
}

#[test]
fn invalid_default_weight_is_an_option_error() {
    let bad = IngestOptions {
        default_weight: -1.0,
        ..mag()
    };
    let err = ingest_geojson(&valid_fixture("point.geojson"), &bad).expect_err("negative");
    assert!(matches!(
        err,
        geoheat::Error::InvalidOption {
            option: "default_weight",
            ..
        }
    ));
}

#[test]
fn streaming_and_geojson_crate_paths_agree() {
    for name in FIXTURES {
        let bytes = valid_fixture(name);
        let text = std::str::from_utf8(&bytes).expect("UTF-8 fixture");
        // The geojson crate does not accept a byte order mark.
        let doc = geojson::GeoJson::from_str(text.trim_start_matches('\u{feff}'))
            .unwrap_or_else(|err| panic!("{name}: geojson crate: {err}"));
        let kept = IngestOptions {
            properties: vec!["mag".to_owned(), "depth".to_owned()],
            ..vertices()
        };
        for options in [mag(), vertices(), IngestOptions::default(), kept] {
            let (streamed, streamed_report) =
                ingest_geojson(&bytes, &options).unwrap_or_else(|err| panic!("{name}: {err}"));
            let (from_doc, doc_report) = PointBuffer::from_geojson(&doc, &options)
                .unwrap_or_else(|err| panic!("{name}: {err}"));
            assert_eq!(streamed.as_slice(), from_doc.as_slice(), "{name}");
            assert_eq!(streamed.origin(), from_doc.origin(), "{name}");
            assert_eq!(column_bits(&streamed), column_bits(&from_doc), "{name}");
            assert_eq!(counters(&streamed_report), counters(&doc_report), "{name}");
            assert_eq!(streamed_report.bounds, doc_report.bounds, "{name}");
            assert_eq!(doc_report.bytes, 0);
        }
    }
}

#[test]
fn geojson_crate_path_reports_problems_by_feature() {
    let text = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"mag": 1}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
        {"type": "Feature", "properties": {"mag": "abc"}, "geometry": {"type": "Point", "coordinates": [1, 2]}}
    ]}"#;
    let doc = geojson::GeoJson::from_str(text).expect("valid for the geojson crate");
    let err = PointBuffer::from_geojson(&doc, &mag()).expect_err("bad weight");
    assert_eq!(
        err,
        geoheat::Error::GeoJsonValue {
            problem: geoheat::GeoJsonProblem::NonNumericWeight {
                property: "mag".to_owned(),
                found: "the string \"abc\"".to_owned(),
            },
            feature_index: Some(1),
        }
    );
    // The geojson crate refuses short positions when parsing, but code can build them.
    let short = geojson::GeoJson::Geometry(geojson::Geometry::new(geojson::GeometryValue::Point {
        coordinates: geojson::Position::from(vec![1.0]),
    }));
    let err = PointBuffer::from_geojson(&short, &mag()).expect_err("short position");
    assert_eq!(
        err,
        geoheat::Error::GeoJsonValue {
            problem: geoheat::GeoJsonProblem::ShortPosition { len: 1 },
            feature_index: Some(0),
        }
    );
}

#[test]
fn progress_is_reported_about_every_megabyte() {
    let feature = r#"{"type": "Feature", "properties": {"mag": 1.5, "place": "somewhere near here"}, "geometry": {"type": "Point", "coordinates": [12.345678, -45.678901]}}"#;
    let count = 3 * (1 << 20) / feature.len() + 1;
    let mut text = String::from(r#"{"type": "FeatureCollection", "features": ["#);
    for i in 0..count {
        if i > 0 {
            text.push(',');
        }
        text.push_str(feature);
    }
    text.push_str("]}");
    let mut calls: Vec<IngestProgress> = Vec::new();
    let (points, _) = ingest_geojson_with_progress(text.as_bytes(), &mag(), &mut |p| calls.push(p))
        .expect("valid");
    assert_eq!(points.len(), count);
    assert!(calls.len() >= 4, "{calls:?}");
    assert!(
        calls
            .windows(2)
            .all(|w| w[0].bytes_read < w[1].bytes_read && w[0].features <= w[1].features)
    );
    assert!(calls.iter().all(|p| p.total_bytes == text.len()));
    let last = calls.last().expect("calls");
    assert_eq!((last.bytes_read, last.features), (text.len(), count));
    let first = calls[0];
    assert!(
        first.bytes_read >= 1 << 20 && first.bytes_read < (1 << 20) + feature.len(),
        "{first:?}"
    );
}

/// Each column's name, origin and values as bits (NaN, a missing value, equals itself).
fn column_bits(points: &PointBuffer) -> Vec<(String, u64, Vec<u32>)> {
    points
        .columns()
        .iter()
        .map(|c| {
            let bits = c.values().iter().map(|v| v.to_bits()).collect();
            (c.name().to_owned(), c.origin().to_bits(), bits)
        })
        .collect()
}

const TIMED: &str = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"mag": 2, "time": "2024-03-01T12:00:00.250Z", "depth": -1.5},
   "geometry": {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}},
  {"type": "Feature", "properties": {"time": 1709294400000},
   "geometry": {"type": "Point", "coordinates": [5, 6]}},
  {"type": "Feature", "properties": {"mag": null, "time": "2024-03-01T13:00:00+02:00"},
   "geometry": {"type": "Point", "coordinates": [7, 8]}}
]}"#;

#[test]
fn kept_properties_become_columns_with_times_relative_to_the_first() {
    let options = IngestOptions {
        properties: vec!["mag".to_owned(), "depth".to_owned()],
        time_property: Some("time".to_owned()),
        ..IngestOptions::default()
    };
    let (points, report) = ingest_geojson(TIMED.as_bytes(), &options).expect("valid");
    assert_eq!(report.bytes_per_point, 24, "x, y, w and three columns");
    let names: Vec<&str> = points.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["mag", "depth", "time"]);
    let value = |name: &str, i: usize| points.column(name).expect("kept").value(i);
    assert_eq!(
        (value("mag", 0), value("mag", 1)),
        (2.0, 2.0),
        "per feature"
    );
    assert!(
        value("mag", 2).is_nan() && value("mag", 3).is_nan(),
        "missing or null"
    );
    assert_eq!(value("depth", 0), -1.5);
    let time = points.column("time").expect("kept");
    assert_eq!(time.origin(), 1_709_294_400_250.0);
    assert_eq!(time.values(), [0.0, 0.0, -250.0, -3_600_250.0]);
    assert_eq!(value("time", 2), 1_709_294_400_000.0);
}

#[test]
fn bad_kept_values_are_coded_errors_or_skipped_by_the_policy() {
    let cases = [
        ("time", r#""2024-02-30""#, "GEOJSON_INVALID_TIME"),
        ("time", r#""2024-03-01T12:00""#, "GEOJSON_INVALID_TIME"),
        ("time", "9e15", "GEOJSON_INVALID_PROPERTY"),
        ("depth", "1e39", "GEOJSON_INVALID_PROPERTY"),
        ("depth", r#""deep""#, "GEOJSON_NON_NUMERIC_PROPERTY"),
        ("depth", "[1]", "GEOJSON_NON_NUMERIC_PROPERTY"),
    ];
    for (property, value, code) in cases {
        let text = format!(
            r#"{{"type": "FeatureCollection", "features": [
{{"type": "Feature", "properties": {{}}, "geometry": {{"type": "Point", "coordinates": [1, 2]}}}},
{{"type": "Feature", "properties": {{"{property}": {value}}}, "geometry": {{"type": "Point", "coordinates": [1, 2]}}}}]}}"#
        );
        let options = IngestOptions {
            properties: vec!["depth".to_owned()],
            time_property: Some("time".to_owned()),
            ..IngestOptions::default()
        };
        let err = ingest_geojson(text.as_bytes(), &options).expect_err(value);
        assert_eq!(err.code(), code, "{value}");
        let geoheat::Error::GeoJson { at, problem } = &err else {
            panic!("{err}");
        };
        assert_eq!(at.feature_index, Some(1), "{err}");
        assert_eq!(at.line, 3, "{err}");
        assert!(problem.to_string().contains(property), "{err}");
        let skip = IngestOptions {
            invalid_weight: geoheat::ingest::InvalidPolicy::Skip,
            ..options
        };
        let (points, report) = ingest_geojson(text.as_bytes(), &skip).expect("skipped");
        assert_eq!((points.len(), report.skipped_by_policy), (1, 1));
    }
}
