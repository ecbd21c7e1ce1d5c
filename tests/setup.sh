#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine; fast no-op when everything is there.
set -euo pipefail

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done
