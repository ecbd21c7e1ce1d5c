//! Hostile and broken GeoJSON: every case must fail with its own problem, at the right place,
//! and never panic. Fixtures live in `tests/data/bad/` at the repository root.

use geoheat::ingest::{IngestOptions, InvalidPolicy, ingest_geojson};
use geoheat::{Error, GeoJsonProblem, PointBuffer, SourceLocation};

mod common;
use common::{mag, valid_fixture};

fn bad(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/data/bad/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn failure(bytes: &[u8], options: &IngestOptions) -> (GeoJsonProblem, SourceLocation) {
    match ingest_geojson(bytes, options) {
        Err(Error::GeoJson { problem, at }) => (problem, at),
        Err(other) => panic!("not a GeoJSON error: {other}"),
        Ok((_, report)) => panic!("loaded: {report:?}"),
    }
}

/// Asserts the problem and where it is: (line, column, byte offset, feature index).
#[track_caller]
fn assert_fails(
    bytes: &[u8],
    options: &IngestOptions,
    problem: GeoJsonProblem,
    (line, column, byte_offset, feature_index): (usize, usize, usize, Option<usize>),
) {
    let (found, at) = failure(bytes, options);
    assert_eq!(found, problem);
    assert_eq!(
        at,
        SourceLocation {
            byte_offset,
            line,
            column,
            feature_index
        }
    );
}

fn unexpected_geometry(found: &str) -> GeoJsonProblem {
    GeoJsonProblem::UnexpectedType {
        found: found.to_owned(),
        expected: "a geometry type: Point, MultiPoint, LineString, MultiLineString, Polygon, \
                   MultiPolygon or GeometryCollection",
    }
}

#[test]
fn invalid_utf8_inside_a_skipped_string() {
    let mut bytes = br#"{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"name": "caf"#
        .to_vec();
    let bad_at = bytes.len();
    bytes.extend_from_slice(b"\xe9\", \"mag\": 1}, \"geometry\": null}\n]}");
    assert_fails(
        &bytes,
        &mag(),
        GeoJsonProblem::InvalidUtf8,
        (2, 48, 91, None),
    );
    assert_eq!(bad_at, 91, "the bad byte follows \"caf\" on line 2");
}

#[test]
fn truncated_input() {
    assert_fails(
        &bad("truncated.geojson"),
        &mag(),
        GeoJsonProblem::Truncated,
        (2, 88, 131, Some(0)),
    );
}

#[test]
fn columns_start_at_one_after_a_newline() {
    // The parser stops at the start of a line: that is column 1, not 0.
    let text = b"{\"type\":\"Point\",\"coordinates\":[1,2]\n";
    assert_fails(text, &mag(), GeoJsonProblem::Truncated, (2, 1, 36, Some(0)));
    let text = b"{\"type\":\"FeatureCollection\",\n\n";
    assert_fails(text, &mag(), GeoJsonProblem::Truncated, (3, 1, 30, None));
    let text = b"\xef\xbb\xbf{\"type\":\"Point\",\r\n";
    assert_fails(text, &mag(), GeoJsonProblem::Truncated, (2, 1, 21, None));
}

#[test]
fn trailing_garbage() {
    assert_fails(
        &bad("trailing_garbage.geojson"),
        &mag(),
        GeoJsonProblem::TrailingCharacters,
        (2, 1, 41, None),
    );
}

#[test]
fn missing_comma_is_a_syntax_error() {
    assert_fails(
        &bad("missing_comma.geojson"),
        &mag(),
        GeoJsonProblem::Syntax("expected `,` or `]`".to_owned()),
        (3, 3, 140, Some(1)),
    );
}

#[test]
fn unknown_type() {
    assert_fails(
        &bad("unknown_type.geojson"),
        &mag(),
        unexpected_geometry("Pointy"),
        (3, 67, 211, Some(1)),
    );
}

#[test]
fn feature_where_a_geometry_belongs() {
    assert_fails(
        &bad("feature_as_geometry.geojson"),
        &mag(),
        unexpected_geometry("Feature"),
        (2, 68, 111, Some(0)),
    );
}

#[test]
fn geometry_where_a_feature_belongs() {
    assert_fails(
        &bad("geometry_in_features.geojson"),
        &mag(),
        GeoJsonProblem::UnexpectedType {
            found: "Point".to_owned(),
            expected: "Feature, as every element of \"features\" is a Feature",
        },
        (2, 16, 59, Some(0)),
    );
}

#[test]
fn missing_type() {
    // Reported at the closing brace of the geometry, once all its members have been seen.
    assert_fails(
        &bad("missing_type.geojson"),
        &mag(),
        GeoJsonProblem::MissingType,
        (4, 73, 318, Some(2)),
    );
}

#[test]
fn missing_coordinates() {
    assert_fails(
        &bad("missing_coordinates.geojson"),
        &mag(),
        GeoJsonProblem::MissingMember {
            member: "coordinates",
            of: "Point",
        },
        (3, 1, 20, Some(0)),
    );
}

#[test]
fn missing_features() {
    assert_fails(
        &bad("missing_features.geojson"),
        &mag(),
        GeoJsonProblem::MissingMember {
            member: "features",
            of: "FeatureCollection",
        },
        (1, 29, 28, None),
    );
}

#[test]
fn features_not_an_array() {
    assert_fails(
        &bad("features_not_array.geojson"),
        &mag(),
        GeoJsonProblem::InvalidMember {
            member: "features",
            reason: "found an object, expected an array of Feature objects".to_owned(),
        },
        (1, 42, 41, None),
    );
}

#[test]
fn coordinates_not_an_array() {
    assert_fails(
        &bad("coordinates_not_array.geojson"),
        &mag(),
        GeoJsonProblem::InvalidMember {
            member: "coordinates",
            reason: "found the string \"1, 2\", expected an array of numbers (a position) or of \
                     arrays"
                .to_owned(),
        },
        (1, 39, 38, Some(0)),
    );
}

#[test]
fn nan_is_not_json() {
    assert_fails(
        &bad("nan.geojson"),
        &mag(),
        GeoJsonProblem::Syntax("expected value".to_owned()),
        (2, 85, 128, Some(0)),
    );
}

#[test]
fn infinity_is_not_json() {
    assert_fails(
        &bad("infinity.geojson"),
        &mag(),
        GeoJsonProblem::Syntax("invalid number".to_owned()),
        (3, 89, 233, Some(1)),
    );
}

#[test]
fn number_out_of_range_in_coordinates() {
    assert_fails(
        &bad("number_out_of_range.geojson"),
        &mag(),
        GeoJsonProblem::NumberOutOfRange,
        (2, 102, 145, Some(0)),
    );
}

#[test]
fn number_out_of_range_in_the_weight() {
    let text = r#"{"type": "Feature", "properties": {"mag": 1e400}, "geometry": null}"#;
    assert_fails(
        text.as_bytes(),
        &mag(),
        GeoJsonProblem::NumberOutOfRange,
        (1, 47, 46, Some(0)),
    );
    assert_eq!(&text[42..47], "1e400");
}

#[test]
fn short_positions() {
    assert_fails(
        &bad("short_position.geojson"),
        &mag(),
        GeoJsonProblem::ShortPosition { len: 1 },
        (2, 100, 143, Some(0)),
    );
    assert_fails(
        br#"{"type": "Point", "coordinates": []}"#,
        &mag(),
        GeoJsonProblem::ShortPosition { len: 0 },
        (1, 36, 35, Some(0)),
    );
}

#[test]
fn coordinates_of_the_wrong_shape() {
    let reason = "a Point needs a single position [lon, lat], found an array of positions";
    assert_fails(
        &bad("point_with_multipoint_coordinates.geojson"),
        &mag(),
        GeoJsonProblem::InvalidMember {
            member: "coordinates",
            reason: reason.to_owned(),
        },
        (1, 50, 49, Some(0)),
    );
    let reason = "a MultiPoint needs an array of positions, found a single position [lon, lat]";
    assert_fails(
        &bad("multipoint_with_point_coordinates.geojson"),
        &mag(),
        GeoJsonProblem::InvalidMember {
            member: "coordinates",
            reason: reason.to_owned(),
        },
        (1, 45, 44, Some(0)),
    );
}

#[test]
fn coordinate_out_of_range() {
    let bytes = bad("out_of_range.geojson");
    assert_fails(
        &bytes,
        &mag(),
        GeoJsonProblem::CoordinateOutOfRange {
            lon: 200.0,
            lat: 10.0,
        },
        (3, 102, 246, Some(1)),
    );
    let skip = IngestOptions {
        out_of_range: InvalidPolicy::Skip,
        ..mag()
    };
    let (points, report) = ingest_geojson(&bytes, &skip).expect("skipped, not failed");
    assert_eq!(points.len(), 2);
    assert_eq!((report.features, report.skipped_by_policy), (3, 1));
    let latitude = br#"{"type": "Point", "coordinates": [0, -90.5]}"#;
    let (problem, _) = failure(latitude, &mag());
    assert_eq!(
        problem,
        GeoJsonProblem::CoordinateOutOfRange {
            lon: 0.0,
            lat: -90.5
        }
    );
}

#[test]
fn non_numeric_weights() {
    let found = |text: &str| GeoJsonProblem::NonNumericWeight {
        property: "mag".to_owned(),
        found: text.to_owned(),
    };
    assert_fails(
        &bad("weight_abc.geojson"),
        &mag(),
        found("the string \"abc\""),
        (3, 103, 247, Some(1)),
    );
    assert_fails(
        &bad("weight_true.geojson"),
        &mag(),
        found("the boolean true"),
        (2, 102, 145, Some(0)),
    );
}

#[test]
fn invalid_weights() {
    let invalid = |value: f64| GeoJsonProblem::InvalidWeight {
        property: "mag".to_owned(),
        value,
    };
    assert_fails(
        &bad("weight_negative.geojson"),
        &mag(),
        invalid(-0.5),
        (2, 102, 145, Some(0)),
    );
    assert_fails(
        &bad("weight_1e39.geojson"),
        &mag(),
        invalid(1e39),
        (4, 102, 347, Some(2)),
    );
    let (problem, _) = failure(&bad("weight_1e39.geojson"), &mag());
    assert!(problem.to_string().contains("is 1e39;"), "{problem}");
}

#[test]
fn skip_policy_for_weights() {
    let bytes = bad("weights_mixed.geojson");
    let skip = IngestOptions {
        invalid_weight: InvalidPolicy::Skip,
        ..mag()
    };
    let (points, report) = ingest_geojson(&bytes, &skip).expect("skipped, not failed");
    assert_eq!(points.len(), 2);
    let weights: Vec<f32> = points.as_slice().chunks(3).map(|p| p[2]).collect();
    assert_eq!(weights, [1.0, 2.0], "never silently 0");
    assert_eq!((report.features, report.skipped_by_policy), (5, 3));
    let (problem, at) = failure(&bytes, &mag());
    assert!(matches!(problem, GeoJsonProblem::NonNumericWeight { .. }));
    assert_eq!(at.feature_index, Some(1));
}

#[test]
fn deep_coordinates_are_too_deep() {
    let mut text = String::from(r#"{"type": "Point", "coordinates": "#);
    text.push_str(&"[".repeat(100_000));
    // The parser gives up at its recursion limit of 128 nested arrays and objects.
    assert_fails(
        text.as_bytes(),
        &mag(),
        GeoJsonProblem::TooDeep,
        (1, 160, 159, Some(0)),
    );
}

#[test]
fn deep_geometry_collections_are_too_deep() {
    let text = r#"{"type": "GeometryCollection", "geometries": ["#.repeat(100_000);
    let (problem, at) = failure(text.as_bytes(), &mag());
    assert_eq!(problem, GeoJsonProblem::TooDeep);
    assert_eq!(
        (at.line, at.byte_offset, at.feature_index),
        (1, 2943, Some(0))
    );
}

#[test]
fn deep_foreign_members_are_skipped_without_recursion() {
    let depth = 100_000;
    let text = format!(
        r#"{{"type": "Point", "coordinates": [1, 2], "x": {}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let (points, _) = ingest_geojson(text.as_bytes(), &mag()).expect("a foreign member");
    assert_eq!(points.len(), 1);
}

#[test]
fn a_deep_top_level_array_is_not_an_object() {
    assert_fails(
        "[".repeat(100_000).as_bytes(),
        &mag(),
        GeoJsonProblem::NotAnObject { found: "an array" },
        (1, 1, 0, None),
    );
}

#[test]
fn empty_input() {
    assert_fails(
        &bad("empty.geojson"),
        &mag(),
        GeoJsonProblem::Empty,
        (1, 1, 0, None),
    );
    assert_fails(b" \n\t", &mag(), GeoJsonProblem::Empty, (2, 2, 3, None));
    assert_fails(
        b"\xef\xbb\xbf",
        &mag(),
        GeoJsonProblem::Empty,
        (1, 4, 3, None),
    );
}

#[test]
fn top_level_not_an_object() {
    assert_fails(
        &bad("top_level_array.geojson"),
        &mag(),
        GeoJsonProblem::NotAnObject { found: "an array" },
        (2, 1, 3, None),
    );
    for (text, found) in [
        ("\"Point\"", "a string"),
        ("-1", "a number"),
        ("true", "a boolean"),
        ("null", "null"),
    ] {
        let (problem, _) = failure(text.as_bytes(), &mag());
        assert_eq!(problem, GeoJsonProblem::NotAnObject { found });
    }
    let (problem, _) = failure(b"nope", &mag());
    assert_eq!(problem, GeoJsonProblem::Syntax("expected ident".to_owned()));
}

#[test]
fn locations_count_a_byte_order_mark() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(br#"{"type": "Pointy", "coordinates": [1, 2]}"#);
    assert_fails(
        &bytes,
        &mag(),
        GeoJsonProblem::UnexpectedType {
            found: "Pointy".to_owned(),
            expected: "FeatureCollection, Feature or a geometry type",
        },
        (1, 20, 19, None),
    );
}

#[test]
fn features_before_a_type_that_is_not_a_collection() {
    let text = r#"{"features": [], "type": "Point", "coordinates": [1, 2]}"#;
    let (problem, _) = failure(text.as_bytes(), &mag());
    assert_eq!(
        problem,
        GeoJsonProblem::InvalidMember {
            member: "features",
            reason: "a Point cannot have features".to_owned(),
        }
    );
}

#[test]
fn a_failed_load_leaves_an_earlier_buffer_alone() {
    let (a, report_a) =
        ingest_geojson(&valid_fixture("feature_collection.geojson"), &mag()).expect("valid");
    let (before, origin, revision) = (a.as_slice().to_vec(), a.origin(), a.revision());
    let mut current: PointBuffer = a;
    match ingest_geojson(&bad("weight_abc.geojson"), &mag()) {
        Ok((b, _)) => current = b,
        Err(err) => assert!(matches!(err, Error::GeoJson { .. })),
    }
    assert_eq!(current.as_slice(), before.as_slice());
    assert_eq!(current.origin(), origin);
    assert_eq!(current.revision(), revision);
    assert_eq!(current.len(), report_a.points);
}

#[test]
fn every_truncation_of_a_valid_file_fails_cleanly() {
    for name in [
        "foreign_members.geojson",
        "unusual_order.geojson",
        "bom.geojson",
    ] {
        let bytes = valid_fixture(name);
        let last_brace = bytes.iter().rposition(|&b| b == b'}').expect("an object");
        for len in 0..=last_brace {
            // A cut inside the byte order mark leaves bytes that are not UTF-8: also an error.
            assert!(
                ingest_geojson(&bytes[..len], &mag()).is_err(),
                "{name} cut to {len} bytes loaded"
            );
        }
        assert!(ingest_geojson(&bytes[..=last_brace], &mag()).is_ok());
    }
}

#[test]
fn random_byte_changes_never_panic() {
    // A fixed-seed LCG keeps the cases the same from run to run.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let bytes = valid_fixture("foreign_members.geojson");
    let alphabet = b"{}[],:\"0123456789-.eE \n\\nulltruefalse\xff";
    let (mut loaded, mut failed) = (0, 0);
    for _ in 0..3000 {
        let mut mutated = bytes.clone();
        for _ in 0..1 + next() % 3 {
            let at = next() % mutated.len();
            mutated[at] = alphabet[next() % alphabet.len()];
        }
        match ingest_geojson(&mutated, &mag()) {
            Ok(_) => loaded += 1,
            Err(err) => {
                assert!(matches!(err, Error::GeoJson { .. }));
                failed += 1;
            }
        }
    }
    assert!(failed > 1000, "{failed} failed, {loaded} loaded");
}

/// Asserts that `text` fails with a duplicate `member` located at the closing quote of
/// occurrence `nth` (from 0) of `name` (quoted, as written in the text), on line 1.
#[track_caller]
fn assert_duplicate(
    text: &str,
    member: &'static str,
    (name, nth): (&str, usize),
    feature_index: Option<usize>,
) {
    let (start, _) = text
        .match_indices(name)
        .nth(nth)
        .expect("the name is in the text");
    let at = start + name.len() - 1;
    assert_fails(
        text.as_bytes(),
        &mag(),
        GeoJsonProblem::DuplicateMember { member },
        (1, at + 1, at, feature_index),
    );
}

#[test]
fn duplicate_members_are_refused_whatever_their_order() {
    let g = r#"{"type":"Point","coordinates":[1,2]}"#;
    let p = format!(r#"{{"type":"Feature","geometry":{g}}}"#);
    // A second `type` used to decide alone whether the features counted.
    let text = format!(r#"{{"type":"FeatureCollection","type":"Feature","features":[{p}]}}"#);
    assert_duplicate(&text, "type", (r#""type""#, 1), None);
    let text = format!(r#"{{"type":"Point","geometry":{g},"type":"Feature"}}"#);
    assert_duplicate(&text, "type", (r#""type""#, 2), None);
    let text = format!(r#"{{"geometry":{g},"type":"Point","type":"Feature"}}"#);
    assert_duplicate(&text, "type", (r#""type""#, 2), Some(0));
    // The first value, though of the wrong shape, used to be dropped silently.
    let text = r#"{"type":"Point","coordinates":[[1,2]],"coordinates":[1,2]}"#;
    assert_duplicate(text, "coordinates", (r#""coordinates""#, 1), Some(0));
    let text = format!(r#"{{"type":"FeatureCollection","features":[{p}],"features":[{p}]}}"#);
    assert_duplicate(&text, "features", (r#""features""#, 1), None);
    let text = format!(
        r#"{{"type":"FeatureCollection","features":[{p},{{"type":"Feature","geometry":{g},"geometry":null}}]}}"#
    );
    assert_duplicate(&text, "geometry", (r#""geometry""#, 2), Some(1));
    let text = format!(
        r#"{{"type":"Feature","properties":{{"mag":1}},"geometry":{g},"properties":null}}"#
    );
    assert_duplicate(&text, "properties", (r#""properties""#, 1), Some(0));
    let text = format!(r#"{{"type":"GeometryCollection","geometries":[],"geometries":[{g}]}}"#);
    assert_duplicate(&text, "geometries", (r#""geometries""#, 1), Some(0));
    let text = r#"{"type":"Point","coordinates":[1,2],"typ\u0065":"Point"}"#;
    assert_duplicate(text, "type", (r#""typ\u0065""#, 0), Some(0));
}

#[test]
fn duplicate_foreign_members_are_skipped() {
    let text =
        r#"{"type":"Point","bbox":[0,0,1,1],"coordinates":[1,2],"bbox":[0,0,1,1],"x":1,"x":2}"#;
    let (points, _) =
        ingest_geojson(text.as_bytes(), &mag()).expect("foreign members are not read");
    assert_eq!(points.len(), 1);
}

#[test]
fn a_repeated_weight_property_is_refused() {
    let g = r#"{"type":"Point","coordinates":[1,2]}"#;
    // The second value used to win silently, whether or not the first was a valid weight.
    for props in [r#"{"mag":1,"mag":2}"#, r#"{"mag":"x","n":0,"mag":2}"#] {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{props},"geometry":{g}}}]}}"#
        );
        let at = text.rfind(r#""mag""#).expect("a weight") + 4;
        assert_fails(
            text.as_bytes(),
            &mag(),
            GeoJsonProblem::DuplicateProperty {
                property: "mag".to_owned(),
            },
            (1, at + 1, at, Some(0)),
        );
        let (found, _) = failure(text.as_bytes(), &mag());
        assert_eq!(found.code(), "GEOJSON_DUPLICATE_MEMBER");
        // Only the weight property is read: without one, or repeating another, it loads.
        let (points, _) = ingest_geojson(text.as_bytes(), &IngestOptions::default())
            .expect("no weight property is read");
        assert_eq!(points.len(), 1);
    }
    let text =
        format!(r#"{{"type":"Feature","properties":{{"n":1,"n":2,"mag":3}},"geometry":{g}}}"#);
    let (points, _) = ingest_geojson(text.as_bytes(), &mag()).expect("`n` is not read");
    assert_eq!(points.len(), 1);
    // A kept property is read too, so it may not repeat either.
    let keep_n = IngestOptions {
        properties: vec!["n".to_owned()],
        ..IngestOptions::default()
    };
    let at = text.rfind(r#""n""#).expect("a kept property") + 2;
    assert_fails(
        text.as_bytes(),
        &keep_n,
        GeoJsonProblem::DuplicateProperty {
            property: "n".to_owned(),
        },
        (1, at + 1, at, Some(0)),
    );
}

#[test]
fn a_load_past_max_points_fails_before_storing_them() {
    let point = |x: u8| {
        format!(r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{x},1]}}}}"#)
    };
    let pair = r#"{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}}"#;
    let far = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[500,1]}}"#;
    let text = format!(
        r#"{{"type":"FeatureCollection","features":[{pair},{},{far},{}]}}"#,
        point(5),
        point(6)
    );
    let limit = |max_points| IngestOptions {
        max_points,
        out_of_range: InvalidPolicy::Skip,
        ..mag()
    };
    // The fourth point is in feature 3; a skipped feature makes none.
    let at = text.len() - 3;
    assert_fails(
        text.as_bytes(),
        &limit(3),
        GeoJsonProblem::TooManyPoints { limit: 3 },
        (1, at + 1, at, Some(3)),
    );
    let (found, _) = failure(text.as_bytes(), &limit(3));
    assert_eq!(found.code(), "GEOJSON_TOO_MANY_POINTS");
    let (points, report) = ingest_geojson(text.as_bytes(), &limit(4)).expect("four points fit");
    assert_eq!((points.len(), report.skipped_by_policy), (4, 1));
    // Past the limit within one feature: the two points of feature 0 are not stored either.
    let (found, at) = failure(text.as_bytes(), &limit(1));
    assert_eq!(
        (found, at.feature_index),
        (GeoJsonProblem::TooManyPoints { limit: 1 }, Some(0))
    );
}
