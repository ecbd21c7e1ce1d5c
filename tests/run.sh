#!/usr/bin/env bash
# Runs every check and test of the project: formatting, lints, native tests, the wasm build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/setup.sh

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy -D warnings"
cargo clippy --all-targets --all-features -- -D warnings
echo "== cargo test"
cargo test --all-features
echo "== wasm32 build"
cargo build -p geoheat --lib --target wasm32-unknown-unknown
