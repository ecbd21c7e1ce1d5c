// The WGSL validator is a second wasm (geoheat_wgsl_bg.wasm) that the core loads with the first
// custom layer: pages with only built-in layers never request it, the first custom layer loads it
// once, and its errors are the in-process validator's (same code, line and column), on the page
// and in the worker host.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openPage, startBrowser, waitForFrames } from "./browser.mjs";

let env;
before(async () => {
  env = await startBrowser({ flags: "webgpu" });
});
after(async () => {
  await env?.close();
});

const VALIDATOR = /geoheat_wgsl(_bg\.wasm|\.js)$/;
const GOOD = "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    return vec4(value, 0.0, 0.0, value);\n}\n";
const BAD = "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    let x = value *;\n    return vec4(x);\n}\n";

/** The harness page with the entry module as `window.lib`; `requests` collects the validator's URLs as they are requested (page and workers). */
async function libPage() {
  const requests = [];
  const opened = await openPage(env, "harness.html", {
    prepare: (page) => page.context().on("request", (r) => VALIDATOR.test(new URL(r.url()).pathname) && requests.push(new URL(r.url()).pathname)),
  });
  await opened.page.waitForFunction(() => window.harnessReady);
  await opened.page.evaluate(async () => {
    window.lib = await import("./geoheat/index.js");
  });
  return { ...opened, requests };
}

/** Adds `wgsl` as layer `name` on `window.map`; the error it rejects with as a plain object, or null. */
const addCustom = (page, name, wgsl) =>
  page.evaluate(
    async ([name, wgsl]) =>
      window.map.addLayer({ name, wgsl }).then(
        () => null,
        (e) => ({ name: e.name, code: e.code, layer: e.layer, line: e.line, column: e.column, message: e.message }),
      ),
    [name, wgsl],
  );

for (const host of ["page", "worker"]) {
  test(`${host} host: built-in layers never load the validator; the first custom layer loads it once`, async () => {
    const { page, errors, requests } = await libPage();
    await page.evaluate(async (worker) => {
      const canvas = document.getElementById("map");
      const options = { backend: "webgpu", center: [0, 0], zoom: 4, radius: 25, devicePixelRatio: 1 };
      window.map = await window.lib.Heatmap.create(canvas, worker ? { ...options, worker: true } : options);
      await window.map.setPoints([0, 0, 1]);
      const contours = await window.map.addLayer({ name: "contours", kind: "contours" });
      await window.map.updateLayer("contours", { opacity: 0.5 });
      await window.map.addLayer({ name: "dots", kind: "points", uniforms: { radius: 3 } });
      if (contours.name !== "contours") throw new Error("addLayer resolves to the layer's description");
    }, host === "worker");
    if (host === "page") await waitForFrames(page);
    assert.deepEqual(requests, [], "no custom layer, no validator");

    const syntax = await addCustom(page, "broken", BAD);
    assert.equal(syntax.name, "GeoheatError");
    assert.equal(syntax.code, "WGSL_SYNTAX");
    assert.equal(syntax.layer, "broken");
    assert.deepEqual([syntax.line, syntax.column], [2, 20]);
    assert.match(syntax.message, /line 2, column 20/);
    assert.equal(await addCustom(page, "red", GOOD), null);
    const swap = await page.evaluate(async (wgsl) => window.map.updateLayer("red", { wgsl }).then(() => null, (e) => e.code), BAD);
    assert.equal(swap, "WGSL_SYNTAX");
    const layers = await page.evaluate(async () => (await window.map.layers()).map((l) => l.name));
    assert.deepEqual(layers, ["heat", "contours", "dots", "red"]);
    assert.deepEqual(requests.filter((p) => p.endsWith(".wasm")).length, 1, `the validator wasm is fetched once: ${requests}`);
    assert.deepEqual(errors, []);
  });
}
