#!/usr/bin/env bash
# Runs the fuzz targets, each for SECONDS (default 60): `bash crate/fuzz/run.sh [SECONDS] [TARGET...]`.
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and the nightly that builds the core wasm
# (`core_toolchain` in www/build.sh; `bash www/setup.sh` installs it).
# Each run starts from the committed corpus (corpus/TARGET) and seeds made from tests/data and
# shaders/examples; what it finds goes to work/TARGET (not committed) and crashes to
# artifacts/TARGET. See README.md for minimising the corpus and turning a crash into a test.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ingest_one_shot ingest_chunked layer style)
data=../../tests/data

# Seeds: every fixture behind the option bytes each target reads first (see checks.rs).
seed() { mkdir -p "work/seeds/$1"; { printf "$3"; cat "$4"; } > "work/seeds/$1/$2"; }
for file in "$data"/valid/* "$data"/bad/*; do
  name=$(basename "$(dirname "$file")")_$(basename "$file")
  for selector in '\x00' '\x01' '\x0f'; do seed ingest_one_shot "$name.${selector#\\x}" "$selector" "$file"; done
  seed ingest_chunked "$name.a" '\x00\x06\x01' "$file"
  seed ingest_chunked "$name.b" '\x3f\x02\x00' "$file"
done
for file in ../../shaders/examples/*.wgsl; do
  mkdir -p work/seeds/layer
  { printf 'demo\0'; cat "$file"; printf '\0strength\0tint'; } > "work/seeds/layer/$(basename "$file")"
done
mkdir -p work/seeds/style
i=0
for spec in viridis '0:#0000ff00,0.5:lime,1:rgb(255,0,0)' '#abc' 'rgba(1,2,3,0.5)' 'hsl(120, 50%, 50%)' transparent; do
  printf '%s' "$spec" > "work/seeds/style/$i"; i=$((i + 1))
done

toolchain=$(awk -F= '/^core_toolchain=/ { print $2 }' ../../www/build.sh)
cargo "+$toolchain" fuzz build -O
for target in "${targets[@]}"; do
  mkdir -p "work/$target" "corpus/$target"
  echo "== $target for ${seconds}s"
  cargo "+$toolchain" fuzz run -O "$target" "work/$target" "corpus/$target" "work/seeds/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
done
