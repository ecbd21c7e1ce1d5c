#!/usr/bin/env bash
# Runs every check and test of the project: formatting, lints (Rust native + wasm, TypeScript),
# native unit/integration/golden tests (the fuzz targets' committed corpora included), a brief
# coverage-guided run of each fuzz target, the Python package (pytest), the wasm build, and the
# browser end-to-end suite. The brief fuzz run (`crate/fuzz/run.sh --brief`: 30 s a target, as
# many at once as there are cores) builds the targets with cargo on the pinned nightly, without
# cargo-fuzz or AddressSanitizer, so that a cold run of this script fits CI's 45 minutes (see
# crate/fuzz/README.md); the long run is `bash crate/fuzz/run.sh SECONDS`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash www/setup.sh --tests
# GPU tests run on Mesa's software Vulkan adapter; it wants a private runtime directory.
XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_RUNTIME_DIR
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy -D warnings (native, then wasm32: the browser glue, the page's core, the WGSL validator)"
cargo clippy --all-targets --all-features -- -D warnings
cargo clippy -p geoheat --lib --target wasm32-unknown-unknown -- -D warnings
# As www/build.sh builds the two wasms: the core without naga, and the WGSL validator.
cargo clippy -p geoheat --lib --target wasm32-unknown-unknown --no-default-features --features web -- -D warnings
cargo clippy -p geoheat-wasm --lib --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p geoheat-wgsl --lib --target wasm32-unknown-unknown -- -D warnings
echo "== cargo package --list (the published crate carries every file of shaders/)"
# crate/shaders links to ../shaders; cargo follows the link when it packages the crate.
packaged=$(cargo package -p geoheat --allow-dirty --no-verify --list --quiet)
missing=$(comm -23 <(git ls-files shaders | sort) <(sort <<<"$packaged"))
if [ -n "$missing" ]; then
  printf 'cargo package leaves out:\n%s\n' "$missing" >&2
  exit 1
fi
echo "== cargo test"
cargo test --all-features
echo "== fuzz targets, 30 s each (libFuzzer from the committed corpora and seeds; fails on any crash)"
bash crate/fuzz/run.sh --brief 30
echo "== python (the geoheat package: clippy, maturin develop into target/venv, pytest)"
# Not a default workspace member (its cdylib needs libpython to link a test harness): linted here.
cargo clippy -p geoheat-python --all-targets -- -D warnings
VIRTUAL_ENV="$PWD/target/venv" PATH="$PWD/target/venv/bin:$PATH" \
  maturin develop -q --profile python -m crate/python/Cargo.toml
target/venv/bin/python -m pytest -q -p no:cacheprovider tests/python
echo "== wasm package + TypeScript (tsc)"
bash www/build.sh
echo "== API reference (TypeDoc, warnings are errors)"
bash www/docs.sh
echo "== browser tests (headless Chromium)"
# A test that hangs (a page that never settles) fails after 5 minutes under its own name,
# rather than holding the run until CI's limit; the slowest passing test takes under a minute.
node --test --test-concurrency=1 --test-timeout=300000 tests/browser/
