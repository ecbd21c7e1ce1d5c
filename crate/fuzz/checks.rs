//! The properties the fuzz targets check, one function per target. The targets call them on
//! libFuzzer's inputs; `crate/tests/fuzz_corpus.rs` calls them on every committed corpus file
//! on the stable toolchain, so CI replays what fuzzing found without nightly.
#![allow(dead_code)] // Each fuzz target uses one check; the corpus test uses all.

use geoheat::Error;
use geoheat::ingest::{
    ChunkedIngest, IngestOptions, IngestReport, InvalidPolicy, LineAndPolygonPolicy, ingest_geojson,
};
use geoheat::layer::{LayerSpec, LayerStack, LayerUpdate, UniformValue, validate};
use geoheat::style::{ColorRamp, parse_css_color};
use std::time::Duration;

/// Ingest options from the bits of `selector`, so that every policy is exercised.
fn options(selector: u8) -> IngestOptions {
    let policy = |bit: u8| {
        if selector & bit == 0 {
            InvalidPolicy::Error
        } else {
            InvalidPolicy::Skip
        }
    };
    IngestOptions {
        weight_property: (selector & 1 != 0).then(|| "mag".to_owned()),
        invalid_weight: policy(2),
        out_of_range: policy(4),
        lines_and_polygons: if selector & 8 == 0 {
            LineAndPolygonPolicy::Skip
        } else {
            LineAndPolygonPolicy::Vertices
        },
        ..IngestOptions::default()
    }
}

/// One-shot ingest (first byte: the options): any input loads, with a report that matches
/// the points, or returns a GeoJSON error located inside the input (one-based line and
/// column); never anything else, never a panic.
pub fn ingest_one_shot(data: &[u8]) {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    match ingest_geojson(text, &options(selector)) {
        Ok((points, report)) => {
            assert_eq!(points.len(), report.points);
            assert_eq!(report.bytes, text.len());
        }
        Err(Error::GeoJson { at, .. }) => {
            assert!(at.line >= 1 && at.column >= 1, "{at:?}");
            assert!(at.byte_offset <= text.len(), "{at:?}");
        }
        Err(other) => panic!("not a GeoJSON error: {other}"),
    }
}

/// What a load gives, as bits, without its wall time.
type Outcome = Result<(Vec<u32>, [u64; 2], IngestReport), Error>;

fn outcome(result: geoheat::Result<(geoheat::PointBuffer, IngestReport)>) -> Outcome {
    result.map(|(points, report)| {
        let bits = points.as_slice().iter().map(|v| v.to_bits()).collect();
        let [x, y] = points.origin();
        let report = IngestReport {
            elapsed: Duration::ZERO,
            ..report
        };
        (bits, [x.to_bits(), y.to_bits()], report)
    })
}

/// Chunked ingest against one-shot (first three bytes: two piece sizes of 1 to 256 bytes,
/// cycled, and the options, whose high bits also set the size of the first trial parse to 1
/// to 8 bytes, or the default): the same points bit for bit and the same report, or the same
/// error at the same byte. The documented exception: one-shot checks all of the input for
/// UTF-8 first, so for input that is not UTF-8 the chunked load may name another problem,
/// found before the bad byte.
pub fn ingest_chunked(data: &[u8]) {
    let Some((&[a, b, selector], text)) = data.split_first_chunk::<3>() else {
        return;
    };
    let options = options(selector);
    let expected = outcome(ingest_geojson(text, &options));
    let sizes = [usize::from(a) + 1, usize::from(b) + 1];
    let mut ingest = match ChunkedIngest::new(&options) {
        Ok(ingest) => ingest,
        Err(err) => panic!("valid options refused: {err}"),
    };
    if selector & 0x80 != 0 {
        // Trial parses (found early, they must name the one-shot error) from small inputs on.
        ingest.set_first_trial(usize::from(selector >> 4 & 7) + 1);
    }
    let mut rest = text;
    let mut failed = None;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        if let Err(err) = ingest.push(piece) {
            failed = Some(err);
            break;
        }
    }
    let found = match failed {
        Some(err) => Err(err),
        None => outcome(ingest.finish()),
    };
    match std::str::from_utf8(text) {
        Ok(_) => assert_eq!(found, expected),
        Err(bad) => match (&found, &expected) {
            (Err(Error::GeoJson { at, .. }), Err(Error::GeoJson { at: bad_at, .. })) => {
                assert_eq!(bad_at.byte_offset, bad.valid_up_to(), "{expected:?}");
                assert!(
                    at.byte_offset <= bad_at.byte_offset,
                    "{found:?} / {expected:?}"
                );
            }
            _ => panic!("{found:?} / {expected:?}"),
        },
    }
}

/// Custom layers: parts separated by NUL are the layer name, its WGSL and uniform names (a
/// name's length picks its value's size). They go through `layer::validate` and the layer
/// stack (uniform checks, splicing, naga), which answer with a value or an error, never a
/// panic.
pub fn layer(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let name = parts.next().unwrap_or_default();
    let wgsl = parts.next().unwrap_or_default();
    let uniforms: Vec<(String, UniformValue)> = parts
        .map(|part| {
            let value = match part.len() % 4 {
                0 => UniformValue::F32(-0.5),
                1 => UniformValue::Vec2([0.5, -1.0]),
                2 => UniformValue::Vec3([1.0, f32::NAN, 0.0]),
                _ => UniformValue::Vec4([0.0, 1.0, 2.0, f32::INFINITY]),
            };
            (part.to_owned(), value)
        })
        .collect();
    // The declaration as given, and as the layer's own uniforms make it.
    let _ = validate(name, wgsl, &text);
    let mut stack = LayerStack::empty();
    let spec = LayerSpec {
        uniforms: uniforms.clone(),
        ..LayerSpec::custom(name, wgsl)
    };
    if stack.add(spec, None).is_ok() {
        let update = LayerUpdate {
            uniforms: Some(uniforms),
            ..LayerUpdate::default()
        };
        let _ = stack.update(name, update);
    }
}

/// The colour parsers behind styles: ramp specs and CSS colours give a value or an error,
/// never a panic.
pub fn style(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_css_color(text);
    if let Ok(ramp) = ColorRamp::parse(text) {
        let _ = ramp.lut();
    }
}
