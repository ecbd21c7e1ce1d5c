#!/usr/bin/env bash
# Builds the wasm package into www/pkg (release, wasm-opt -Oz), the entry module (www/lib: Heatmap,
# its worker host) into www/geoheat, the demo's TypeScript into www/dist, and stages the npm
# package `geoheat` in www/package (www/pack.sh, checked with npm pack).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/www/setup.sh"
export PATH="$root/www/node_modules/.bin:$PATH"   # wasm-opt from npm's binaryen

wasm-pack --log-level warn build "$root/crate" --target web --release --out-dir "$root/www/pkg" --out-name geoheat
(cd "$root/www" && tsc -p lib && tsc -p .)   # the entry module → www/geoheat (the demo imports its MapLibre layer), demo pages → www/dist
# The demo's custom-layer examples live with the other WGSL; the page fetches them from dist/.
mkdir -p "$root/www/dist/examples"
cp "$root"/shaders/examples/*.wgsl "$root/www/dist/examples/"
bash "$root/www/pack.sh"
raw=$(stat -c %s "$root/www/pkg/geoheat_bg.wasm")
gz=$(gzip -9 -c "$root/www/pkg/geoheat_bg.wasm" | wc -c)
echo "built www/pkg/geoheat_bg.wasm: $raw bytes, $gz gzipped"
