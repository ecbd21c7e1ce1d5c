//! Replays every input of the committed fuzz corpora (`crate/fuzz/corpus/<target>/`, minimised
//! with `cargo fuzz cmin`) through the fuzz targets' own checks, on the stable toolchain, so
//! that what fuzzing covered and found stays covered without nightly or libFuzzer.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::panic::{AssertUnwindSafe, catch_unwind};

fn replay(target: &str, check: fn(&[u8])) {
    let dir = format!("{}/fuzz/corpus/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{dir}: {err}"))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{dir} is empty");
    let failed: Vec<_> = files
        .iter()
        .filter(|file| {
            let data = std::fs::read(file).unwrap_or_else(|err| panic!("{file:?}: {err}"));
            catch_unwind(AssertUnwindSafe(|| check(&data))).is_err()
        })
        .collect();
    assert!(failed.is_empty(), "{target}: {failed:?} failed");
}

#[test]
fn ingest_one_shot_corpus() {
    replay("ingest_one_shot", checks::ingest_one_shot);
}

#[test]
fn ingest_chunked_corpus() {
    replay("ingest_chunked", checks::ingest_chunked);
}

#[test]
fn layer_corpus() {
    replay("layer", checks::layer);
}

#[test]
fn style_corpus() {
    replay("style", checks::style);
}
