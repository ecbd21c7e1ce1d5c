#!/usr/bin/env bash
# Builds the API reference of the npm package into www/docs/api (open index.html) with TypeDoc: one
# page per entry of the package's exports map (geoheat, geoheat/worker and the map adapters), from
# the TypeScript sources in www/lib and the wasm glue's declarations. Warnings are errors, so that
# a type the API shows but the docs cannot link fails the build. Run after bash www/build.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$root/www/node_modules/.bin:$PATH"
[ -f "$root/www/pkg/geoheat.d.ts" ] || { echo "www/pkg is missing: run bash www/build.sh" >&2; exit 1; }

# "./lib/NAME.js" in the exports map → www/lib/NAME.ts
mapfile -t entries < <(node -e '
  const { exports } = require(process.argv[1]);
  for (const entry of Object.values(exports)) {
    const target = typeof entry === "string" ? entry : entry.default;
    const match = /^\.\/lib\/(.+)\.js$/.exec(target);
    if (match) console.log(`${process.argv[2]}/${match[1]}.ts`);
  }' "$root/www/package/package.json" "$root/www/lib")

typedoc --tsconfig "$root/www/lib/tsconfig.json" --out "$root/www/docs/api" --name geoheat \
  --readme "$root/www/package/README.md" --disableSources --excludeExternals --treatWarningsAsErrors --logLevel Warn "${entries[@]}"
echo "API reference: www/docs/api/index.html (${#entries[@]} entry points)"
