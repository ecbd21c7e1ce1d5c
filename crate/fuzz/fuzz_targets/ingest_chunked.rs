//! Fuzz target: `checks::ingest_chunked` (see there for the property).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ingest_chunked(data));
