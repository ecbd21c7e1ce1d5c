// End-to-end tests of the WebGPU backend in headless Chromium (SwiftShader: a software adapter,
// for correctness only, never for timings).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compare, decodePng, snapshotOf } from "./png.mjs";
import { openPage, startBrowser, waitForFrames, GOLDEN_SCENE } from "./browser.mjs";

// The golden scene with the backend left to each test.
const { backend: _canvas2d, ...create } = GOLDEN_SCENE.create;
const SCENE = { ...GOLDEN_SCENE, create };

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

/** Opens the harness with the earthquakes scene as `window.map` on `backend`. */
async function sceneMap(backend) {
  const opened = await openPage(env, "harness.html");
  await opened.page.waitForFunction(() => window.harnessReady);
  await opened.page.evaluate(
    async ([scene, backend]) => {
      const canvas = document.getElementById("map");
      window.map = await window.geoheat.Heatmap.create(canvas, { ...scene.create, backend });
      window.backendEvents = [];
      window.map.on("backend", (e) => window.backendEvents.push(e));
      window.frames = [];
      window.map.on("frame", (f) => window.frames.push(f));
      const bytes = new Uint8Array(await (await fetch("data/earthquakes.geojson")).arrayBuffer());
      window.map.loadGeoJSON(bytes, scene.load);
    },
    [SCENE, backend],
  );
  await waitForFrames(opened.page);
  return opened;
}

test("auto picks WebGPU on SwiftShader and reports the adapter as software", async () => {
  const { page, errors } = await sceneMap("auto");
  const out = await page.evaluate(() => ({
    backend: window.map.backend,
    adapter: window.map.adapter,
    stats: window.map.stats(),
    frame: window.frames.at(-1),
  }));
  console.log(`adapter: ${out.adapter}`);
  assert.equal(out.backend, "webgpu");
  assert.equal(out.stats.backend, "webgpu");
  assert.match(out.adapter, /\(software\)$/);
  assert.equal(out.stats.adapter, out.adapter);
  assert.equal(out.frame.backend, "webgpu");
  assert.equal(out.frame.points, 1663);
  assert.deepEqual(errors, []);
});

test("the WebGPU frame matches the Canvas 2D frame of the golden scene", async () => {
  const gpu = await sceneMap("webgpu");
  const cpu = await sceneMap("canvas2d");
  assert.equal(await gpu.page.evaluate(() => window.map.backend), "webgpu");
  assert.equal(await cpu.page.evaluate(() => window.map.backend), "canvas2d");
  const a = await snapshotOf(gpu.page);
  const b = await snapshotOf(cpu.page);
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
  const { max, psnr } = compare(a.data, b.data);
  console.log(`WebGPU vs Canvas 2D (${a.width}x${a.height}): max channel diff ${max}, PSNR ${psnr.toFixed(2)} dB`);
  assert.ok(a.data.some((v, i) => i % 4 === 3 && v > 200), "the WebGPU frame has opaque heat");
  // Canvas 2D shows the fast CPU path (the golden); WebGPU computes the exact kernel. They differ by
  // the fast path's error: at most 32 per channel (the bound of the CLI's GPU test), rarely.
  assert.ok(max <= 32, `max channel difference ${max}`);
  assert.ok(psnr >= 40, `PSNR ${psnr} dB`);
  // And against the golden PNG itself (the CLI's fast-path render of this scene).
  const golden = decodePng(readFileSync(fileURLToPath(new URL("../golden/earthquakes-california.png", import.meta.url))));
  assert.deepEqual([golden.width, golden.height], [a.width, a.height]);
  const vsGolden = compare(a.data, golden.data);
  console.log(`WebGPU vs golden: max channel diff ${vsGolden.max}, PSNR ${vsGolden.psnr.toFixed(2)} dB`);
  assert.ok(vsGolden.max <= 32 && vsGolden.psnr >= 40);
  // valueAt on WebGPU comes from a CPU density of the same scene.
  const values = await Promise.all(
    [gpu.page, cpu.page].map((p) => p.evaluate(() => [window.map.valueAt(200, 150), window.map.valueAt(-5, 0)])),
  );
  assert.ok(values[0][0] > 0);
  assert.ok(Math.abs(values[0][0] - values[1][0]) <= 1e-6 * Math.max(1, values[1][0]));
  assert.equal(values[0][1], undefined);
  assert.deepEqual(gpu.errors, []);
  assert.deepEqual(cpu.errors, []);
});

test("a lost device switches to Canvas 2D with the same view and points and keeps rendering", async () => {
  const { page, errors } = await sceneMap("webgpu");
  const before = await page.evaluate(() => ({ view: window.map.view(), points: window.map.pointCount }));
  const out = await page.evaluate(async () => {
    const switched = new Promise((done) => window.map.on("backend", done));
    const lost = window.map.loseDevice();
    const event = await switched;
    return { lost, event, originalInDom: document.getElementById("map") === window.map.canvas };
  });
  assert.equal(out.lost, true);
  assert.equal(out.event.from, "webgpu");
  assert.equal(out.event.to, "canvas2d");
  assert.ok(out.event.reason.length > 0);
  await page.waitForFunction(() => window.frames.some((f) => f.backend === "canvas2d"));
  await waitForFrames(page);
  const after = await page.evaluate(() => ({
    view: window.map.view(),
    points: window.map.pointCount,
    backend: window.map.backend,
    stats: window.map.stats(),
    inDom: document.body.contains(window.map.canvas),
    size: [window.map.canvas.clientWidth, window.map.canvas.clientHeight],
  }));
  assert.equal(after.backend, "canvas2d");
  assert.equal(after.stats.backend, "canvas2d");
  assert.equal(after.stats.adapter, null);
  assert.deepEqual(after.view, before.view);
  assert.equal(after.points, before.points);
  assert.ok(after.inDom, "the replacement canvas is in the document");
  assert.deepEqual(after.size, [400, 300], "the replacement canvas keeps the CSS size");
  // It keeps rendering: a view change gives a Canvas 2D frame, and the snapshot is the Canvas 2D one.
  const frames = await page.evaluate(() => window.map.stats().framesRendered);
  await page.evaluate(() => window.map.setView({ zoom: 4.5 }));
  await waitForFrames(page, "window.map", frames + 1);
  const png = await snapshotOf(page);
  assert.ok(png.data.some((v, i) => i % 4 === 3 && v > 0));
  assert.equal(await page.evaluate(() => window.frames.at(-1).backend), "canvas2d");
  assert.deepEqual(errors, []);
});

test("backend canvas2d never touches WebGPU", async () => {
  const opened = await openPage(env, "harness.html");
  const { page, errors } = opened;
  await page.waitForFunction(() => window.harnessReady);
  const out = await page.evaluate(async () => {
    let touched = 0;
    const gpu = navigator.gpu;
    for (const name of ["requestAdapter", "getPreferredCanvasFormat"]) {
      const original = gpu[name].bind(gpu);
      gpu[name] = (...args) => {
        touched++;
        return original(...args);
      };
    }
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
      if (type === "webgpu") touched++;
      return getContext.call(this, type, ...rest);
    };
    const map = await window.geoheat.Heatmap.create(document.getElementById("map"), { backend: "canvas2d" });
    const frame = new Promise((done) => map.on("frame", done));
    map.setPoints([0, 0, 1]);
    const f = await frame;
    return { touched, backend: map.backend, adapter: map.adapter ?? null, frameBackend: f.backend };
  });
  assert.equal(out.touched, 0);
  assert.equal(out.backend, "canvas2d");
  assert.equal(out.adapter, null);
  assert.equal(out.frameBackend, "canvas2d");
  assert.deepEqual(errors, []);
});

test("backend webgpu rejects with GPU_UNAVAILABLE when there is no adapter", async () => {
  const { page, errors } = await openPage(env, "harness.html");
  await page.waitForFunction(() => window.harnessReady);
  const out = await page.evaluate(async () => {
    navigator.gpu.requestAdapter = async () => null;
    let error = null;
    try {
      await window.geoheat.Heatmap.create(document.getElementById("map"), { backend: "webgpu" });
    } catch (e) {
      error = { name: e.name, code: e.code };
    }
    const auto = await window.geoheat.Heatmap.create(document.getElementById("map"), { backend: "auto" });
    return { error, auto: auto.backend };
  });
  assert.deepEqual(out.error, { name: "GeoheatError", code: "GPU_UNAVAILABLE" });
  assert.equal(out.auto, "canvas2d", "auto falls back to Canvas 2D on the same canvas");
  assert.deepEqual(errors, []);
});

test("the demo offers the backends and shows the backend and adapter of each frame", async () => {
  const { page, errors } = await openPage(env, "index.html");
  await page.waitForFunction(() => /^webgpu on .*\(software\)/.test(document.getElementById("frame").textContent ?? ""));
  const options = await page.evaluate(() => Array.from(document.getElementById("backend").options, (o) => o.value));
  assert.deepEqual(options, ["auto", "webgpu", "canvas2d"]);
  await page.selectOption("#backend", "canvas2d");
  await page.waitForURL(/backend=canvas2d/);
  await page.waitForFunction(() => /^canvas2d: /.test(document.getElementById("frame").textContent ?? ""));
  assert.equal(await page.evaluate(() => window.heatmap.backend), "canvas2d");
  assert.deepEqual(errors, []);
});

test("the WebGPU snapshot is what the canvas shows", async () => {
  const { page, errors } = await sceneMap("webgpu");
  const png = await snapshotOf(page);
  // A WebGPU canvas's texture is gone once presented, so the composited page is what was shown.
  const shown = decodePng(await page.locator("#map").screenshot({ omitBackground: true }));
  assert.deepEqual([shown.width, shown.height], [png.width, png.height]);
  let alpha = 0;
  let colour = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const a = png.data[i + 3];
    alpha = Math.max(alpha, Math.abs(shown.data[i + 3] - a));
    // Colour round-trips through premultiplied alpha: compare where it is not too faint.
    if (a >= 64) for (let k = 0; k < 3; k++) colour = Math.max(colour, Math.abs(shown.data[i + k] - png.data[i + k]));
  }
  console.log(`on screen vs snapshot: max alpha diff ${alpha}, max colour diff (alpha >= 64) ${colour}`);
  assert.ok(alpha <= 1, `alpha differs by ${alpha}`);
  assert.ok(colour <= 4, `colour differs by ${colour}`);
  assert.deepEqual(errors, []);
});
