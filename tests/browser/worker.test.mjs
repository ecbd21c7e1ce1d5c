// The Worker host: Heatmap.create(canvas, { worker: true }) runs the heatmap on an OffscreenCanvas
// in a dedicated worker behind a page-side proxy. Methods, events, input, errors across the
// boundary, transfers, the WebGPU → Canvas 2D fall back and destroy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodePng } from "./png.mjs";
import { openPage, startBrowser, GOLDEN_SCENE } from "./browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCENE = GOLDEN_SCENE;

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

/** The harness page with the entry module as `window.lib` and `window.settled(map)`. */
async function libPage() {
  const opened = await openPage(env, "harness.html");
  await opened.page.waitForFunction(() => window.harnessReady);
  await opened.page.evaluate(async () => {
    window.lib = await import("./geoheat/index.js");
    // Resolves once `map` (page or worker host) has drawn `frames` frames and shows every change.
    window.settled = async (map, frames = 1) => {
      for (;;) {
        const s = await map.stats();
        if (s.framesRendered >= frames && !s.dirty) return s;
        await new Promise((r) => requestAnimationFrame(r));
      }
    };
  });
  return opened;
}

/** A worker heatmap of the golden scene as `window.heat`, with its events recorded in `window.seen`. */
async function workerScene(create = SCENE.create) {
  const opened = await libPage();
  const out = await opened.page.evaluate(async ({ create, load }) => {
    const canvas = document.getElementById("map");
    const heat = await window.lib.Heatmap.create(canvas, { ...create, worker: true });
    window.heat = heat;
    window.seen = { frame: [], load: [], progress: [], view: [], backend: [], layer: [] };
    for (const name of Object.keys(window.seen)) heat.on(name, (payload) => window.seen[name].push(payload));
    const report = await heat.setData("data/earthquakes.geojson", load);
    await window.settled(heat);
    return { report, transferred: (() => { try { canvas.getContext("2d"); return false; } catch { return true; } })() };
  }, { create, load: SCENE.load });
  return { ...opened, ...out };
}

const decode = async (page, expr) => decodePng(Uint8Array.from(await page.evaluate(async (e) => Array.from(await eval(e)), expr)));

test("a worker heatmap loads, draws the golden frame and answers every method", async () => {
  const { page, errors, report, transferred } = await workerScene();
  assert.ok(transferred, "the canvas was transferred to the worker (no context on the page)");
  assert.equal(report.points, 1663);
  assert.equal(report.skippedByPolicy, 44);

  const golden = decodePng(readFileSync(`${ROOT}tests/golden/earthquakes-california.png`));
  const shot = await decode(page, "window.heat.snapshot()");
  assert.deepEqual([shot.width, shot.height], [golden.width, golden.height]);
  const differing = shot.data.filter((v, i) => v !== golden.data[i]).length;
  assert.equal(differing, 0, `${differing} bytes of the worker's frame differ from the CLI's golden`);

  const out = await page.evaluate(async () => {
    const heat = window.heat;
    const snapshot = heat.snapshot();
    const view = await heat.view();
    const value = await heat.valueAt(200, 150);
    const outside = await heat.valueAt(-5, -5);
    const legend = await heat.legend();
    const stats = await heat.stats();
    const points = await heat.points();
    const origin = await heat.pointsOrigin();
    const layers = await heat.layers();
    const dots = await heat.addLayer({ name: "dots", kind: "points", uniforms: { radius: 2 } });
    await heat.setView({ zoom: 5 });
    const zoomed = await heat.view();
    await window.settled(heat, stats.framesRendered + 1);
    return {
      isPromise: snapshot instanceof Promise,
      view, value, outside, legend, stats, pointsLength: points.length, pointsType: points.constructor.name, origin,
      layers: layers.map((l) => l.name), dots, zoomed,
      backend: heat.backend, adapter: heat.adapter, pointCount: heat.pointCount,
      events: { load: window.seen.load, frames: window.seen.frame.length, lastFrame: window.seen.frame.at(-1), views: window.seen.view, progress: window.seen.progress.at(-1) },
    };
  });
  assert.ok(out.isPromise, "methods that return a value return a Promise");
  assert.deepEqual(out.view, { center: [-120, 37], zoom: 4, width: 400, height: 300, devicePixelRatio: 1 }, "the page's CSS size reached the worker");
  assert.ok(out.value > 0, "density under the centre");
  assert.equal(out.outside, undefined);
  assert.equal(out.legend.normalize, "viewport");
  assert.ok(out.legend.max > 0);
  assert.equal(out.stats.backend, "canvas2d");
  assert.equal(out.pointsLength, 3 * 1663);
  assert.equal(out.pointsType, "Float32Array");
  assert.equal(out.origin.length, 2);
  assert.deepEqual(out.layers, ["heat"]);
  assert.equal(out.dots.name, "dots");
  assert.equal(out.zoomed.zoom, 5);
  assert.equal(out.backend, "canvas2d");
  assert.equal(out.adapter, undefined);
  assert.equal(out.pointCount, 1663);
  assert.equal(out.events.load.length, 1);
  assert.deepEqual(out.events.load[0], report, "the load event is the report");
  assert.ok(out.events.frames >= 2, "frame events are forwarded");
  assert.equal(out.events.lastFrame.backend, "canvas2d");
  assert.equal(out.events.lastFrame.points, 1663);
  assert.deepEqual(out.events.views.map((v) => v.zoom), [5], "view events are forwarded");
  assert.deepEqual(out.events.progress, { phase: "stream", bytes: report.bytes, totalBytes: report.bytes, features: 1707 });
  assert.deepEqual(errors, []);
});

test("a drag, the wheel and keys on the page move the worker's view", async () => {
  const { page, errors } = await workerScene();
  const box = await page.locator("#map").boundingBox();
  const before = await page.evaluate(() => window.heat.view());
  await page.mouse.move(box.x + 200, box.y + 150);
  await page.mouse.down();
  await page.mouse.move(box.x + 230, box.y + 160, { steps: 3 });
  await page.mouse.move(box.x + 250, box.y + 170, { steps: 2 });
  await page.mouse.up();
  // Input is forwarded as messages: wait until the worker has applied all of it.
  await page.waitForFunction(() => window.seen.view.length > 0 && window.seen.view.at(-1).center[0] < -121);
  const dragged = await page.evaluate(() => window.heat.view());
  // 50 px right at zoom 4 (8192 px per 360°) moves the centre 50 / 8192 × 360° west.
  assert.ok(Math.abs(dragged.center[0] - (before.center[0] - (50 / 8192) * 360)) < 1e-9, `centre longitude ${dragged.center[0]}`);
  assert.ok(dragged.center[1] > before.center[1], "dragging down moves the centre north");
  assert.equal(dragged.zoom, before.zoom);

  await page.locator("#map").focus();
  await page.keyboard.press("+");
  await page.waitForFunction(() => window.seen.view.at(-1).zoom === 5);
  await page.mouse.move(box.x + 200, box.y + 150);
  await page.mouse.wheel(0, 300);
  await page.waitForFunction(() => window.seen.view.at(-1).zoom === 4);
  const frames = await page.evaluate(() => window.seen.frame.length);
  await page.evaluate(() => window.settled(window.heat));
  assert.ok(frames >= 2);
  assert.deepEqual(errors, []);
});

test("errors in the worker reach the page as GeoheatErrors with their fields", async () => {
  const { page, errors } = await workerScene();
  const out = await page.evaluate(async () => {
    const heat = window.heat;
    const bad = new TextEncoder().encode('{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},\n{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,"x"]}}]}');
    // The page host's error for the same bytes, to compare field by field.
    const local = await window.lib.Heatmap.create(document.createElement("canvas"), { backend: "canvas2d" });
    const expected = await local.setData(bad.slice()).catch((e) => e);
    local.destroy();
    const fields = (e) => ({ isGeoheatError: e instanceof window.lib.GeoheatError, isError: e instanceof Error, name: e.name, code: e.code, message: e.message, line: e.line, column: e.column, byteOffset: e.byteOffset, featureIndex: e.featureIndex, option: e.option, layer: e.layer, url: e.url, status: e.status });
    const attempts = {
      bytes: () => heat.setData(bad),
      missing: () => heat.setData("data/no-such-file.geojson"),
      style: () => heat.setStyle({ radius: -1 }),
      unknownOption: () => heat.setView({ centre: [0, 0] }),
      wgsl: () => heat.addLayer({ name: "broken", wgsl: "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n  return vec4<f32>(value, 0.0, 0.0 1.0);\n}" }),
      object: () => heat.setData({ type: "Feature", properties: { w: "x" }, geometry: { type: "Point", coordinates: [0, 0] } }, { weightProperty: "w" }),
    };
    const caught = {};
    for (const [name, attempt] of Object.entries(attempts)) caught[name] = await attempt().then(() => null, fields);
    let unknownEvent = null;
    try {
      heat.on("nope", () => {});
    } catch (e) {
      unknownEvent = fields(e);
    }
    return { caught, expected: fields(expected), unknownEvent, points: heat.pointCount, stats: await heat.stats() };
  });
  const { bytes, missing, style, unknownOption, wgsl, object } = out.caught;
  for (const [name, e] of Object.entries(out.caught)) {
    assert.ok(e, `${name} rejected`);
    assert.ok(e.isGeoheatError && e.isError, `${name}: a GeoheatError`);
  }
  const { isGeoheatError, ...expected } = out.expected;
  assert.equal(isGeoheatError, true);
  assert.deepEqual({ ...bytes, isGeoheatError: undefined }, { ...expected, isGeoheatError: undefined }, "the same fields as the page host's error");
  assert.equal(bytes.line, 3);
  assert.equal(bytes.featureIndex, 1);
  assert.equal(missing.code, "FETCH_FAILED");
  assert.equal(missing.status, 404);
  assert.match(missing.url, /\/data\/no-such-file\.geojson$/, "a relative URL is resolved against the page");
  assert.equal(style.code, "INVALID_OPTION");
  assert.equal(style.option, "radius");
  assert.equal(unknownOption.code, "UNKNOWN_OPTION");
  assert.equal(unknownOption.option, "centre");
  assert.equal(wgsl.code, "WGSL_SYNTAX");
  assert.equal(wgsl.layer, "broken");
  assert.equal(wgsl.line, 2);
  assert.equal(object.code, "GEOJSON_NON_NUMERIC_WEIGHT");
  assert.equal(object.featureIndex, 0);
  assert.equal(out.unknownEvent.code, "UNKNOWN_EVENT");
  assert.equal(out.points, 1663, "failed loads kept the data");
  assert.equal(out.stats.dirty, false);
  assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
});

test("bytes cross to the worker by transfer, and streams and objects load there", async () => {
  const { page, errors } = await workerScene();
  const out = await page.evaluate(async (load) => {
    const heat = window.heat;
    const buffer = await (await fetch("data/earthquakes.geojson")).arrayBuffer();
    const size = buffer.byteLength;
    const fromBuffer = await heat.setData(buffer, load);
    const detached = buffer.byteLength === 0;
    const fromStream = await heat.setData((await fetch("data/earthquakes.geojson")).body, load);
    const fromResponse = await heat.setData(await fetch("data/earthquakes.geojson"), load);
    const text = await (await fetch("data/earthquakes.geojson")).text();
    const fromObject = await heat.setData(JSON.parse(text), load);
    const png = await heat.snapshot();
    return { size, detached, reports: [fromBuffer, fromStream, fromResponse, fromObject].map(({ ms, bytes, ...r }) => r), bytes: [fromBuffer.bytes, fromStream.bytes, fromObject.bytes], pngIsBytes: png instanceof Uint8Array };
  }, SCENE.load);
  assert.ok(out.detached, "the ArrayBuffer was transferred, not copied");
  for (const report of out.reports) assert.deepEqual(report, out.reports[0]);
  assert.deepEqual(out.bytes, [out.size, out.size, 0]);
  assert.ok(out.pngIsBytes);
  assert.deepEqual(errors, []);
});

test("a lost WebGPU device in the worker falls back to Canvas 2D on a new placeholder, keeping data, view and style", async () => {
  const { page, errors } = await workerScene({ ...SCENE.create, backend: "auto" });
  const backend = await page.evaluate(() => window.heat.backend);
  // SwiftShader gives workers a WebGPU adapter with float32 blending (see webgpu.test.mjs).
  assert.equal(backend, "webgpu", "the worker starts on WebGPU");
  const out = await page.evaluate(async () => {
    const heat = window.heat;
    const original = heat.canvas;
    const lost = await heat.loseDevice();
    // The backend event, then a Canvas 2D frame on the new placeholder.
    while (!(window.seen.backend.length > 0 && window.seen.frame.some((f) => f.backend === "canvas2d"))) {
      await new Promise((r) => requestAnimationFrame(r));
    }
    const stats = await window.settled(heat);
    return {
      lost, event: window.seen.backend[0], backend: heat.backend, stats, points: heat.pointCount, view: await heat.view(),
      replaced: heat.canvas !== original && !original.isConnected && heat.canvas.isConnected && heat.canvas.id === "map",
    };
  });
  assert.equal(out.lost, true);
  assert.deepEqual([out.event.from, out.event.to], ["webgpu", "canvas2d"]);
  assert.equal(out.backend, "canvas2d");
  assert.equal(out.stats.backend, "canvas2d");
  assert.ok(out.replaced, "a fresh placeholder took the old one's place");
  assert.equal(out.points, 1663);
  assert.deepEqual(out.view.center, [-120, 37]);
  // Same data, view and style on Canvas 2D: the golden frame.
  const golden = decodePng(readFileSync(`${ROOT}tests/golden/earthquakes-california.png`));
  const shot = await decode(page, "window.heat.snapshot()");
  assert.equal(shot.data.filter((v, i) => v !== golden.data[i]).length, 0, "the Canvas 2D frame after the fall back is the golden");
  // Input follows the new placeholder.
  const box = await page.locator("#map").boundingBox();
  await page.mouse.move(box.x + 100, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(box.x + 140, box.y + 100, { steps: 2 });
  await page.mouse.up();
  await page.waitForFunction(() => window.seen.view.length > 0);
  assert.deepEqual(errors, []);
});

test("destroy ends the worker and the proxy", async () => {
  const { page, errors } = await workerScene();
  const out = await page.evaluate(async () => {
    const heat = window.heat;
    const frames = window.seen.frame.length;
    await heat.destroy();
    const after = await heat.stats().then(() => null, (e) => ({ code: e.code, isGeoheatError: e instanceof window.lib.GeoheatError }));
    await heat.destroy(); // a second call is a no-op
    return { after, frames };
  });
  assert.deepEqual(out.after, { code: "DESTROYED", isGeoheatError: true });
  // The placeholder's listeners are gone: input does nothing and throws nothing.
  const box = await page.locator("#map").boundingBox();
  await page.mouse.move(box.x + 100, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(box.x + 150, box.y + 100, { steps: 2 });
  await page.mouse.up();
  assert.deepEqual(await page.evaluate(() => window.seen.view.length), 0);
  assert.deepEqual(errors, []);
});
