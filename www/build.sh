#!/usr/bin/env bash
# Builds the two wasm packages into www/pkg (release, wasm-opt): the core (geoheat: the heatmap,
# without naga) and the WGSL validator (geoheat_wgsl: crate/validator, naga), which the entry
# module loads only with the first custom layer; then the entry module (www/lib: Heatmap, its
# worker host) into www/geoheat, the demo's TypeScript into www/dist, and stages the npm package
# `geoheat` in www/package (www/pack.sh, checked with npm pack). Prints each wasm's size; the
# budgets are checked by tests/browser/size.test.mjs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/www/setup.sh"
export PATH="$root/www/node_modules/.bin:$PATH"   # wasm-opt from npm's binaryen

# The core is what every page downloads, so it is built for size with a pinned nightly (installed
# by www/setup.sh): the standard library is compiled with it (`-Zbuild-std`) and
#   - a panic aborts at once (`immediate-abort`): no panic messages, file names or formatting
#     machinery; geoheat returns errors as values, so a panic is a bug either way;
#   - `optimize_for_size` picks the standard library's smaller algorithms (its sort, its float
#     printing), which geoheat calls outside its per-point and per-pixel loops;
#   - derived `Debug` prints only the type or variant name (`fmt-debug=shallow`), as messages
#     never show a struct's fields;
#   - geoheat itself is built at `opt-level = "z"` with `--cfg wasm_for_size`, which keeps its
#     per-point, per-pixel and per-byte loops at the release level (`optimize(speed)`, see
#     crate/src/lib.rs); the module is linked by crate/wasm, whose level (3) keeps LLVM's
#     vectorizers in the link-time passes.
# RUSTFLAGS replaces .cargo/config.toml's flags, so they are repeated.
core_toolchain=nightly-2026-05-20
RUSTUP_TOOLCHAIN=$core_toolchain \
RUSTFLAGS="-C target-feature=+simd128 -C llvm-args=-inline-threshold=20 -Zlocation-detail=none -Zfmt-debug=shallow -Zunstable-options -Cpanic=immediate-abort --cfg wasm_for_size" \
  wasm-pack --log-level warn build "$root/crate/wasm" --target web --release --out-dir "$root/www/pkg" --out-name geoheat \
  -- --config 'profile.release.package.geoheat.opt-level="z"' -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
# The validator is built on its own (wasm-pack runs wasm-opt on every wasm in its out dir, and
# writes a package.json there) and its module put next to the core's glue, which imports it.
validator_out="$root/target/pkg-wgsl"
rm -rf "$validator_out"
# It keeps LLVM's usual inlining (RUSTFLAGS replaces .cargo/config.toml's flags, which lower it
# for the core's plumbing): naga's parser inlined is 6 KB smaller.
RUSTFLAGS="-C target-feature=+simd128" \
  wasm-pack --log-level warn build "$root/crate/validator" --target web --release --out-dir "$validator_out" --out-name geoheat_wgsl
cp "$validator_out"/geoheat_wgsl{.js,.d.ts,_bg.wasm} "$root/www/pkg/"
# Short import and export names in the core's wasm and glue (see the script); the validator
# imports a handful of functions, so renaming gains it nothing.
rm -f "$root/www/pkg/geoheat_bg.wasm.d.ts"   # it lists the exports by their long names
node "$root/www/minify-wasm-names.mjs" "$root/www/pkg/geoheat"
(cd "$root/www" && tsc -p lib && tsc -p .)   # the entry module → www/geoheat, then the pages using it → www/dist
# The demo's custom-layer examples live with the other WGSL; the page fetches them from dist/.
mkdir -p "$root/www/dist/examples"
cp "$root"/shaders/examples/*.wgsl "$root/www/dist/examples/"
bash "$root/www/pack.sh"
for wasm in geoheat_bg.wasm geoheat_wgsl_bg.wasm; do
  raw=$(stat -c %s "$root/www/pkg/$wasm")
  gz=$(gzip -9 -c <"$root/www/pkg/$wasm" | wc -c)
  echo "built www/pkg/$wasm: $raw bytes, $gz gzipped (gzip -9)"
done
