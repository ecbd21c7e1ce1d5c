//! The wasm module that every page loads: geoheat with its `web` feature (the `Heatmap` class and
//! its JavaScript bindings, exported by `#[wasm_bindgen]` in geoheat itself), and nothing else.
//!
//! It is a crate of its own because of how the release build optimises across crates: with
//! link-time optimisation, the optimisation level of the crate being linked decides which passes
//! run over the whole program, and at `opt-level = "z"` LLVM's loop and SLP vectorizers do not
//! run at all. `www/build.sh` builds geoheat at `"z"` (the page downloads every byte of it) and
//! this crate at the release level (3), so the vectorizers run, on the functions geoheat marks
//! `optimize(speed)`: its per-point, per-pixel and per-byte loops (see `wasm_for_size` in
//! geoheat's lib.rs).

pub use geoheat;
