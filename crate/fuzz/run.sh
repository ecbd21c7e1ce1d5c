#!/usr/bin/env bash
# Fuzzes the targets with libFuzzer, each for SECONDS, as many at once as there are cores:
#   bash crate/fuzz/run.sh [SECONDS] [TARGET...]           the long run (default 60 s), under AddressSanitizer
#   bash crate/fuzz/run.sh --brief [SECONDS] [TARGET...]   the brief run of `bash tests/run.sh` (default 30 s)
# Needs only the nightly that builds the core wasm (`core_toolchain` in www/build.sh; `bash
# www/setup.sh` installs it) and a C++ compiler for libFuzzer; not cargo-fuzz: build_targets
# passes the instrumentation flags of `cargo fuzz build -O -a` to cargo itself.
# Each target starts from its committed corpus (corpus/TARGET, only read) and seeds made from
# tests/data and shaders/examples (work/seeds/TARGET). The long run keeps what it finds in
# work/TARGET; the brief run in a scratch directory it deletes, so that each test run starts from
# the same inputs. Logs go to work/logs, crashing inputs to artifacts/TARGET (neither committed).
# Exits non-zero when a target panics (a broken property included), spends over 10 s on one
# input, or goes over 4 GB of memory; prints each target's executions.
# See README.md for minimising the corpus and turning a crash into a test.
set -euo pipefail
cd "$(dirname "$0")"
brief=false
if [ "${1:-}" = --brief ]; then
  brief=true
  shift
fi
if $brief; then seconds=${1:-30}; else seconds=${1:-60}; fi
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
triple=x86_64-unknown-linux-gnu
target_dir=${CARGO_TARGET_DIR:-target}

# The flags of cargo-fuzz 0.13 (src/project.rs) for `cargo fuzz build -O -a`: SanitizerCoverage's
# 8-bit counters, PC table, compare tracing and stack depth for libFuzzer's guidance,
# `--cfg fuzzing`, no branch folding (more edges to tell apart), one codegen unit (lets the
# instrumented code inline), debug assertions and overflow checks (an overflow is a crash).
# `--target` keeps the flags off build scripts. The brief run leaves out AddressSanitizer: geoheat
# has no `unsafe` code, so what ASan adds is a check on its dependencies' unsafe code, which the
# long run keeps; without it the cold build takes a quarter less CPU time and each target runs
# about 9 times as many inputs (see README.md).
build_targets() {
  local flags=(-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table
    -Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth
    --cfg fuzzing -Cllvm-args=-simplifycfg-branch-fold-threshold=0 -Ccodegen-units=1
    -Cdebug-assertions -Coverflow-checks)
  $brief || flags+=(-Zsanitizer=address)
  RUSTFLAGS="${flags[*]} ${RUSTFLAGS:-}" cargo "+$toolchain" build --locked --release \
    --config 'profile.release.debug="line-tables-only"' --target "$triple" --target-dir "$target_dir" \
    --manifest-path Cargo.toml --bins
}

# One target for $seconds: its output to LOG, its exit status returned.
fuzz_one() {
  local target=$1 finds=$2 log=$3
  mkdir -p "$finds" "artifacts/$target"
  ASAN_OPTIONS="detect_odr_violation=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    "$target_dir/$triple/release/$target" "$finds" "corpus/$target" "work/seeds/$target" \
    -artifact_prefix="artifacts/$target/" -max_total_time="$seconds" -max_len=65536 \
    -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 > "$log" 2>&1
}

start=$SECONDS
echo "== building the fuzz targets ($toolchain$($brief || echo ', AddressSanitizer'))"
build_targets
echo "== built in $((SECONDS - start)) s"

if $brief; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  finds() { echo "$scratch/$1"; }
else
  finds() { echo "work/$1"; }
fi
logs=work/logs
mkdir -p "$logs"

# In waves of as many targets as there are cores; each target's result once its wave ends.
jobs=$(nproc)
failed=()
for ((first = 0; first < ${#targets[@]}; first += jobs)); do
  wave=("${targets[@]:first:jobs}")
  echo "== fuzzing ${wave[*]} for ${seconds} s"
  pids=()
  for target in "${wave[@]}"; do
    fuzz_one "$target" "$(finds "$target")" "$logs/$target.log" &
    pids+=($!)
  done
  for i in "${!wave[@]}"; do
    target=${wave[$i]}
    log=$logs/$target.log
    if wait "${pids[$i]}"; then
      execs=$(awk '/^stat::number_of_executed_units:/ { print $NF }' "$log")
      echo "$target: $execs executions, nothing found (log: $log)"
    else
      status=$?
      failed+=("$target")
      echo "$target: FAILED (libFuzzer exit status $status); the end of its log, $log:"
      tail -n 40 "$log"
    fi
  done
done
echo "== built and fuzzed in $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets that failed: ${failed[*]} (inputs in artifacts/TARGET; see crate/fuzz/README.md)" >&2
  exit 1
fi
