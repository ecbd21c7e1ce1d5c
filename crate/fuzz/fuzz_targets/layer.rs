//! Fuzz target: `checks::layer` (see there for the property).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::layer(data));
