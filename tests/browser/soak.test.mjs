// The short soak: 2,000 seeded random calls, good and bad, on a page heatmap and on a worker
// heatmap (see soak.mjs; `node tests/browser/soak.mjs` runs the long one and prints its memory).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { memoryGrew, soak } from "./soak.mjs";
import { startBrowser } from "./browser.mjs";

const CALLS = 2000;
const SEED = 7;

let env;
before(async () => {
  env = await startBrowser({ flags: "webgpu" });
});
after(async () => {
  await env?.close();
});

for (const host of ["page", "worker"]) {
  test(`a ${host} heatmap survives ${CALLS} random calls and ends as a fresh one would draw it`, async () => {
    const out = await soak(env, { host, calls: CALLS, seed: SEED });
    assert.deepEqual(out.pageErrors, [], "uncaught exceptions on the page");
    assert.deepEqual(out.failures, [], "rejections that are not coded GeoheatErrors, or unhandled rejections");
    const rejected = Object.values(out.counts).reduce((sum, c) => sum + c.rejected, 0);
    assert.ok(rejected > CALLS / 10, `the script tries bad input too (${rejected} calls rejected)`);
    assert.ok(out.counts["setData object"].calls > 0 && out.counts.addLayer.calls > 0, "the script loads data and adds layers");
    assert.equal(out.final.firstDifference, -1, `the soaked frame differs from a fresh heatmap's at byte ${out.final.firstDifference}`);
    assert.ok(!memoryGrew(out), `wasm memory grew from ${out.memoryAfterWarmUp} to ${out.memoryAfterReplay} bytes while a warmed-up script ran again (curve: ${out.memory.join(", ")})`);
  });
}
