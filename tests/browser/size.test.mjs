// Download budgets of the two wasm files www/build.sh builds, gzip -9 as a server would send them:
// the core every page loads, and the WGSL validator that only pages with custom layers load.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PKG = fileURLToPath(new URL("../../www/pkg/", import.meta.url));

const BUDGETS = {
  // The heatmap with both backends (Canvas 2D and WebGPU), without naga: 200 KB, the size a page
  // can afford for a heatmap. 204,508 bytes when this budget was set: the core built for size with
  // a pinned nightly, at opt-level "z" but for its per-point and per-pixel loops (see www/build.sh).
  "geoheat_bg.wasm": 200 * 1024,
  // naga's WGSL front end and validator with geoheat's layer checks: ~319 KB when this budget was
  // set; the headroom (~3%) takes a naga patch release, not a new dependency.
  "geoheat_wgsl_bg.wasm": 330 * 1024,
};

/** gzip -9 of `file`, as www/build.sh prints it (from stdin: no file name in the header). */
const gzipped = (file) => execFileSync("gzip", ["-9", "-c"], { input: readFileSync(file), maxBuffer: 1 << 26 }).length;

for (const [name, budget] of Object.entries(BUDGETS)) {
  test(`www/pkg/${name} is at most ${budget} bytes gzipped`, () => {
    const file = PKG + name;
    const size = gzipped(file);
    assert.ok(
      size <= budget,
      `www/pkg/${name} is ${size} bytes gzipped (gzip -9; ${statSync(file).size} raw), over its budget of ${budget} bytes by ${size - budget}`,
    );
  });
}
