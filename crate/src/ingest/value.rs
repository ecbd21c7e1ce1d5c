//! [`ingest_geojson_from`]: the serde visitors and GeoJSON rules of byte ingest, driven by any
//! serde [`Deserializer`] — a JavaScript object through `serde_wasm_bindgen`, a
//! `serde_json::Value`, a document in another format. The document is walked once, never
//! serialised to text.

use super::ctx::Ctx;
use super::errors::json_words;
use super::kind::Place;
use super::visitor::ObjectSeed;
use super::{IngestOptions, IngestReport};
use crate::clock::Stopwatch;
use crate::error::{Error, GeoJsonProblem, Result};
use crate::points::PointBuffer;
use serde::Deserializer;
use serde::de::DeserializeSeed;

/// Reads one GeoJSON document from `deserializer` into a new [`PointBuffer`], with the rules and
/// problems of [`super::ingest_geojson`].
///
/// A deserializer has no text, so errors carry no line, column or byte offset: they are
/// [`Error::GeoJsonValue`] with the problem and the feature being read (`None` outside any
/// feature). `IngestReport::bytes` is 0.
///
/// # Errors
///
/// [`Error::GeoJsonValue`] when the document is not valid GeoJSON or breaks a rule whose policy
/// is [`super::InvalidPolicy::Error`]; [`Error::InvalidOption`] when `options` are invalid.
pub fn ingest_geojson_from<'de, D: Deserializer<'de>>(
    deserializer: D,
    options: &IngestOptions,
) -> Result<(PointBuffer, IngestReport)> {
    let clock = Stopwatch::start();
    options.validate()?;
    let mut ctx = Ctx::new(options, b"", 0, None);
    let walked = ObjectSeed {
        ctx: &mut ctx,
        place: Place::Root,
    }
    .deserialize(deserializer);
    if let Err(err) = walked {
        let problem = ctx
            .problem
            .take()
            .unwrap_or_else(|| classify(&err.to_string(), ctx.member));
        return Err(Error::GeoJsonValue {
            problem,
            feature_index: ctx.feature_index,
        });
    }
    let (points, report) = ctx.sink.finish(0);
    Ok((
        points,
        IngestReport {
            elapsed: clock.elapsed(),
            ..report
        },
    ))
}

/// The problem behind a deserializer's own error (one no visitor recorded). A deserializer of
/// values has no syntax to get wrong: at the top level a value of another type is not an object;
/// inside, whatever the deserializer could not read is a bad value of `member`.
fn classify(message: &str, member: &'static str) -> GeoJsonProblem {
    // serde_wasm_bindgen's errors are JavaScript `Error`s, displayed as "Error: <message>".
    let message = message.strip_prefix("Error: ").unwrap_or(message);
    let wrong_type = message.strip_prefix("invalid type: ");
    if member.is_empty() {
        return match wrong_type {
            Some(found) => {
                let found = [
                    ("sequence", "an array"),
                    ("string", "a string"),
                    ("boolean", "a boolean"),
                    ("unit value", "null"),
                    ("integer", "a number"),
                    ("floating point", "a number"),
                ]
                .iter()
                .find(|(serde, _)| found.starts_with(serde))
                .map_or("a value of another type", |(_, json)| json);
                GeoJsonProblem::NotAnObject { found }
            }
            None => GeoJsonProblem::Syntax(message.to_owned()),
        };
    }
    GeoJsonProblem::InvalidMember {
        member,
        reason: match wrong_type {
            Some(_) => json_words(message),
            None => format!("cannot be read ({message})"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{InvalidPolicy, ingest_geojson};
    use serde_json::Value;

    fn options() -> IngestOptions {
        IngestOptions {
            weight_property: Some("mag".into()),
            invalid_weight: InvalidPolicy::Skip,
            ..IngestOptions::default()
        }
    }

    #[test]
    fn a_walked_value_gives_what_its_text_gives() {
        let text = r#"{"type": "FeatureCollection", "bbox": [0, 0, 1, 1], "features": [
            {"type": "Feature", "properties": {"mag": 2.5}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
            {"type": "Feature", "properties": {"mag": -1}, "geometry": {"type": "Point", "coordinates": [3, 4]}},
            {"type": "Feature", "properties": null, "geometry": {"type": "MultiPoint", "coordinates": [[5, 6], [7, 8, 9]]}},
            {"type": "Feature", "properties": {}, "geometry": null},
            {"geometry": {"coordinates": [10, 11], "type": "Point"}, "type": "Feature", "foreign": {"x": [1]}}
        ]}"#;
        let (from_text, text_report) = ingest_geojson(text.as_bytes(), &options()).expect("valid");
        let value: Value = serde_json::from_str(text).expect("JSON");
        let (walked, report) = ingest_geojson_from(&value, &options()).expect("valid");
        assert_eq!(walked.as_slice(), from_text.as_slice());
        assert_eq!(walked.origin(), from_text.origin());
        assert_eq!(
            (
                report.points,
                report.features,
                report.skipped_by_policy,
                report.null_geometry
            ),
            (
                text_report.points,
                text_report.features,
                text_report.skipped_by_policy,
                text_report.null_geometry
            ),
        );
        assert_eq!(report.bounds, text_report.bounds);
        assert_eq!(report.bytes, 0);
    }

    #[test]
    fn problems_name_the_feature_without_a_position() {
        let value: Value = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"mag": 1}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
            {"type": "Feature", "properties": {"mag": 1}, "geometry": {"type": "Point", "coordinates": [500, 2]}},
        ]});
        let err = ingest_geojson_from(&value, &options()).expect_err("out of range");
        let Error::GeoJsonValue {
            problem,
            feature_index,
        } = err
        else {
            panic!("a value error, got {err:?}");
        };
        assert_eq!(problem.code(), "GEOJSON_COORDINATE_OUT_OF_RANGE");
        assert_eq!(feature_index, Some(1));

        let value: Value = serde_json::json!({"type": "FeatureCollection", "features": {"a": 1}});
        let err = ingest_geojson_from(&value, &options()).expect_err("features is an object");
        assert!(
            matches!(
                &err,
                Error::GeoJsonValue {
                    problem: GeoJsonProblem::InvalidMember {
                        member: "features",
                        ..
                    },
                    feature_index: None
                }
            ),
            "{err:?}"
        );

        let value: Value = serde_json::json!({"type": "Topology"});
        let err = ingest_geojson_from(&value, &options()).expect_err("not GeoJSON");
        assert_eq!(err.code(), "GEOJSON_UNEXPECTED_TYPE");
        let value: Value = serde_json::json!([1, 2]);
        let err = ingest_geojson_from(&value, &options()).expect_err("an array");
        assert_eq!(err.code(), "GEOJSON_NOT_AN_OBJECT");
        assert_eq!(
            err.to_string(),
            "GeoJSON error: GeoJSON must be a JSON object, found an array"
        );
    }
}
