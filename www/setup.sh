#!/usr/bin/env bash
# Installs the web toolchain on a fresh machine; a quick no-op for what is already there.
#   bash www/setup.sh          wasm target, the core's pinned nightly, wasm-bindgen-cli, wasm-pack, npm packages (tsc, wasm-opt, vite)
#   bash www/setup.sh --tests  also what the tests run on: Debian's chromium (browser tests),
#                              Mesa's lavapipe Vulkan driver (GPU tests on a software adapter),
#                              a C++ compiler (libFuzzer, for the brief fuzz run),
#                              and the Python package's virtualenv (tests/python/setup.sh)
# Only package registries are reachable: wasm-bindgen-cli and wasm-pack come from crates.io and
# wasm-opt from npm's `binaryen` (Debian's binaryen 108 breaks the externref table in Chromium).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
# The core wasm's toolchain (see www/build.sh): a pinned nightly with the standard library's source.
core_toolchain=$(awk -F= '/^core_toolchain=/ { print $2 }' "$root/www/build.sh")
if ! rustup component list --toolchain "$core_toolchain" --installed 2>/dev/null | grep -q '^rust-src'; then
  rustup toolchain install "$core_toolchain" --profile minimal --component rust-src --target wasm32-unknown-unknown
fi

# The CLI must equal the wasm-bindgen version in Cargo.lock exactly, or wasm-pack installs its own.
(cd "$root" && cargo metadata --format-version 1 >/dev/null)  # makes sure Cargo.lock exists
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$root/Cargo.lock")
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  # Not --locked: the CLI's lock file pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$wb_version"
fi
if ! command -v wasm-pack >/dev/null; then
  cargo install wasm-pack --locked
fi

if [ ! -x "$root/www/node_modules/.bin/tsc" ] || [ "$root/www/package-lock.json" -nt "$root/www/node_modules/.package-lock.json" ]; then
  (cd "$root/www" && npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = "--tests" ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  ls /usr/share/vulkan/icd.d/lvp_icd.*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
  ldconfig -p | grep -q libvulkan.so.1 || missing+=(libvulkan1)
  # The fuzz targets link libFuzzer, which libfuzzer-sys compiles from C++.
  command -v c++ >/dev/null || missing+=(g++)
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
  fi

  # Python: the package's test environment, from PyPI (its own script: see there).
  bash "$root/tests/python/setup.sh"
fi
