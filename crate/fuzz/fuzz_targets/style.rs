//! Fuzz target: `checks::style` (see there for the property).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::style(data));
