//! `ChunkedIngest` against the one-shot `ingest_geojson`: for every fixture, the hostile cases
//! and generated FeatureCollections, feeding the bytes in pieces of any size gives exactly the
//! one-shot result, or the same error at the same place. Also checks that memory stays bounded.

use geoheat::ingest::{
    ChunkedIngest, IngestOptions, IngestReport, InvalidPolicy, LineAndPolygonPolicy, ingest_geojson,
};
use geoheat::{Error, GeoJsonProblem};
use proptest::prelude::*;
use std::fmt::Write;
use std::time::Duration;

mod common;
use common::mag;

/// Piece sizes every case is fed in; `usize::MAX` is all at once.
const SIZES: &[usize] = &[1, 2, 3, 7, 64, usize::MAX];

/// What a load gives, with the wall time left out.
#[derive(Debug, PartialEq)]
enum Outcome {
    Loaded {
        xyw: Vec<f32>,
        origin: [f64; 2],
        /// Each kept column's name, origin and values, as bits (NaN marks a missing value).
        columns: Vec<(String, u64, Vec<u32>)>,
        report: IngestReport,
    },
    Failed(Error),
}

fn outcome(result: geoheat::Result<(geoheat::PointBuffer, IngestReport)>) -> Outcome {
    match result {
        Ok((points, report)) => {
            assert_eq!(report.bounds, points.bounds());
            Outcome::Loaded {
                xyw: points.as_slice().to_vec(),
                origin: points.origin(),
                columns: points
                    .columns()
                    .iter()
                    .map(|c| {
                        let bits = c.values().iter().map(|v| v.to_bits()).collect();
                        (c.name().to_owned(), c.origin().to_bits(), bits)
                    })
                    .collect(),
                report: IngestReport {
                    elapsed: Duration::ZERO,
                    ..report
                },
            }
        }
        Err(err) => Outcome::Failed(err),
    }
}

/// Feeds `bytes` in pieces of the given sizes (cycled) and finishes.
fn chunked(bytes: &[u8], options: &IngestOptions, sizes: &[usize]) -> Outcome {
    chunked_with(bytes, options, sizes, |_| {})
}

/// [`chunked`], with `setup` applied to the load first.
fn chunked_with(
    bytes: &[u8],
    options: &IngestOptions,
    sizes: &[usize],
    setup: impl Fn(&mut ChunkedIngest),
) -> Outcome {
    let mut ingest = match ChunkedIngest::new(options) {
        Ok(ingest) => ingest,
        Err(err) => return Outcome::Failed(err),
    };
    setup(&mut ingest);
    let mut rest = bytes;
    let mut first_error = None;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at(size.clamp(1, rest.len()));
        rest = tail;
        match ingest.push(piece) {
            Ok(()) => {
                assert!(first_error.is_none(), "a push after an error succeeded");
                assert_eq!(ingest.bytes_pushed(), bytes.len() - rest.len());
            }
            Err(err) => {
                // Every later push returns the same error.
                if let Some(first) = &first_error {
                    assert_eq!(&err, first);
                }
                first_error.get_or_insert(err);
            }
        }
    }
    let finished = outcome(ingest.finish());
    if let Some(err) = first_error {
        assert_eq!(
            finished,
            Outcome::Failed(err.clone()),
            "finish after a failed push"
        );
    }
    finished
}

/// Asserts that every piece size gives the one-shot outcome.
#[track_caller]
fn assert_same(name: &str, bytes: &[u8], options: &IngestOptions) {
    let expected = outcome(ingest_geojson(bytes, options));
    for &size in SIZES {
        let found = chunked(bytes, options, &[size]);
        assert_eq!(found, expected, "{name} in pieces of {size}");
    }
}

/// Option sets that take different paths through the rules.
fn option_sets() -> Vec<IngestOptions> {
    vec![
        mag(),
        IngestOptions::default(),
        IngestOptions {
            invalid_weight: InvalidPolicy::Skip,
            out_of_range: InvalidPolicy::Skip,
            lines_and_polygons: LineAndPolygonPolicy::Vertices,
            ..mag()
        },
        columns(),
    ]
}

/// Keeps `mag` and `depth` as columns and reads `time` as a time, besides weighting by `mag`.
fn columns() -> IngestOptions {
    IngestOptions {
        properties: vec!["depth".to_owned(), "mag".to_owned()],
        time_property: Some("time".to_owned()),
        ..mag()
    }
}

fn fixtures(dir: &str) -> Vec<(String, Vec<u8>)> {
    let path = format!("{}/../tests/data/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&path)
        .unwrap_or_else(|err| panic!("{path}: {err}"))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file).unwrap_or_else(|err| panic!("{file:?}: {err}"));
            (file.display().to_string(), bytes)
        })
        .collect()
}

#[test]
fn every_valid_fixture() {
    let files = fixtures("valid");
    assert!(files.len() >= 15);
    for (name, bytes) in &files {
        for options in option_sets() {
            assert_same(name, bytes, &options);
        }
    }
}

#[test]
fn every_bad_fixture() {
    let files = fixtures("bad");
    assert!(files.len() >= 25);
    for (name, bytes) in &files {
        for options in option_sets() {
            assert_same(name, bytes, &options);
        }
    }
}

/// The generated cases of `ingest_hostile.rs`, and more that stress the chunked scanner.
fn hostile_cases() -> Vec<(&'static str, Vec<u8>)> {
    let mut cases: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let mut utf8 = br#"{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"name": "caf"#
        .to_vec();
    utf8.extend_from_slice(b"\xe9\", \"mag\": 1}, \"geometry\": null}\n]}");
    cases.push(("invalid utf-8 in a skipped string", utf8));
    let split = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \
                 \"properties\": {\"name\": \"日本 ünïcödé 🌍\"}, \"geometry\": {\"type\": \"Point\", \
                 \"coordinates\": [1, 2]}}]}";
    cases.push(("multi-byte UTF-8", split.as_bytes().to_vec()));
    let mut bad_tail = split.as_bytes().to_vec();
    bad_tail.truncate(bad_tail.len() - 1);
    bad_tail.extend_from_slice(b"\xf0\x9f");
    cases.push(("a cut UTF-8 sequence at the end", bad_tail));
    let mut surrogate = br#"{"type": "FeatureCollection", "features": [], "x": ""#.to_vec();
    surrogate.extend_from_slice(b"\xed\xa0\x80\"}");
    cases.push(("an encoded surrogate", surrogate));
    for (name, text) in [
        (
            "weight out of range",
            r#"{"type": "Feature", "properties": {"mag": 1e400}, "geometry": null}"#,
        ),
        ("empty point", r#"{"type": "Point", "coordinates": []}"#),
        ("empty", ""),
        ("blank", " \n\t"),
        ("only a BOM", "\u{feff}"),
        ("a string", "\"Point\""),
        ("a number", "-1"),
        ("true", "true"),
        ("null", "null"),
        ("not JSON", "nope"),
        (
            "BOM and bad type",
            "\u{feff}{\"type\": \"Pointy\", \"coordinates\": [1, 2]}",
        ),
        (
            "features before a Point type",
            r#"{"features": [], "type": "Point", "coordinates": [1, 2]}"#,
        ),
        (
            "streamed features before a Point type",
            "{\"features\": [{\"type\": \"Feature\", \"geometry\": null}],\n \"type\": \"Point\", \
             \"coordinates\": [1, 2]}",
        ),
        (
            "features after a Point type are foreign",
            r#"{"type": "Point", "features": [1, {"x": [}], "coordinates": [1, 2]}"#,
        ),
        (
            "type after features",
            "{\"features\": [\n{\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \
             \"coordinates\": [3, 4]}}\n], \"bbox\": [1, 2, 3, 4], \"type\": \"FeatureCollection\"}",
        ),
        (
            "missing type after features",
            "{\"features\": [\n{\"type\": \"Feature\", \"geometry\": null}\n],\n \"x\": {}}",
        ),
        (
            "bad type after features",
            "{\"features\": [\n{\"type\": \"Feature\", \"geometry\": null}\n],\n \"type\": 5}",
        ),
        (
            "syntax error after features",
            "{\"type\": \"FeatureCollection\", \"features\": [\n{\"type\": \"Feature\", \
             \"geometry\": null}],\n \"x\": [1,, 2]}",
        ),
        (
            "two features members",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}], "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [5, 6]}}, {"type": "Feature", "geometry": null}]}"#,
        ),
        (
            "escaped features key",
            r#"{"type": "FeatureCollection", "f\u0065atures": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}]}"#,
        ),
        (
            "trailing comma",
            "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \
             \"geometry\": null},\n ]}",
        ),
        (
            "leading comma",
            r#"{"type": "FeatureCollection", "features": [ , {"type": "Feature", "geometry": null}]}"#,
        ),
        (
            "double comma",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null},,]}"#,
        ),
        (
            "features closed by a brace",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}}"#,
        ),
        (
            "mismatched bracket in a feature",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "x": [1}, "geometry": null}]}"#,
        ),
        (
            "missing comma between features",
            "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \
             \"geometry\": null}\n {\"type\": \"Feature\", \"geometry\": null}]}",
        ),
        (
            "a number where a feature belongs",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}, 12.5e]}"#,
        ),
        (
            "a truncated literal",
            r#"{"type": "FeatureCollection", "features": [tru]}"#,
        ),
        (
            "truncated in features",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}, "#,
        ),
        (
            "truncated after features",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}] "#,
        ),
        (
            "trailing garbage",
            "{\"type\": \"FeatureCollection\", \"features\": []}\n{\"features\": [1]}",
        ),
        (
            "escapes in strings",
            r#"{"type": "FeatureCollection", "x\"": "]\\", "features": [{"type": "Feature", "properties": {"n\"": "a\\\"],{", "mag": 2}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}"#,
        ),
        (
            "a raw newline in a string",
            "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"p\": \
             \"a\nb\", \"geometry\": null}]}",
        ),
        (
            "a bad escape",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "p": "\x", "geometry": null}]}"#,
        ),
        (
            "a geometry where a feature belongs",
            r#"{"type": "FeatureCollection", "features": [{"type": "Point", "coordinates": [1, 2]}]}"#,
        ),
        (
            "a bad type before features",
            r#"{"type": "Pointy", "features": [{"type": "Feature", "geometry": null}]}"#,
        ),
        (
            "a bad feature after a bad bbox",
            "{\"bbox\": [1, 2, 3,, 4],\n\"features\": [{\"type\": \"Feature\", \"geometry\": 5}]}",
        ),
    ] {
        cases.push((name, text.as_bytes().to_vec()));
    }
    let deep = format!(
        r#"{{"type": "Point", "coordinates": {}"#,
        "[".repeat(100_000)
    );
    cases.push(("deep coordinates", deep.into_bytes()));
    cases.push((
        "deep geometry collections",
        r#"{"type": "GeometryCollection", "geometries": ["#
            .repeat(20_000)
            .into_bytes(),
    ));
    cases.push((
        "a deep foreign member of a geometry",
        format!(
            r#"{{"type": "Point", "coordinates": [1, 2], "x": {}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
        .into_bytes(),
    ));
    cases.push(("a deep top-level array", "[".repeat(100_000).into_bytes()));
    for (name, member) in [
        (
            "a deep foreign member of the collection",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        ),
        (
            "a deep foreign member of the collection, unclosed",
            "[".repeat(100_000),
        ),
        (
            "a deep foreign member of a feature",
            format!(
                "[{{\"type\": \"Feature\", \"geometry\": null, \"x\": {}{}}}]",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "deep coordinates in a feature",
            format!(
                "[{{\"type\": \"Feature\", \"geometry\": {{\"type\": \"Point\", \"coordinates\": {}",
                "[".repeat(100_000)
            ),
        ),
    ] {
        let text = format!(
            r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature", "geometry": null}}], "x": {member}, "features": []}}"#
        );
        cases.push((name, text.into_bytes()));
    }
    cases
}

/// Trial parses of what a load holds (see `a_top_level_that_is_not_an_object_fails_at_once`)
/// normally start at 64 KiB; from the first byte on, every case still reads as one-shot.
#[test]
fn trial_parses_from_the_first_byte_change_nothing() {
    let mut cases = fixtures("valid");
    cases.extend(fixtures("bad"));
    cases.extend(
        hostile_cases()
            .into_iter()
            .map(|(name, bytes)| (name.to_owned(), bytes)),
    );
    for (name, bytes) in &cases {
        for options in option_sets() {
            let expected = outcome(ingest_geojson(bytes, &options));
            for &size in SIZES {
                for first in [1, 5] {
                    let found = chunked_with(bytes, &options, &[size], |ingest| {
                        ingest.set_first_trial(first);
                    });
                    assert_eq!(
                        found, expected,
                        "{name} in pieces of {size}, trials from {first}"
                    );
                }
            }
        }
    }
}

#[test]
fn hostile_cases_fail_alike() {
    for (name, bytes) in hostile_cases() {
        let sizes: &[usize] = if bytes.len() > 10_000 {
            &[1, 7, 4096, usize::MAX]
        } else {
            SIZES
        };
        let expected = outcome(ingest_geojson(&bytes, &mag()));
        for &size in sizes {
            assert_eq!(
                chunked(&bytes, &mag(), &[size]),
                expected,
                "{name} in pieces of {size}"
            );
        }
    }
}

#[test]
fn every_truncation_fails_alike() {
    for (name, bytes) in fixtures("valid") {
        for len in 0..bytes.len() {
            let cut = &bytes[..len];
            let expected = outcome(ingest_geojson(cut, &mag()));
            for size in [1, 5, usize::MAX] {
                assert_eq!(
                    chunked(cut, &mag(), &[size]),
                    expected,
                    "{name} cut to {len} in pieces of {size}"
                );
            }
        }
    }
}

#[test]
fn random_byte_changes_fail_alike() {
    // A fixed-seed LCG keeps the cases the same from run to run.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let alphabet = b"{}[],:\"0123456789-.eE \n\\nulltruefalse";
    for name in [
        "foreign_members.geojson",
        "unusual_order.geojson",
        "weights.geojson",
    ] {
        let path = format!("{}/../tests/data/valid/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).expect("a fixture");
        for _ in 0..1000 {
            let mut mutated = bytes.clone();
            for _ in 0..1 + next() % 3 {
                let at = next() % mutated.len();
                mutated[at] = alphabet[next() % alphabet.len()];
            }
            let expected = outcome(ingest_geojson(&mutated, &mag()));
            let size = 1 + next() % 40;
            assert_eq!(
                chunked(&mutated, &mag(), &[size]),
                expected,
                "{} in pieces of {size}",
                String::from_utf8_lossy(&mutated)
            );
        }
    }
}

#[test]
fn invalid_options_are_refused() {
    let options = IngestOptions {
        default_weight: -1.0,
        ..IngestOptions::default()
    };
    assert!(matches!(
        ChunkedIngest::new(&options),
        Err(Error::InvalidOption { .. })
    ));
}

#[test]
fn progress_counts_features_as_they_arrive() {
    let text = catalogue(100);
    let mut ingest = ChunkedIngest::new(&mag()).expect("valid options");
    let half = text.len() / 2;
    ingest.push(&text.as_bytes()[..half]).expect("valid so far");
    let read = ingest.features_read();
    assert!(
        (40..=50).contains(&read),
        "{read} features read at half way"
    );
    assert_eq!(ingest.bytes_pushed(), half);
    ingest.push(&text.as_bytes()[half..]).expect("valid");
    assert_eq!(ingest.features_read(), 100);
    let (points, report) = ingest.finish().expect("valid");
    assert_eq!((points.len(), report.bytes), (100, text.len()));
}

#[test]
fn memory_stays_bounded() {
    let text = catalogue(120_000);
    assert!(text.len() > 20_000_000, "{} bytes", text.len());
    let mut ingest = ChunkedIngest::new(&mag()).expect("valid options");
    let mut most = 0;
    for chunk in text.as_bytes().chunks(64 * 1024) {
        ingest.push(chunk).expect("valid");
        most = most.max(ingest.buffer_capacity());
        assert!(ingest.buffered_bytes() < 1024, "{ingest:?}");
    }
    // About one feature and the skeleton, however large the file.
    assert!(most < 4096, "buffers grew to {most} bytes");
    let (points, report) = ingest.finish().expect("valid");
    assert_eq!(points.len(), 120_000);
    assert_eq!(report.bytes, text.len());
}

/// A FeatureCollection of `features` points with weights, names and a foreign member each,
/// about 180 bytes a feature.
fn catalogue(features: usize) -> String {
    let mut out = String::from(
        r#"{"type":"FeatureCollection","metadata":{"title":"test","count":[1,[2,[3]]]},"features":["#,
    );
    for i in 0..features {
        if i > 0 {
            out.push(',');
        }
        let lon = (i % 360) as f64 - 179.5;
        let lat = (i % 170) as f64 - 84.5;
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            r#"{{"type":"Feature","properties":{{"mag":{}.25,"place":"{} km \"N\" of Ørsted"}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}},"id":"ev{i:07}","extra":{{"a":[[1],[2]]}}}}"#,
            i % 7,
            i % 100
        );
    }
    out.push_str("]}");
    out
}

/// One generated feature: position, weight (or none, or a bad one), a name, a nested foreign
/// member.
fn feature_strategy() -> impl Strategy<Value = String> {
    (
        -180.0..180.0f64,
        -90.0..90.0f64,
        prop_oneof![
            Just("null".to_owned()),
            (0.0..100.0f64).prop_map(|w| format!("{w}")),
            Just("\"heavy\"".to_owned()),
            Just("-1".to_owned()),
        ],
        "[a-z\u{e9}\u{65e5}\u{1f30d}\"\\\\/\n\t,:\\[\\]{}]{0,12}",
        0..6usize,
        prop::bool::ANY,
        prop_oneof![
            Just("null".to_owned()),
            (-1e13..1e13f64).prop_map(|t| format!("{t}")),
            Just("\"2024-02-29T23:59:59.125+05:30\"".to_owned()),
            Just("\"1969-07-20\"".to_owned()),
            Just("\"2024-02-30\"".to_owned()),
            Just("[1]".to_owned()),
        ],
    )
        .prop_map(|(lon, lat, weight, name, depth, multi, time)| {
            let name = serde_json::to_string(&name).expect("a string serialises");
            let foreign = format!("{}1{}", "[{\"k\":".repeat(depth), "}]".repeat(depth));
            let geometry = if multi {
                format!(r#"{{"type": "MultiPoint", "coordinates": [[{lon}, {lat}, 7], [{lat}, {lat}]]}}"#)
            } else {
                format!(r#"{{"coordinates": [{lon}, {lat}], "type": "Point"}}"#)
            };
            format!(
                "{{\"properties\": {{\"name\": {name}, \"mag\": {weight}, \"time\": {time}}},\n \"x\": {foreign}, \
                 \"geometry\": {geometry}, \"type\": \"Feature\"}}"
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_collections_in_random_pieces(
        features in prop::collection::vec(feature_strategy(), 0..12),
        type_last in prop::bool::ANY,
        sizes in prop::collection::vec(1..40usize, 1..8),
        skip in prop::bool::ANY,
        keep in prop::bool::ANY,
    ) {
        let body = features.join(",\n  ");
        let text = if type_last {
            format!("\u{feff}{{\"features\": [\n  {body}\n], \"bbox\": [0, 0, 1, 1],\n \"type\": \"FeatureCollection\"}}\n")
        } else {
            format!("{{\"type\": \"FeatureCollection\", \"x\": {{\"features\": [1]}}, \"features\": [{body}]}}")
        };
        let options = IngestOptions {
            invalid_weight: if skip { InvalidPolicy::Skip } else { InvalidPolicy::Error },
            ..if keep { columns() } else { mag() }
        };
        let expected = outcome(ingest_geojson(text.as_bytes(), &options));
        prop_assert_eq!(chunked(text.as_bytes(), &options, &sizes), expected);
    }
}

#[test]
fn an_error_is_sticky() {
    let text =
        br#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": 5}]}"#;
    let mut ingest = ChunkedIngest::new(&mag()).expect("valid options");
    let err = ingest.push(text).expect_err("a bad geometry");
    assert!(matches!(
        &err,
        Error::GeoJson {
            problem: GeoJsonProblem::InvalidMember {
                member: "geometry",
                ..
            },
            ..
        }
    ));
    assert_eq!(ingest.push(b"more").expect_err("still failed"), err);
    assert_eq!(ingest.finish().expect_err("still failed"), err);
}

/// A root object whose members after the first `features` array each end in `[`: `members`
/// repeated `n` times. Each used to make the chunked load parse all the document kept so far.
fn repeated_members(member: &str, n: usize) -> Vec<u8> {
    let mut text = String::from(r#"{"type":"FeatureCollection","features":[]"#);
    for _ in 0..n {
        text.push_str(member);
    }
    text.push('}');
    text.into_bytes()
}

/// Bytes a chunked load of `bytes`, in pieces of `size`, parses a second time, and its outcome.
fn reread(bytes: &[u8], options: &IngestOptions, size: usize) -> (usize, Outcome) {
    let mut ingest = ChunkedIngest::new(options).expect("valid options");
    for piece in bytes.chunks(size) {
        if ingest.push(piece).is_err() {
            break;
        }
    }
    let reread = ingest.bytes_reread();
    (reread, outcome(ingest.finish()))
}

/// Work, not time: each such member used to make the chunked load parse all of the document
/// kept so far again (40,000 took over a minute against 2 ms one-shot). The bytes parsed a
/// second time must grow with the input, not with its square, at 5,000 and 20,000 members.
#[test]
fn many_array_members_take_linear_work() {
    let options = mag();
    for member in [
        r#","features":[]"#,
        r#","a\u0062":[]"#,
        r#","f\"":[1]"#,
        r#","fe\u0061tures":[]"#,
    ] {
        let small = repeated_members(member, 5_000);
        let large = repeated_members(member, 20_000);
        for bytes in [&small, &large] {
            let expected = outcome(ingest_geojson(bytes, &options));
            for size in [1, 4096] {
                let (reread, found) = reread(bytes, &options, size);
                assert_eq!(found, expected, "{member} in pieces of {size}");
                // At most twice per byte at any size (trial parses of a growing skeleton
                // double), where a parse of all so far per member is thousands per byte here.
                assert!(
                    reread <= 2 * bytes.len(),
                    "{member} in pieces of {size}: {reread} bytes reread of {}",
                    bytes.len()
                );
            }
        }
    }
}

#[test]
fn members_between_features_arrays_are_read_alike() {
    let point = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}"#;
    for text in [
        format!(
            r#"{{"type":"FeatureCollection","features":[{point}],"features":[{point},{point}]}}"#
        ),
        format!(r#"{{"features":[{point}],"type":"FeatureCollection","features":[{point}]}}"#),
        format!(r#"{{"features":[],"type":"Point","features":[{point}],"coordinates":[1,2]}}"#),
        format!(r#"{{"features":[{point}],"coordinates":"x","features":[{point}]}}"#),
        format!(r#"{{"features":[{point}],"bbox":[1,2,],"features":[{point}]}}"#),
        format!(r#"{{"features":[{point}],"type":"Feature","f\u0065atures":[{point}]}}"#),
        format!(r#"{{"features":[{point}],"x":1,"f\x":[{point}]}}"#),
        format!(
            "{{\"features\":[{point}],\n\"type\":\"FeatureCollection\",\n\"features\":[{point}]}}"
        ),
    ] {
        for options in option_sets() {
            assert_same(&text, text.as_bytes(), &options);
        }
    }
}

#[test]
fn columns_start_at_one_after_a_newline() {
    let point = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}"#;
    for text in [
        "{\"type\":\"Point\",\"coordinates\":[1,2]\n".to_owned(),
        format!("{{\"type\":\"FeatureCollection\",\"features\":[{point},\n"),
        format!("{{\"type\":\"FeatureCollection\",\"features\":[{point}\n"),
        format!("{{\"type\":\"FeatureCollection\",\"features\":[{point}]\n"),
        format!("\u{feff}{{\"features\":[{point}],\n"),
    ] {
        assert_same(&text, text.as_bytes(), &mag());
        for &size in SIZES {
            match chunked(text.as_bytes(), &mag(), &[size]) {
                Outcome::Failed(Error::GeoJson { at, .. }) => {
                    assert_eq!((at.line, at.column), (2, 1), "{text:?} in pieces of {size}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn duplicate_members_fail_alike() {
    let g = r#"{"type":"Point","coordinates":[1,2]}"#;
    let p = format!(r#"{{"type":"Feature","geometry":{g}}}"#);
    for text in [
        format!(r#"{{"type":"FeatureCollection","type":"Feature","features":[{p}]}}"#),
        format!(r#"{{"type":"Feature","features":[{p}],"type":"FeatureCollection"}}"#),
        format!(r#"{{"type":"FeatureCollection","features":[{p}],"features":[{p}]}}"#),
        format!("{{\"features\":[{p}],\n\"type\":\"FeatureCollection\",\"fe\\u0061tures\":[{p}]}}"),
        format!(r#"{{"features":[],"type":"Point","features":[{p}],"coordinates":[1,2]}}"#),
        format!(
            r#"{{"type":"FeatureCollection","features":[{p},{{"type":"Feature","geometry":{g},"geometry":null}}]}}"#
        ),
        format!(r#"{{"type":"Point","geometry":{g},"type":"Feature"}}"#),
        r#"{"type":"Point","coordinates":[[1,2]],"coordinates":[1,2]}"#.to_owned(),
    ] {
        let expected = outcome(ingest_geojson(text.as_bytes(), &mag()));
        assert!(
            matches!(
                expected,
                Outcome::Failed(Error::GeoJson {
                    problem: GeoJsonProblem::DuplicateMember { .. },
                    ..
                })
            ),
            "{text}: {expected:?}"
        );
        assert_same(&text, text.as_bytes(), &mag());
    }
}

/// A chunked load reads whole features in place in each piece and collects a feature cut by
/// the end of a piece byte by byte: every cut, just before or after a feature's closing brace
/// or its comma included, gives the one-shot outcome, for good and broken documents alike.
#[test]
fn every_cut_into_two_pieces_reads_alike() {
    let f = |x: u8| {
        format!(
            r#"{{"type": "Feature", "properties": {{"mag": {x}.5}}, "geometry": {{"type": "Point", "coordinates": [{x}, 1]}}}}"#
        )
    };
    let (a, b, c) = (f(1), f(2), f(3));
    let head = r#"{"type": "FeatureCollection", "features": ["#;
    let documents = [
        format!("{head}{a},{b} ,\n{c}]}}"),
        format!("{head}\n{a}\n,\n{b}\n]\n}}"),
        // A feature followed by something other than a comma or the closing bracket.
        format!("{head}{a} x, {b}]}}"),
        format!("{head}{a}{b}]}}"),
        format!("{head}{a} }}"),
        format!("{head}{a},]}}"),
        format!("{head}{a},,{b}]}}"),
        format!("{head}{a}, {b}"),
        // A feature the scanner leaves to the parser (an escaped member name) between others.
        format!(r#"{head}{a}, {{"typ\u0065": "Feature", "geometry": null}}, {b}]}}"#),
    ];
    for text in &documents {
        let bytes = text.as_bytes();
        for options in option_sets() {
            let expected = outcome(ingest_geojson(bytes, &options));
            for cut in 1..bytes.len() {
                let found = chunked(bytes, &options, &[cut, bytes.len()]);
                assert_eq!(found, expected, "{text} cut at {cut}");
            }
        }
    }
}

/// The one-shot path refuses a top level that is not an object at its first byte; a chunked
/// load used to hold all of it (a gigabyte of `[`) until `finish`.
#[test]
fn a_top_level_that_is_not_an_object_fails_at_once() {
    for (head, rest) in [
        ("[", vec![b'['; 1 << 20]),
        ("\u{feff}  \n 5", vec![b'5'; 1 << 20]),
        ("\"", vec![b'a'; 1 << 20]),
        ("nul", b"l".repeat(1 << 20)),
        ("x", vec![b' '; 1 << 20]),
    ] {
        let mut whole = head.as_bytes().to_vec();
        whole.extend_from_slice(&rest);
        let Outcome::Failed(expected) = outcome(ingest_geojson(&whole, &mag())) else {
            panic!("{head:?} loaded");
        };
        let mut ingest = ChunkedIngest::new(&mag()).expect("valid options");
        let mut failed = None;
        for piece in std::iter::once(head.as_bytes()).chain(rest.chunks(4096)) {
            if let Err(err) = ingest.push(piece) {
                failed = Some(err);
                break;
            }
        }
        assert_eq!(failed.as_ref(), Some(&expected), "{head:?}");
        assert!(ingest.bytes_pushed() <= 8192, "{head:?}: {ingest:?}");
    }
}

/// Nesting deeper than the parser allows, or an element that is not an object, in `features`
/// or in a document held whole, is refused once a trial parse meets it, long before the end.
#[test]
fn deep_nesting_fails_before_the_end() {
    let feature_head = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":"#;
    for (head, fill) in [
        (r#"{"type":"FeatureCollection","features":["#, b'['),
        (r#"{"type":"FeatureCollection","features":[1,"#, b'['),
        (
            &*format!(r#"{{"type":"FeatureCollection","features":[{feature_head}"#),
            b'[',
        ),
        (r#"{"type":"Point","coordinates":"#, b'['),
        (r#"{"type":"GeometryCollection","geometries":"#, b'['),
    ] {
        let mut whole = head.as_bytes().to_vec();
        whole.extend(std::iter::repeat_n(fill, 8 << 20));
        let Outcome::Failed(expected) = outcome(ingest_geojson(&whole, &mag())) else {
            panic!("{head} loaded");
        };
        let mut ingest = ChunkedIngest::new(&mag()).expect("valid options");
        let mut failed = None;
        for piece in whole.chunks(64 * 1024) {
            if let Err(err) = ingest.push(piece) {
                failed = Some(err);
                break;
            }
        }
        assert_eq!(failed.as_ref(), Some(&expected), "{head}");
        assert!(ingest.bytes_pushed() <= 256 * 1024, "{head}: {ingest:?}");
    }
}

/// A document held whole (here a GeometryCollection), the skeleton of a FeatureCollection or one
/// feature may hold at most `max_buffered_bytes`; past it the push fails with a coded error.
#[test]
fn the_buffer_limit_is_a_coded_error() {
    let point = r#"{"type":"Point","coordinates":[1,2]}"#;
    let points = |n: usize| vec![point; n].join(",");
    let many = points(2000);
    let f = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}"#;
    for (text, index) in [
        (
            format!(r#"{{"type":"GeometryCollection","geometries":[{many}]}}"#),
            None,
        ),
        (
            format!(r#"{{"type":"FeatureCollection","x":[{many}],"features":[]}}"#),
            None,
        ),
        (
            format!(
                r#"{{"type":"FeatureCollection","features":[{f},{{"type":"Feature","geometry":{{"type":"GeometryCollection","geometries":[{many}]}}}}]}}"#
            ),
            Some(1),
        ),
    ] {
        let limit = 20_000;
        assert!(text.len() > 3 * limit, "{} bytes", text.len());
        let expected = outcome(ingest_geojson(text.as_bytes(), &mag()));
        assert!(matches!(expected, Outcome::Loaded { .. }), "{expected:?}");
        for size in [1000, 4096] {
            let mut ingest = ChunkedIngest::new(&mag()).expect("valid options");
            ingest.set_max_buffered_bytes(limit);
            let mut failed = None;
            for piece in text.as_bytes().chunks(size) {
                if let Err(err) = ingest.push(piece) {
                    failed = Some(err);
                    break;
                }
                assert!(ingest.buffered_bytes() <= limit, "{ingest:?}");
            }
            let pushed = ingest.bytes_pushed();
            let Some(Error::GeoJson { problem, at }) = failed else {
                panic!("pieces of {size}: {failed:?}");
            };
            assert_eq!(problem, GeoJsonProblem::TooLarge { limit });
            assert_eq!(problem.code(), "GEOJSON_TOO_LARGE");
            assert!(
                problem.to_string().contains("max_buffered_bytes"),
                "{problem}"
            );
            assert_eq!(
                (at.line, at.byte_offset + 1, at.feature_index),
                (1, pushed, index)
            );
            assert!(pushed <= limit + size, "failed only after {pushed} bytes");
            // Under the default limit the same input loads as in one piece.
            assert_eq!(chunked(text.as_bytes(), &mag(), &[size]), expected);
        }
    }
}

#[test]
fn max_points_fails_alike() {
    let f = |x: u8| {
        format!(
            r#"{{"type":"Feature","geometry":{{"type":"MultiPoint","coordinates":[[{x},1],[2,{x}]]}}}}"#
        )
    };
    let text = format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
        f(1),
        f(2),
        f(3)
    );
    for max_points in [0, 1, 4, 5, 6] {
        let options = IngestOptions {
            max_points,
            ..mag()
        };
        assert_same(
            &format!("max_points {max_points}"),
            text.as_bytes(),
            &options,
        );
    }
}
