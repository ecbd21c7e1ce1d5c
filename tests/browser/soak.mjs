// The browser soak: a seeded script of random calls, good and bad, against one heatmap on the
// page and one in a worker. Checked: no uncaught exception or unhandled rejection; every rejected
// call is a GeoheatError with a code; wasm memory stops growing after warm-up (a script run a
// second time allocates nothing new); and at the end the
// soaked heatmap's Canvas 2D frame equals, byte for byte, a fresh heatmap built from its final
// state (data, view, style, layers), so no failed call left anything half-changed.
//
// soak.test.mjs runs a short version. The long one is a command:
//   node tests/browser/soak.mjs [--calls 10000] [--seed 1] [--host page|worker|both]
// It prints the memory curve (wasm memory sampled every tenth of the run) and the call counts.
import { fileURLToPath } from "node:url";
import { openPage, startBrowser } from "./browser.mjs";

/**
 * Runs `calls` random calls on a heatmap of `host` ("page" or "worker") in a WebGPU-enabled
 * Chromium, so that `setBackend` and custom layers have something to switch to.
 * @returns the page-side summary (see `soakInPage`) and the page errors seen.
 */
export async function soak(env, { host, calls, seed }) {
  const { page } = await openPage(env, "harness.html");
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.waitForFunction(() => window.harnessReady);
  const summary = await page.evaluate(soakInPage, { host, calls, seed });
  await page.context().close();
  return { ...summary, pageErrors };
}

/**
 * The script, run inside the page (self-contained: Playwright sends its source). Returns
 * `{ counts, memory, failures, final }`: calls made per operation and how many were rejected,
 * the wasm memory curve, every check that failed, and the final comparison.
 */
async function soakInPage({ host, calls, seed }) {
  const lib = await import("./geoheat/index.js");
  const failures = [];
  const unhandled = [];
  window.addEventListener("unhandledrejection", (e) => unhandled.push(String(e.reason?.stack ?? e.reason)));

  // mulberry32: a small seeded generator, so that a failing run can be replayed.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const between = (lo, hi) => lo + random() * (hi - lo);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const chance = (p) => random() < p;

  const newCanvas = () => {
    document.querySelectorAll("canvas").forEach((c) => c.remove());
    const canvas = document.createElement("canvas");
    canvas.style.width = "320px";
    canvas.style.height = "240px";
    document.body.append(canvas);
    return canvas;
  };
  const CREATE = { center: [-120, 37], zoom: 4, devicePixelRatio: 1, backend: "canvas2d", normalize: "viewport" };
  const create = (canvas, options) => lib.Heatmap.create(canvas, host === "worker" ? { ...options, worker: true } : options);
  const settled = async (map) => {
    for (;;) {
      const s = await map.stats();
      if (!s.dirty) return s;
      await new Promise((r) => requestAnimationFrame(r));
    }
  };

  // What a fresh heatmap needs to show the same thing: the last data that loaded, the style as
  // the successful setStyle calls left it, and the wgsl of each custom layer. The view and the
  // layer stack are read back at the end.
  const model = { data: null, style: {}, wgsl: new Map() };
  const remember = (patch) => {
    if ("radius" in patch) delete model.style.radiusMeters;
    if ("radiusMeters" in patch) delete model.style.radius;
    Object.assign(model.style, patch);
  };

  const features = (n, spread) => {
    const out = [];
    const [cx, cy] = [between(-130, -100), between(25, 45)];
    for (let i = 0; i < n; i++) {
      out.push({
        type: "Feature",
        properties: { w: Math.round(between(0, 5) * 100) / 100 },
        geometry: { type: "Point", coordinates: [cx + between(-spread, spread), cy + between(-spread, spread)] },
      });
    }
    return { type: "FeatureCollection", features: out };
  };
  const encode = (value) => new TextEncoder().encode(JSON.stringify(value));
  const GOOD_WGSL = "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> { return ramp(value * u.gain); }";
  const BAD_WGSL = [
    "fn shade(value: f32) -> vec4<f32> { return vec4(value); }",
    "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> { return vec4(value, ); ",
    "@group(0) @binding(9) var<uniform> mine: f32; fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> { return vec4(mine); }",
  ];

  // Each operation: [name, weight, run(map) -> Promise | value]. A run either succeeds (and
  // updates the model) or must reject with a GeoheatError.
  const loadOptions = () => (chance(0.5) ? { weightProperty: "w", fitBounds: chance(0.3) } : { fitBounds: false });
  const load = async (map, data, options, replay) => {
    const report = await map.setData(data, options);
    model.data = { data: replay, options };
    return report;
  };
  const operations = [
    ["setData object", 6, (map) => { const fc = features(Math.floor(between(0, 300)), between(0.1, 8)); const o = loadOptions(); return load(map, fc, o, fc); }],
    ["setData bytes", 4, (map) => { const fc = features(Math.floor(between(1, 300)), 2); const o = loadOptions(); return load(map, encode(fc), o, fc); }],
    ["setData blob", 2, (map) => { const fc = features(Math.floor(between(1, 300)), 3); const o = loadOptions(); return load(map, new Blob([JSON.stringify(fc)]), o, fc); }],
    ["setData url", 1, (map) => { const o = { weightProperty: "mag", invalidWeight: "skip", fitBounds: false }; return load(map, "data/earthquakes.geojson", o, "data/earthquakes.geojson"); }],
    ["setData bad", 6, (map) => {
      const fc = features(20, 1);
      const bad = pick([
        () => encode(fc).slice(0, Math.floor(between(1, 200))),
        () => ({ ...fc, features: [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: ["x", 1] } }] }),
        () => ({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [10, 95] } }] }),
        () => new Blob([JSON.stringify(fc).slice(0, 150)]),
        () => "data/no-such-file.geojson",
        () => 42,
        () => encode({ type: "Nope" }),
      ])();
      return map.setData(bad, { weightProperty: "w" });
    }],
    ["setPoints", 2, (map) => {
      const n = Math.floor(between(0, 200));
      const triples = new Float64Array(n * 3);
      for (let i = 0; i < n; i++) triples.set([between(-125, -115), between(32, 42), between(0, 3)], i * 3);
      const bad = chance(0.4);
      if (bad && n > 0) triples[Math.floor(between(0, n)) * 3 + 1] = pick([NaN, 91, Infinity]);
      // Described before the call: the worker host transfers (detaches) the array.
      const fc = { type: "FeatureCollection", features: [] };
      for (let i = 0; i < n; i++) fc.features.push({ type: "Feature", properties: { w: triples[i * 3 + 2] }, geometry: { type: "Point", coordinates: [triples[i * 3], triples[i * 3 + 1]] } });
      return Promise.resolve(map.setPoints(triples, { fitBounds: false })).then((report) => {
        model.data = { data: fc, options: { weightProperty: "w", fitBounds: false } };
        return report;
      });
    }],
    ["setView", 10, (map) => map.setView(chance(0.85)
      ? { center: [between(-140, -90), between(20, 50)], zoom: between(2, 9) }
      : pick([{ zoom: NaN }, { center: [1] }, { center: [0, 100] }, { zoom: "4" }, { bearing: 3 }]))],
    ["fitBounds", 2, (map) => map.fitBounds(chance(0.8) ? [between(-130, -120), between(30, 35), between(-119, -100), between(36, 45)] : [10, 10, 5, NaN])],
    ["setStyle", 10, async (map) => {
      if (chance(0.25)) {
        return map.setStyle(pick([{ radius: -1 }, { opacity: 2 }, { colorRamp: "nope" }, { foo: 1 }, { normalize: "x" }, { colorRamp: [[0, "red"]] }, { radiusMeters: 0 }]));
      }
      const patch = {};
      if (chance(0.5)) patch.radius = between(4, 40);
      else if (chance(0.2)) patch.radiusMeters = between(2000, 60000);
      if (chance(0.3)) patch.intensity = between(0.5, 3);
      if (chance(0.3)) patch.normalize = pick(["viewport", "stable", between(0.5, 20)]);
      if (chance(0.3)) patch.colorRamp = pick(["classic", "viridis", "magma", "greys", [[0, "rgba(0,0,255,0)"], [0.5, "#0f0"], [1, "red"]]]);
      if (chance(0.3)) patch.opacity = between(0.2, 1);
      if (chance(0.2)) patch.threshold = between(0, 0.3);
      await map.setStyle(patch);
      remember(patch);
    }],
    ["addLayer", 3, async (map) => {
      const name = pick(["a", "b", "c"]);
      const custom = chance(0.4);
      const wgsl = custom ? (chance(0.6) ? GOOD_WGSL : pick(BAD_WGSL)) : undefined;
      const options = custom
        ? { name, wgsl, uniforms: { gain: between(0.5, 2) } }
        : { name, kind: pick(["points", "contours"]), opacity: between(0.3, 1), ...(chance(0.3) ? { before: "heat" } : {}) };
      await map.addLayer(options);
      if (wgsl) model.wgsl.set(name, wgsl);
      else model.wgsl.delete(name);
    }],
    ["updateLayer", 3, async (map) => {
      const name = pick(["a", "b", "c", "heat"]);
      const update = pick([
        () => ({ opacity: between(0, 1) }),
        () => ({ visible: chance(0.7) }),
        () => ({ blend: pick(["normal", "additive", "multiply", "screen", "sideways"]) }),
        () => ({ wgsl: chance(0.5) ? GOOD_WGSL : pick(BAD_WGSL), uniforms: { gain: 1 } }),
        () => ({ uniforms: { interval: between(0.1, 0.5) } }),
      ])();
      await map.updateLayer(name, update);
      if (update.wgsl) model.wgsl.set(name, update.wgsl);
    }],
    ["removeLayer", 2, async (map) => {
      const name = pick(["a", "b", "c"]);
      await map.removeLayer(name);
      model.wgsl.delete(name);
    }],
    ["setBackend", 2, (map) => map.setBackend(pick(["webgpu", "canvas2d", "vulkan"]))],
    ["loseDevice", 1, (map) => map.loseDevice()],
    ["resize", 2, (map) => {
      map.canvas.style.width = `${Math.round(between(120, 420))}px`;
      map.canvas.style.height = `${Math.round(between(90, 320))}px`;
      return map.resize();
    }],
    ["snapshot", 1, (map) => map.snapshot()],
    ["valueAt", 2, (map) => map.valueAt(between(-10, 400), between(-10, 300))],
    ["recreate", 0.2, null],
  ];
  const total = operations.reduce((sum, [, w]) => sum + w, 0);
  const choose = () => {
    let r = random() * total;
    for (const op of operations) if ((r -= op[1]) < 0) return op;
    return operations[0];
  };

  let map = await create(newCanvas(), CREATE);
  const recreate = async () => {
    await map.destroy();
    model.data = null;
    model.style = {};
    model.wgsl.clear();
    map = await create(newCanvas(), CREATE);
  };

  // Puts the heatmap back into one known state, so that both runs of the script start alike.
  const BASE_STYLE = { radius: 25, intensity: 1, normalize: "viewport", colorRamp: "classic", opacity: 1, threshold: 0 };
  const startOver = async () => {
    await map.setBackend("canvas2d");
    for (const { name } of await map.layers()) if (name !== "heat") await map.removeLayer(name);
    await map.updateLayer("heat", { visible: true, opacity: 1, blend: "normal" });
    map.canvas.style.width = "320px";
    map.canvas.style.height = "240px";
    await map.resize();
    await map.setStyle(BASE_STYLE);
    await map.setData("data/earthquakes.geojson", { weightProperty: "mag", invalidWeight: "skip", fitBounds: false });
    await map.setView({ center: CREATE.center, zoom: CREATE.zoom });
    model.style = { ...BASE_STYLE };
    model.data = { data: "data/earthquakes.geojson", options: { weightProperty: "mag", invalidWeight: "skip", fitBounds: false } };
    model.wgsl.clear();
    await settled(map);
  };

  // Three phases: chaos (60%, with destroy and create again), then one script run twice, from
  // the same seed. The first run is the warm-up: it meets every size the script will ask for. The
  // second asks for nothing new, so the wasm memory must not grow during it. Destroy and create
  // again happen in the chaos phase only: a worker heatmap gets a fresh worker and wasm memory.
  const counts = {};
  const memory = [];
  const chaos = Math.floor(calls * 0.6);
  const script = Math.floor((calls - chaos) / 2);
  const sampleEvery = Math.max(1, Math.floor(calls / 10));
  let memoryAfterWarmUp = 0;
  for (let i = 0; i < chaos + 2 * script; i++) {
    if (i === chaos || i === chaos + script) {
      await startOver();
      if (i === chaos + script) memoryAfterWarmUp = (await map.stats()).memoryBytes;
      state = (seed + 1) >>> 0;
    }
    let [name, , run] = choose();
    if (run === null && i >= chaos) [name, , run] = operations[0];
    const count = (counts[name] ??= { calls: 0, rejected: 0 });
    count.calls++;
    try {
      if (run === null) await recreate();
      else await run(map);
    } catch (e) {
      count.rejected++;
      if (!(e instanceof lib.GeoheatError)) failures.push(`call ${i} (${name}) threw a ${e?.name ?? typeof e} that is not a GeoheatError: ${e?.message ?? e}`);
      else if (typeof e.code !== "string" || e.code === "") failures.push(`call ${i} (${name}): GeoheatError without a code`);
      else if (e.code === "WORKER_ERROR" || e.code === "UNKNOWN") failures.push(`call ${i} (${name}): ${e.code}: ${e.message}`);
    }
    // Let frames run now and then, as a page would between user actions; in the script's runs
    // after every call, so that both runs make the same allocations in the same order.
    if (i >= chaos || i % 25 === 24) await settled(map);
    if (i % sampleEvery === sampleEvery - 1) memory.push((await map.stats()).memoryBytes);
  }
  await settled(map);
  const memoryAfterReplay = (await map.stats()).memoryBytes;

  // The final state, rebuilt on a fresh heatmap; both drawn on Canvas 2D and compared.
  await map.setBackend("canvas2d");
  await settled(map);
  const view = await map.view();
  const layers = await map.layers();
  const size = [map.canvas.style.width, map.canvas.style.height];
  const shot = await map.snapshot();

  const fresh = await create(newCanvas(), { ...CREATE, ...model.style, center: view.center, zoom: view.zoom });
  fresh.canvas.style.width = size[0];
  fresh.canvas.style.height = size[1];
  await fresh.resize();
  if (model.data) await fresh.setData(model.data.data, { ...model.data.options, fitBounds: false });
  await fresh.setView({ center: view.center, zoom: view.zoom });
  const heatAt = layers.findIndex((l) => l.name === "heat");
  if (heatAt < 0) await fresh.removeLayer("heat");
  for (const [at, layer] of layers.entries()) {
    const look = { visible: layer.visible, opacity: layer.opacity, blend: layer.blend };
    if (layer.name === "heat") {
      await fresh.updateLayer("heat", look);
      continue;
    }
    const wgsl = model.wgsl.get(layer.name);
    const kind = wgsl ? { wgsl } : { kind: layer.kind };
    await fresh.addLayer({ name: layer.name, ...kind, uniforms: layer.uniforms, ...look, ...(heatAt > at ? { before: "heat" } : {}) });
  }
  await settled(fresh);
  const again = await fresh.snapshot();
  let firstDifference = -1;
  for (let i = 0; i < Math.max(shot.length, again.length); i++) {
    if (shot[i] !== again[i]) {
      firstDifference = i;
      break;
    }
  }
  await fresh.destroy();
  await map.destroy();
  failures.push(...unhandled.map((u) => `unhandled rejection: ${u}`));
  return {
    counts,
    memory,
    memoryAfterWarmUp,
    memoryAfterReplay,
    failures,
    final: { bytes: [shot.length, again.length], firstDifference, points: model.data ? "loaded" : "none", layers: layers.map((l) => l.name) },
  };
}

/** Whether wasm memory grew while the warmed-up script ran a second time. */
export function memoryGrew(out) {
  return out.memoryAfterReplay > out.memoryAfterWarmUp;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : fallback;
  };
  const calls = Number(arg("--calls", "10000"));
  const seed = Number(arg("--seed", "1"));
  const which = arg("--host", "both");
  const hosts = which === "both" ? ["page", "worker"] : [which];
  const env = await startBrowser({ flags: "webgpu" });
  let failed = false;
  try {
    for (const host of hosts) {
      const started = performance.now();
      const out = await soak(env, { host, calls, seed });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`== ${host}: ${calls} calls, seed ${seed}, ${seconds} s`);
      console.log(`wasm memory (MiB) every ${calls / 10} calls: ${out.memory.map((b) => (b / 2 ** 20).toFixed(1)).join(" ")}`);
      console.log(`after the warm-up run: ${out.memoryAfterWarmUp} bytes; after the same script again: ${out.memoryAfterReplay} bytes`);
      for (const [name, c] of Object.entries(out.counts)) console.log(`  ${name}: ${c.calls} calls, ${c.rejected} rejected`);
      console.log(`final frame: ${JSON.stringify(out.final)}`);
      const problems = [...out.failures, ...out.pageErrors];
      if (out.final.firstDifference >= 0) problems.push(`the final frame differs from a fresh heatmap's at byte ${out.final.firstDifference}`);
      if (memoryGrew(out)) problems.push("wasm memory grew after warm-up");
      for (const p of problems) console.log(`FAIL ${p}`);
      failed ||= problems.length > 0;
    }
  } finally {
    await env.close();
  }
  process.exitCode = failed ? 1 : 0;
}
