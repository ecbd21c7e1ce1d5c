// End-to-end tests of layers in headless Chromium: built-in layers on Canvas 2D, custom WGSL
// layers on WebGPU (SwiftShader), their errors, hot swap, non-finite results, animation, and the
// demo's editor.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { compare, snapshotOf } from "./png.mjs";
import { openPage, startBrowser, waitForFrames } from "./browser.mjs";

// One point of weight 1 in the middle of the 400×300 harness canvas: value 1 at the centre,
// 0.5 at σ·√(2 ln 2) ≈ 9.8 px (r = 25, σ = r / 3), 0 beyond 25 px.
const CENTER = [200, 150];
const RED_WHERE_HOT = `fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    return select(vec4(0.0), u.tint, value > 0.5);
}
`;

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

/**
 * The harness with one point as `window.map` on `backend` (in `browser`, by default the file's);
 * records errors and layer events.
 */
async function pointMap(backend, browser = env) {
  const opened = await openPage(browser, "harness.html");
  await opened.page.waitForFunction(() => window.harnessReady);
  await opened.page.evaluate(async (backend) => {
    const canvas = document.getElementById("map");
    window.map = await window.geoheat.Heatmap.create(canvas, {
      backend,
      center: [0, 0],
      zoom: 4,
      radius: 25,
      normalize: "viewport",
      devicePixelRatio: 1,
    });
    window.mapErrors = [];
    window.layerEvents = [];
    window.map.on("error", (e) => window.mapErrors.push({ code: e.code, layer: e.layer, message: e.message }));
    window.map.on("layer", (e) => window.layerEvents.push(e));
    window.map.setPoints([0, 0, 1]);
  }, backend);
  await waitForFrames(opened.page);
  assert.equal(await opened.page.evaluate(() => window.map.backend), backend);
  return opened;
}

/** Runs `fn` in the page, then waits until the resulting frame is on screen. */
async function change(page, fn, arg) {
  const frames = await page.evaluate(() => window.map.stats().framesRendered);
  const result = await page.evaluate(fn, arg);
  await waitForFrames(page, "window.map", frames + 1);
  return result;
}

const pixel = (png, [x, y]) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));

/** The error a layer call throws or rejects with, as a plain object (null when it succeeds). */
async function layerError(page, call, arg) {
  return page.evaluate(
    async ([call, arg]) => {
      try {
        await eval(call)(window.map, arg);
        return null;
      } catch (e) {
        return { name: e.name, code: e.code, layer: e.layer, line: e.line, column: e.column, message: e.message };
      }
    },
    [call, arg],
  );
}

test("built-in contours and points draw on Canvas 2D; removing them restores the heat frame", async () => {
  const { page, errors } = await pointMap("canvas2d");
  const heat = await snapshotOf(page);
  await change(page, () => {
    window.map.addLayer({ name: "contours", kind: "contours", uniforms: { interval: 0.25, width: 2 } });
    window.map.addLayer({ name: "dots", kind: "points", uniforms: { radius: 3, color: [1, 1, 1, 1] } });
  });
  const layered = await snapshotOf(page);
  const names = await page.evaluate(() => window.map.layers().map((l) => [l.name, l.kind, l.active]));
  assert.deepEqual(names, [["heat", "heat", true], ["contours", "contours", true], ["dots", "points", true]]);
  assert.deepEqual(pixel(layered, CENTER), [255, 255, 255, 255], "a white dot covers the point");
  // Contour lines are rings around the point: some pixels on a horizontal line through it change.
  const changed = [];
  for (let x = 0; x < 400; x++) {
    if (compare(pixel(layered, [x, 150]), pixel(heat, [x, 150])).max > 40) changed.push(x);
  }
  assert.ok(changed.some((x) => x < 195) && changed.some((x) => x > 205), `rings on both sides: ${changed}`);
  await change(page, () => {
    window.map.removeLayer("contours");
    window.map.removeLayer("dots");
  });
  const back = await snapshotOf(page);
  assert.deepEqual(Buffer.from(back.data), Buffer.from(heat.data), "heat alone is byte-identical again");
  assert.deepEqual(await page.evaluate(() => window.mapErrors), []);
  assert.deepEqual(errors, []);
});

test("layer calls with bad options throw errors that name the option or the layer", async () => {
  const { page, errors } = await pointMap("canvas2d");
  const cases = [
    ["(map) => map.addLayer({ kind: 'points' })", "INVALID_OPTION", /name/],
    ["(map) => map.addLayer({ name: 'x', kind: 'glow' })", "INVALID_OPTION", /"glow" is not a built-in layer kind/],
    ["(map) => map.addLayer({ name: 'x', kind: 'points', size: 3 })", "UNKNOWN_OPTION", /unknown option `size`/],
    ["(map) => map.addLayer({ name: 'x', kind: 'points', blend: 'screen' })", "INVALID_OPTION", /normal, add, multiply/],
    ["(map) => map.addLayer({ name: 'x', kind: 'points', uniforms: { radius: 'big' } })", "INVALID_OPTION", /radius/],
    ["(map) => map.addLayer({ name: 'heat', kind: 'points' })", "LAYER", /already exists/],
    ["(map) => map.addLayer({ name: 'x', kind: 'points', before: 'nope' })", "LAYER", /does not exist; the layers are: heat/],
    ["(map) => map.setUniform('heat', 'radius', 3)", "LAYER", /has no uniform `radius`/],
    ["(map) => map.updateLayer('heat', { opacity: 2 })", "LAYER", /outside \[0, 1\]/],
    ["(map) => map.removeLayer('nope')", "LAYER", /does not exist/],
  ];
  for (const [call, code, message] of cases) {
    const error = await layerError(page, call);
    assert.ok(error, `${call} throws`);
    assert.equal(error.name, "GeoheatError", call);
    assert.equal(error.code, code, `${call}: ${error.message}`);
    assert.match(error.message, message, call);
  }
  // `before` puts a layer under another; the failed calls above added nothing.
  await change(page, () => window.map.addLayer({ name: "dots", kind: "points", before: "heat" }));
  assert.deepEqual(await page.evaluate(() => window.map.layers().map((l) => l.name)), ["dots", "heat"]);
  assert.deepEqual(errors, []);
});

test("a custom WGSL layer renders its pixels on WebGPU, and setUniform changes them", async () => {
  const { page, errors } = await pointMap("webgpu");
  const heat = await snapshotOf(page);
  const info = await change(
    page,
    (wgsl) => window.map.addLayer({ name: "hot", wgsl, uniforms: { tint: [1, 0, 0, 1] } }),
    RED_WHERE_HOT,
  );
  assert.equal(info.kind, "custom");
  assert.equal(info.active, true);
  assert.deepEqual(info.uniforms, { tint: [1, 0, 0, 1] });
  let png = await snapshotOf(page);
  assert.deepEqual(pixel(png, CENTER), [255, 0, 0, 255]);
  assert.deepEqual(pixel(png, [CENTER[0] + 7, CENTER[1]]), [255, 0, 0, 255], "value ≈ 0.70 at 7 px");
  // At 13 px the value is ≈ 0.30: the heat layer shows through unchanged.
  assert.ok(compare(pixel(png, [CENTER[0] + 13, CENTER[1]]), pixel(heat, [CENTER[0] + 13, CENTER[1]])).max <= 1);
  assert.deepEqual(pixel(png, [10, 10]), [0, 0, 0, 0], "no density, nothing drawn");
  await change(page, () => window.map.setUniform("hot", "tint", [0, 1, 0, 1]));
  png = await snapshotOf(page);
  assert.deepEqual(pixel(png, CENTER), [0, 255, 0, 255]);
  assert.deepEqual(await page.evaluate(() => window.mapErrors), []);
  assert.deepEqual(errors, []);
});

test("bad WGSL is reported at its line and column and the page keeps rendering", async () => {
  const { page, errors } = await pointMap("webgpu");
  await change(page, (wgsl) => window.map.addLayer({ name: "hot", wgsl, uniforms: { tint: [1, 0, 0, 1] } }), RED_WHERE_HOT);
  const before = await snapshotOf(page);

  const syntax = await layerError(page, "(map, wgsl) => map.addLayer({ name: 'broken', wgsl })",
    "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    let x = value *;\n    return vec4(x);\n}\n");
  assert.equal(syntax.name, "GeoheatError");
  assert.equal(syntax.code, "WGSL_SYNTAX");
  assert.equal(syntax.layer, "broken");
  assert.deepEqual([syntax.line, syntax.column], [2, 20]);
  assert.match(syntax.message, /line 2, column 20/);

  const entry = await layerError(page, "(map, wgsl) => map.addLayer({ name: 'entry', wgsl })",
    "fn shade(value: f32) -> vec4<f32> {\n    return vec4(value);\n}\n");
  assert.equal(entry.code, "WGSL_ENTRY");
  assert.equal(entry.line, 1);
  assert.match(entry.message, /fn shade\(value: f32, density: f32, px: vec2<f32>\) -> vec4<f32>/);

  const binding = await layerError(page, "(map, wgsl) => map.addLayer({ name: 'spy', wgsl })",
    "// reads a buffer it was never given\n@group(0) @binding(7) var<storage, read> secret: array<f32>;\n" +
    "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> { return vec4(secret[0]); }\n");
  assert.equal(binding.code, "WGSL_BINDING");
  assert.equal(binding.line, 2);

  // A bad hot swap leaves the old shader drawing.
  const swap = await layerError(page, "(map, wgsl) => map.updateLayer('hot', { wgsl })", "fn shade(value: f32");
  assert.equal(swap.code, "WGSL_SYNTAX");
  const names = await page.evaluate(() => window.map.layers().map((l) => l.name));
  assert.deepEqual(names, ["heat", "hot"], "failed adds left nothing behind");

  // Away and back: the page keeps rendering, and the same state gives the same frame.
  await change(page, () => window.map.setView({ zoom: 4.5 }));
  await change(page, () => window.map.setView({ zoom: 4 }));
  const after = await snapshotOf(page);
  assert.deepEqual(Buffer.from(after.data), Buffer.from(before.data), "the old layer still draws");
  assert.deepEqual(await page.evaluate(() => window.mapErrors), []);
  assert.deepEqual(errors, []);
});

test("hot swap replaces a running layer's shader", async () => {
  const { page, errors } = await pointMap("webgpu");
  await change(page, (wgsl) => window.map.addLayer({ name: "hot", wgsl, uniforms: { tint: [1, 0, 0, 1] } }), RED_WHERE_HOT);
  const swapped = await change(
    page,
    (wgsl) => window.map.updateLayer("hot", { wgsl }),
    RED_WHERE_HOT.replace("u.tint", "vec4(0.0, 0.0, 1.0, 1.0)"),
  );
  assert.equal(swapped.name, "hot");
  const png = await snapshotOf(page);
  assert.deepEqual(pixel(png, CENTER), [0, 0, 255, 255]);
  assert.deepEqual(errors, []);
});

test("a non-finite result is reported once and drawn transparent; the heat layer is unaffected", async () => {
  const { page, errors } = await pointMap("webgpu");
  const heat = await snapshotOf(page);
  await change(page, () =>
    window.map.addLayer({
      name: "divide",
      wgsl: "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    return vec4(value / u.zero);\n}\n",
      uniforms: { zero: 0 },
    }),
  );
  await page.waitForFunction(() => window.mapErrors.length > 0);
  const png = await snapshotOf(page);
  const reported = await page.evaluate(() => window.mapErrors);
  assert.equal(reported[0].code, "LAYER_NON_FINITE");
  assert.equal(reported[0].layer, "divide");
  // Every pixel of the layer is NaN or infinite, so the frame is the heat layer's (composited).
  const { max } = compare(png.data.filter((_, i) => i % 4 === 3), heat.data.filter((_, i) => i % 4 === 3));
  assert.ok(max <= 1, `alpha differs from the heat frame by ${max}`);
  assert.ok(compare(pixel(png, CENTER), pixel(heat, CENTER)).max <= 1);
  await change(page, () => window.map.setView({ zoom: 4.2 }));
  assert.equal(await page.evaluate(() => window.mapErrors.length), 1, "reported once per shader, not per frame");
  assert.deepEqual(errors, []);
});

test("an animated layer keeps frames coming only while it is visible", async () => {
  const { page, errors } = await pointMap("webgpu");
  const info = await change(page, () =>
    window.map.addLayer({
      name: "pulse",
      wgsl: "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    return vec4(1.0, 1.0, 1.0, value * fract(geoheat.time));\n}\n",
      blend: "add",
    }),
  );
  assert.equal(info.animated, true);
  const count = () => page.evaluate(() => window.map.stats().framesRendered);
  const start = await count();
  await page.waitForFunction((n) => window.map.stats().framesRendered >= n + 5, start);
  await change(page, () => window.map.updateLayer("pulse", { visible: false }));
  await waitForFrames(page);
  const settled = await count();
  await page.waitForTimeout(300);
  assert.equal(await count(), settled, "no frames without changes once the animated layer is hidden");
  assert.deepEqual(errors, []);
});

test("on Canvas 2D a custom layer is kept inactive and announced; other layers keep drawing", async () => {
  const { page, errors } = await pointMap("canvas2d");
  const heat = await snapshotOf(page);
  // Blue: the heat ramp's top colour is red already.
  const info = await change(
    page,
    (wgsl) => window.map.addLayer({ name: "hot", wgsl, uniforms: { tint: [0, 0, 1, 1] } }),
    RED_WHERE_HOT,
  );
  assert.equal(info.active, false);
  assert.match(info.reason, /WebGPU/);
  const events = await page.evaluate(() => window.layerEvents);
  assert.deepEqual(events.map((e) => [e.name, e.active]), [["hot", false]]);
  const png = await snapshotOf(page);
  assert.notDeepEqual(pixel(png, CENTER), [0, 0, 255, 255]);
  const { max } = compare(png.data.filter((_, i) => i % 4 === 3), heat.data.filter((_, i) => i % 4 === 3));
  assert.ok(max <= 1, `the heat layer still draws (alpha differs by ${max})`);
  assert.deepEqual(await page.evaluate(() => window.mapErrors), []);
  assert.deepEqual(errors, []);
});

test("a custom layer comes back when the heatmap switches to WebGPU", async () => {
  const { page, errors } = await pointMap("canvas2d");
  await change(page, (wgsl) => window.map.addLayer({ name: "hot", wgsl, uniforms: { tint: [1, 0, 0, 1] } }), RED_WHERE_HOT);
  const out = await page.evaluate(async () => {
    const switched = new Promise((done) => window.map.on("backend", done));
    await window.map.setBackend("webgpu");
    return { event: await switched, backend: window.map.backend, inDom: document.body.contains(window.map.canvas) };
  });
  assert.deepEqual([out.event.from, out.event.to, out.backend, out.inDom], ["canvas2d", "webgpu", "webgpu", true]);
  await waitForFrames(page);
  const events = await page.evaluate(() => window.layerEvents.map((e) => [e.name, e.active]));
  assert.deepEqual(events, [["hot", false], ["hot", true]]);
  const png = await snapshotOf(page);
  assert.deepEqual(pixel(png, CENTER), [255, 0, 0, 255]);
  assert.deepEqual(errors, []);
});

// A shader that runs for ever: the f32 counter stops growing at 2^24, long before 1e9.
const FOREVER = `fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    var x = value;
    for (var i = 0.0; i < u.n; i += 1.0) {
        x = fract(x * 1.618 + 0.1);
    }
    return vec4(x, x, x, 1.0);
}
`;

// On SwiftShader the page's display stays frozen afterwards: the GPU process keeps running the
// shader (destroying the device does not stop it, and Chromium did not reset the GPU process in
// 87 s), so requestAnimationFrame never fires again and no frame reaches the screen. What the
// watchdog can give, and this checks, is the rest: the fall back, the reason, an inactive layer
// and a heatmap that keeps answering (its snapshot is the heat alone, drawn on the CPU). The
// browser is the test's own: the shader would keep the GPU process busy for the other tests.
test("a shader that never ends: the frame watchdog destroys the device, the heatmap falls back to Canvas 2D and the layer turns inactive", async (t) => {
  const browser = await startBrowser();
  t.after(() => browser.close());
  const { page, errors } = await pointMap("webgpu", browser);
  const out = await page.evaluate(async (wgsl) => {
    const fellBack = new Promise((done) => window.map.on("backend", done));
    const started = performance.now();
    const info = await window.map.addLayer({ name: "forever", wgsl, uniforms: { n: 1e9 } });
    const event = await fellBack;
    return { info, event, ms: performance.now() - started, backend: window.map.backend, events: window.layerEvents, layers: window.map.layers() };
  }, FOREVER);
  console.log(`fell back after ${Math.round(out.ms)} ms: ${out.event.reason}`);
  assert.equal(out.info.active, true, "the layer was accepted and drawn on WebGPU");
  assert.deepEqual([out.event.from, out.event.to, out.backend], ["webgpu", "canvas2d", "canvas2d"]);
  assert.match(out.event.reason, /did not finish within 10 s/);
  assert.ok(out.ms >= 10_000 && out.ms < 40_000, `fell back after ${out.ms} ms`);
  assert.deepEqual(out.events.map((e) => [e.name, e.active]), [["forever", false]]);
  const forever = out.layers.find((l) => l.name === "forever");
  assert.equal(forever.active, false);
  assert.match(forever.reason, /WebGPU/);
  const png = await snapshotOf(page);
  assert.ok(pixel(png, CENTER)[3] > 200, `heat at the centre: ${pixel(png, CENTER)}`);
  assert.equal(pixel(png, [5, 5])[3], 0, "clear far from the point: the layer (opaque everywhere) is not drawn");
  assert.deepEqual(errors, []);
});

test("losing the WebGPU device turns custom layers inactive with a layer event", async () => {
  const { page, errors } = await pointMap("webgpu");
  await change(page, (wgsl) => window.map.addLayer({ name: "hot", wgsl, uniforms: { tint: [1, 0, 0, 1] } }), RED_WHERE_HOT);
  await page.evaluate(() => window.map.loseDevice());
  await page.waitForFunction(() => window.layerEvents.length > 0);
  const out = await page.evaluate(() => ({ events: window.layerEvents, layers: window.map.layers() }));
  assert.deepEqual(out.events.map((e) => [e.name, e.active]), [["hot", false]]);
  assert.equal(out.layers.find((l) => l.name === "hot").active, false);
  await waitForFrames(page);
  assert.equal(await page.evaluate(() => window.map.backend), "canvas2d");
  assert.deepEqual(errors, []);
});

test("the demo's WGSL editor applies examples and shows errors inline", async () => {
  const { page, errors } = await openPage(env, "index.html");
  await page.waitForFunction(() => /^webgpu on /.test(document.getElementById("frame").textContent ?? ""));
  const examples = await page.evaluate(() => Array.from(document.getElementById("wgsl-example").options, (o) => o.value));
  assert.deepEqual(examples, ["", "bands", "pulse", "mask"]);
  await page.selectOption("#wgsl-example", "bands");
  await page.waitForFunction(() => window.heatmap.layers().some((l) => l.name === "custom" && l.active));
  await page.fill("#wgsl", "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n  return vec4(value, 0.0, 0.0 1.0);\n}\n");
  await page.waitForFunction(() => !document.getElementById("wgsl-error").hidden);
  const shown = await page.evaluate(() => document.getElementById("wgsl-error").textContent);
  assert.match(shown, /^WGSL_SYNTAX at line 2, column \d+/);
  assert.match(shown, /2 \|   return vec4\(value, 0\.0, 0\.0 1\.0\);/);
  await page.fill("#wgsl", "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n  return vec4(value, 0.0, 0.0, 1.0);\n}\n");
  await page.waitForFunction(() => document.getElementById("wgsl-error").hidden);
  await page.check("#layer-contours");
  const layers = await page.evaluate(() => window.heatmap.layers().map((l) => l.name));
  assert.deepEqual(layers, ["heat", "custom", "contours"]);
  assert.deepEqual(errors, []);
});
