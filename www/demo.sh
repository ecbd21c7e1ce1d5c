#!/usr/bin/env bash
# The main job: build everything and serve the interactive demo on 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/build.sh"
exec node "$here/serve.mjs" "$@"
