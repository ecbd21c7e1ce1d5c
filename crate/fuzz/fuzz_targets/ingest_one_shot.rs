//! Fuzz target: `checks::ingest_one_shot` (see there for the property).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ingest_one_shot(data));
