//! Ingest throughput on a realistic earthquake-catalogue-like FeatureCollection: about 1M Point
//! features and 100 MB, generated in memory with a fixed seed.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geoheat::ingest::{ChunkedIngest, IngestOptions, ingest_geojson};
use std::fmt::Write;
use std::hint::black_box;

const FEATURES: usize = 1_000_000;

/// A tiny fixed-seed LCG, so every run parses the same bytes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 53) as f64
    }
}

fn catalogue(features: usize) -> String {
    const PLACES: &[&str] = &[
        "12 km SSW of Volcano",
        "5 km NE of Ridgecrest",
        "Off the coast of Chile",
        "98 km W of Tobelo",
        "3 km E of Pahala, HI",
        "Kermadec Islands regio",
    ];
    let mut rng = Lcg(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(features * 110);
    out.push_str(r#"{"type":"FeatureCollection","metadata":{"generated":1700000000000,"title":"bench"},"features":["#);
    for i in 0..features {
        if i > 0 {
            out.push(',');
        }
        let mag = rng.unit() * 7.0;
        let place = PLACES[(rng.next() % PLACES.len() as u64) as usize];
        let time = 1_600_000_000_000 + rng.next() % 100_000_000_000;
        let lon = rng.unit() * 360.0 - 180.0;
        let lat = rng.unit() * 170.0 - 85.0;
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            r#"{{"type":"Feature","properties":{{"mag":{mag:.2},"place":"{place}","time":{time}}},"geometry":{{"type":"Point","coordinates":[{lon:.5},{lat:.6}]}},"id":"ev{i:07}"}}"#
        );
    }
    out.push_str("]}");
    out
}

fn ingest(c: &mut Criterion) {
    let text = catalogue(FEATURES);
    eprintln!(
        "ingest input: {FEATURES} features, {:.1} MB",
        text.len() as f64 / 1e6
    );
    let options = IngestOptions {
        weight_property: Some("mag".to_owned()),
        ..IngestOptions::default()
    };
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("feature_collection_1m_points", |b| {
        b.iter(|| {
            let (points, report) =
                ingest_geojson(black_box(text.as_bytes()), &options).expect("valid input");
            assert_eq!(report.points, FEATURES);
            points
        })
    });
    // The serde path alone, as every load read before the byte scanner: an escaped first
    // member name is left by the scanner to that path, which then reads the whole document.
    let escaped = text.replacen(r#""type""#, r#""typ\u0065""#, 1);
    group.bench_function("feature_collection_1m_points_serde_path", |b| {
        b.iter(|| {
            let (points, report) =
                ingest_geojson(black_box(escaped.as_bytes()), &options).expect("valid input");
            assert_eq!(report.points, FEATURES);
            points
        })
    });
    // The same bytes as a browser fetch delivers them: 64 KB chunks.
    group.bench_function("feature_collection_1m_points_chunked_64k", |b| {
        b.iter(|| {
            let mut ingest = ChunkedIngest::new(&options).expect("valid options");
            for chunk in black_box(text.as_bytes()).chunks(64 * 1024) {
                ingest.push(chunk).expect("valid input");
            }
            let (points, report) = ingest.finish().expect("valid input");
            assert_eq!(report.points, FEATURES);
            points
        })
    });
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
