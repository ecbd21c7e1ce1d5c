#!/usr/bin/env bash
# Stages the npm package `geoheat` in www/package (its package.json and README are tracked; lib/,
# pkg/ and the license texts are copied in) from what www/build.sh built, and checks it with
# `npm pack --dry-run`: every entry of its exports map, and every file its modules import or
# load by `new URL(…, import.meta.url)`, must be in the tarball.
#   bash www/pack.sh          stage and check
#   bash www/pack.sh DIR      also write the tarball (geoheat-VERSION.tgz) into DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
package="$root/www/package"
export PATH="$root/www/node_modules/.bin:$PATH"

# The core and the WGSL validator that it imports with the first custom layer.
wasm_files=(geoheat.js geoheat.d.ts geoheat_bg.wasm geoheat_wgsl.js geoheat_wgsl.d.ts geoheat_wgsl_bg.wasm)
for file in "${wasm_files[@]}"; do
  [ -f "$root/www/pkg/$file" ] || { echo "www/pkg/$file is missing: run bash www/build.sh" >&2; exit 1; }
done
crate_version=$(awk -F'"' '/^version = / { print $2; exit }' "$root/crate/Cargo.toml")
package_version=$(node -p 'require(process.argv[1]).version' "$package/package.json")
if [ "$crate_version" != "$package_version" ]; then
  echo "www/package/package.json has version $package_version, the crate $crate_version" >&2
  exit 1
fi

rm -rf "$package/lib" "$package/pkg"
# The entry module without source maps (their sources are not shipped); the wasm glue next to it
# as www/pkg is next to www/lib, so that its `../pkg/geoheat.js` imports hold.
(cd "$root/www" && tsc -p lib --outDir "$package/lib" --sourceMap false)
mkdir -p "$package/pkg"
for file in "${wasm_files[@]}"; do cp "$root/www/pkg/$file" "$package/pkg/"; done
# The glue's classes declare `[Symbol.dispose]`, which is in TypeScript's esnext.disposable lib,
# not in ES2022's: the declaration names that lib, or a consumer on ES2022 libs without
# skipLibCheck fails on it.
if grep -q 'Symbol\.dispose' "$package/pkg/geoheat.d.ts"; then
  sed -i '1i /// <reference lib="esnext.disposable" />' "$package/pkg/geoheat.d.ts"
fi
if [ -d "$root/www/pkg/snippets" ]; then cp -r "$root/www/pkg/snippets" "$package/pkg/"; fi
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$package/"

PACKED=$(cd "$package" && npm pack --dry-run --json --ignore-scripts 2>/dev/null) \
node --input-type=module - "$package" <<'CHECK'
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
const dir = process.argv[2];
const [packed] = JSON.parse(process.env.PACKED);
const files = new Set(packed.files.map((f) => f.path));
const problems = [];
const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const targets = (entry) => (typeof entry === "string" ? [entry] : Object.values(entry).flatMap(targets));
for (const [key, entry] of Object.entries(manifest.exports)) {
  for (const target of targets(entry)) if (!files.has(normalize(target))) problems.push(`exports["${key}"] → ${target} is not packed`);
}
if (!files.has(normalize(manifest.types))) problems.push(`types → ${manifest.types} is not packed`);
// Relative imports (static, dynamic, type-only in .d.ts) and URLs resolved against import.meta.url.
const reference = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']|new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url/g;
for (const file of files) {
  if (!/\.(js|d\.ts)$/.test(file)) continue;
  for (const match of readFileSync(join(dir, file), "utf8").matchAll(reference)) {
    let target = normalize(join(dirname(file), match[1] ?? match[2]));
    if (file.endsWith(".d.ts")) target = target.replace(/\.js$/, ".d.ts");
    if (!files.has(target)) problems.push(`${file} refers to ${match[1] ?? match[2]} (${target}), which is not packed`);
  }
}
for (const required of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "package.json"]) {
  if (!files.has(required)) problems.push(`${required} is not packed`);
}
if (problems.length > 0) {
  console.error(`npm pack of www/package:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(`npm package ${packed.id}: ${packed.entryCount} files, ${kb(packed.size)} packed, ${kb(packed.unpackedSize)} unpacked`);
CHECK

if [ $# -gt 0 ]; then
  mkdir -p "$1"
  (cd "$package" && npm pack --ignore-scripts --pack-destination "$(cd "$1" && pwd)" >/dev/null)
  echo "wrote $1/geoheat-$package_version.tgz"
fi
