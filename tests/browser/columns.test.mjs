// Columns, filters and time on both hosts: the earthquakes load once with `properties` and
// `timeProperty`, then the weight, the filter and the time window change without a fetch or a
// parse (requests counted by Playwright, loads by the `load` event), each change redraws, bad
// expressions reject with a GeoheatError naming the wrong part and leave the frame as it was,
// and play/pause move the window with `time` events. `aggregation: "mean"` draws the mean weight
// (valueAt matches the exact mean computed here, the legend names it), and a MapLibre layer's new
// `heatmap-weight` weighs the kept column instead of loading again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodePng } from "./png.mjs";
import { openPage, startBrowser, GOLDEN_SCENE } from "./browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FEATURES = JSON.parse(readFileSync(`${ROOT}www/data/earthquakes.geojson`, "utf8")).features;
const LOAD = { properties: ["mag"], timeProperty: "time", fitBounds: false };
const WINDOW = ["2018-02-05T00:00:00Z", "2018-02-06T12:00:00Z"];
const DAY_MS = 86_400_000;

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

/** Features that pass `test`, counted here from the file itself. */
const count = (test) => FEATURES.filter((f) => test(f.properties)).length;

/**
 * The exact mean of the golden scene weighted by `mag` (crate/src/raster/reference.rs): at the
 * centre of device pixel (i, j), Σ mag·K / max(Σ K, 1) over the features with a magnitude of at
 * least 0, K = exp(−d² / 2σ²) inside the square |dx|, |dy| ≤ r (σ = r/3), with their coverage Σ K.
 */
function exactMean() {
  const { center, zoom, radius: r } = GOLDEN_SCENE.create;
  const [width, height] = [400, 300]; // harness.html's canvas, CSS px at a pixel ratio of 1
  const scale = 512 * 2 ** zoom;
  const world = ([lon, lat]) => {
    const phi = (lat * Math.PI) / 180;
    return [(lon + 180) / 360, (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2];
  };
  const [cx, cy] = world(center);
  const sum = new Float64Array(width * height);
  const coverage = new Float64Array(width * height);
  const twoSigma2 = 2 * (r / 3) ** 2;
  for (const f of FEATURES) {
    const mag = f.properties.mag;
    if (typeof mag !== "number" || !(mag >= 0)) continue;
    const [wx, wy] = world(f.geometry.coordinates);
    const [px, py] = [(wx - cx) * scale + width / 2, (wy - cy) * scale + height / 2];
    for (let j = Math.max(0, Math.floor(py - r - 1)); j <= Math.min(height - 1, Math.ceil(py + r)); j++) {
      const dy = j + 0.5 - py;
      if (Math.abs(dy) > r) continue;
      for (let i = Math.max(0, Math.floor(px - r - 1)); i <= Math.min(width - 1, Math.ceil(px + r)); i++) {
        const dx = i + 0.5 - px;
        if (Math.abs(dx) > r) continue;
        const k = Math.exp(-(dx * dx + dy * dy) / twoSigma2);
        sum[j * width + i] += mag * k;
        coverage[j * width + i] += k;
      }
    }
  }
  return { width, mean: (i, j) => sum[j * width + i] / Math.max(coverage[j * width + i], 1), coverage: (i, j) => coverage[j * width + i] };
}

/**
 * The harness page with a heatmap of the golden scene (`worker` host or the page's) as
 * `window.heat`, the earthquakes loaded once with LOAD, its `load` and `time` events recorded, and
 * the requests for the data counted.
 */
async function loaded(worker) {
  const opened = await openPage(env, "harness.html");
  const { page } = opened;
  const requests = [];
  // The context sees a dedicated worker's requests as well as the page's.
  page.context().on("request", (r) => r.url().includes("earthquakes") && requests.push(r.url()));
  await page.waitForFunction(() => window.harnessReady);
  await page.evaluate(
    async ({ create, load, worker }) => {
      const lib = await import("./geoheat/index.js");
      const heat = await lib.Heatmap.create(document.getElementById("map"), { ...create, worker });
      window.heat = heat;
      window.seen = { load: 0, time: [] };
      heat.on("load", () => window.seen.load++);
      heat.on("time", (e) => window.seen.time.push(e.window));
      // Resolves with the stats once the heatmap shows every change.
      window.settled = async () => {
        for (;;) {
          const s = await heat.stats();
          if (s.framesRendered >= 1 && !s.dirty) return s;
          await new Promise((r) => requestAnimationFrame(r));
        }
      };
      // Applies `change` (a method name and its arguments) and reports what it did: the error
      // (its name, code, path, option and message) or nothing, the points drawn, the frames rendered and
      // the PNG of the frame after it.
      window.apply = async (method, ...args) => {
        let error = null;
        try {
          await heat[method](...args);
        } catch (e) {
          error = { name: e.name, code: e.code, path: e.path, option: e.option, message: e.message, isGeoheat: e instanceof lib.GeoheatError };
        }
        const stats = await window.settled();
        const png = Array.from(await heat.snapshot());
        return { error, points: heat.pointCount, frames: stats.framesRendered, png };
      };
      await heat.setData("data/earthquakes.geojson", load);
    },
    { create: GOLDEN_SCENE.create, load: LOAD, worker },
  );
  return { ...opened, requests };
}

for (const worker of [false, true]) {
  const host = worker ? "worker" : "page";

  test(`${host}: weight, filter and time window change without a fetch or a parse, and each redraws`, async () => {
    const { page, errors, requests } = await loaded(worker);
    const apply = (method, ...args) => page.evaluate(([m, a]) => window.apply(m, ...a), [method, args]);
    const loads = () => page.evaluate(() => window.seen.load);
    const first = await apply("stats");
    assert.equal(first.points, FEATURES.length, "every feature is drawn, weighing 1");
    assert.deepEqual([requests.length, await loads()], [1, 1]);

    // By magnitude: the points and weights of a load with weightProperty "mag" (negative
    // magnitudes left out), so the frame is the CLI's golden, byte for byte.
    const byMag = await apply("setWeight", "mag");
    assert.equal(byMag.error, null);
    assert.equal(byMag.points, count((p) => p.mag >= 0));
    assert.ok(byMag.frames > first.frames, "the weight change redrew");
    const golden = decodePng(readFileSync(`${ROOT}tests/golden/earthquakes-california.png`));
    const shot = decodePng(Uint8Array.from(byMag.png));
    assert.equal(shot.data.filter((v, i) => v !== golden.data[i]).length, 0, "the frame weighted by mag is the golden one");

    const doubled = await apply("setWeight", ["*", ["get", "mag"], 2]);
    assert.equal(doubled.points, byMag.points);
    assert.ok(doubled.frames > byMag.frames);

    const strong = await apply("setFilter", [">=", ["get", "mag"], 4]);
    assert.equal(strong.points, count((p) => p.mag >= 4));
    assert.ok(strong.frames > doubled.frames, "the filter change redrew");
    assert.notDeepEqual(strong.png, doubled.png, "the filter changed the frame");

    const [t0, t1] = WINDOW.map((t) => Date.parse(t));
    const windowed = await apply("setTimeWindow", WINDOW);
    assert.equal(windowed.points, count((p) => p.mag >= 4 && p.time >= t0 && p.time < t1));
    assert.ok(windowed.points > 0 && windowed.points < strong.points);
    assert.ok(windowed.frames > strong.frames, "the window change redrew");
    assert.notDeepEqual(windowed.png, strong.png, "the window changed the frame");
    const inMs = await apply("setTimeWindow", [t0, t1]);
    assert.equal(inMs.points, windowed.points, "epoch ms and ISO 8601 name the same window");
    assert.deepEqual(inMs.png, windowed.png);

    // Bad expressions: a GeoheatError naming the part, and the frame after it is the one before.
    const unknown = await apply("setFilter", ["all", [">=", ["get", "depth"], 10]]);
    assert.equal(unknown.error?.isGeoheat, true);
    assert.equal(unknown.error.code, "INVALID_EXPRESSION");
    assert.equal(unknown.error.path, "filter[1][1][1]");
    assert.match(unknown.error.message, /"depth" was not kept.*kept: mag, time/);
    const malformed = await apply("setWeight", ["*", ["get", "mag"], "two"]);
    assert.deepEqual([malformed.error.code, malformed.error.path], ["INVALID_EXPRESSION", "weight[2]"]);
    // Nested past the reader's depth bound (which also ends an array that contains itself).
    let deep = ["get", "mag"];
    for (let i = 0; i < 70; i++) deep = ["-", deep];
    const tooDeep = await apply("setWeight", deep);
    assert.deepEqual([tooDeep.error.code, tooDeep.error.path], ["INVALID_EXPRESSION", "weight"]);
    assert.match(tooDeep.error.message, /nested deeper than 64 arrays/);
    const badWindow = await apply("setTimeWindow", ["2018-02-06", "yesterday"]);
    assert.deepEqual([badWindow.error.code, badWindow.error.option], ["INVALID_OPTION", "timeWindow"]);
    for (const rejected of [unknown, malformed, tooDeep, badWindow]) {
      assert.equal(rejected.frames, inMs.frames, "a rejected call draws nothing");
      assert.equal(rejected.points, inMs.points, "the previous selection stays");
      assert.deepEqual(rejected.png, inMs.png, "the frame after a rejected call is the one before");
    }

    await apply("setWeight", null);
    await apply("setFilter", null);
    const reset = await apply("setTimeWindow", null);
    assert.equal(reset.points, FEATURES.length);
    assert.deepEqual(reset.png, first.png, "clearing the selection shows the load again");

    assert.deepEqual([requests.length, await loads()], [1, 1], "one fetch and one parse for every change");
    assert.deepEqual(errors, []);
  });

  test(`${host}: aggregation "mean" draws the mean weight: another frame, valueAt the exact mean, the legend says so`, async () => {
    const { page, errors, requests } = await loaded(worker);
    const apply = (method, ...args) => page.evaluate(([m, a]) => window.apply(m, ...a), [method, args]);
    const legend = () => page.evaluate(() => window.heat.legend());
    const sum = await apply("setWeight", "mag");
    const sumLegend = await legend();
    assert.deepEqual([sumLegend.aggregation, sumLegend.label], ["sum", "density"]);

    const mean = await apply("setStyle", { aggregation: "mean" });
    assert.equal(mean.error, null);
    assert.equal(mean.points, sum.points, "the same points");
    assert.ok(mean.frames > sum.frames, "the aggregation change redrew");
    assert.notDeepEqual(mean.png, sum.png, "a mean frame differs from the sum's");
    const meanLegend = await legend();
    assert.deepEqual([meanLegend.aggregation, meanLegend.label], ["mean", "mean weight"]);
    // A weighted mean lies within the weights; the sum's top is far above any one magnitude.
    const topMag = Math.max(...FEATURES.map((f) => f.properties.mag));
    assert.ok(meanLegend.max > 0 && meanLegend.max <= topMag + 1e-3, `mean max ${meanLegend.max}, largest mag ${topMag}`);
    assert.ok(sumLegend.max > topMag, `sum max ${sumLegend.max}`);

    // valueAt at the pixels (one in 7 along each axis) where the coverage reaches 1: the exact
    // mean, within the fast path's error: 2.5% of the largest magnitude (6.4), 0.16. Measured:
    // 0.087 at worst over 696 pixels.
    const exact = exactMean();
    const pixels = [];
    for (let j = 3; j < 300; j += 7) for (let i = 3; i < exact.width; i += 7) if (exact.coverage(i, j) >= 1) pixels.push([i, j]);
    assert.ok(pixels.length > 20, `${pixels.length} covered pixels`);
    const values = await page.evaluate(async (at) => Promise.all(at.map(([i, j]) => window.heat.valueAt(i + 0.5, j + 0.5))), pixels);
    let worst = 0;
    for (const [k, [i, j]] of pixels.entries()) worst = Math.max(worst, Math.abs(values[k] - exact.mean(i, j)));
    assert.ok(worst < 0.025 * topMag, `valueAt is ${worst} magnitudes from the exact mean at worst`);

    const bad = await apply("setStyle", { aggregation: "median" });
    assert.deepEqual([bad.error?.code, bad.error?.option], ["INVALID_OPTION", "aggregation"]);
    assert.deepEqual(bad.png, mean.png, "a rejected aggregation leaves the frame");
    const back = await apply("setStyle", { aggregation: "sum" });
    assert.deepEqual(back.png, sum.png, "sum again draws the sum's frame");
    assert.deepEqual([requests.length, await page.evaluate(() => window.seen.load)], [1, 1], "no fetch or parse");
    assert.deepEqual(errors, []);
  });

  test(`${host}: play moves the time window on animation frames with time events; pause stops it`, async () => {
    const { page, errors } = await loaded(worker);
    const out = await page.evaluate(async (DAY_MS) => {
      const heat = window.heat;
      const before = (await window.settled()).framesRendered;
      // A week of data at a day per 100 ms of playback, a day wide.
      await heat.play({ window: DAY_MS, speed: 10 * DAY_MS });
      while (window.seen.time.length < 5) await new Promise((r) => requestAnimationFrame(r));
      await heat.pause();
      const during = (await heat.stats()).framesRendered;
      const paused = window.seen.time.length;
      for (let i = 0; i < 10; i++) await new Promise((r) => requestAnimationFrame(r));
      let rejected = null;
      try {
        await heat.play({ window: 10 * DAY_MS });
      } catch (e) {
        rejected = { code: e.code, option: e.option };
      }
      return { before, during, paused, after: window.seen.time.length, windows: window.seen.time, rejected };
    }, DAY_MS);
    const times = FEATURES.map((f) => f.properties.time);
    const earliest = Math.min(...times);
    assert.ok(out.windows.length >= 5);
    assert.equal(out.after, out.paused, "no time event after pause");
    assert.ok(out.during > out.before, "the moving window redrew");
    // Events are the windows drawn: a day wide, from the earliest time on, moving forward.
    assert.ok(Math.abs(out.windows[0][0] - earliest) < DAY_MS, `first window starts at ${out.windows[0][0]}`);
    for (const [i, [start, end]] of out.windows.entries()) {
      assert.ok(Math.abs(end - start - DAY_MS) < 1e-3 * DAY_MS, `window ${i} is a day wide`);
      if (i > 0) assert.ok(start >= out.windows[i - 1][0], `window ${i} does not go back`);
    }
    assert.ok(out.windows.at(-1)[0] > out.windows[0][0], "the window advanced");
    assert.deepEqual(out.rejected, { code: "INVALID_OPTION", option: "window" }, "a window longer than the data is refused");
    assert.deepEqual(errors, []);
  });
}

test("MapLibre layer: a new heatmap-weight weighs the kept column without a fetch or a parse", async () => {
  const { page, errors } = await openPage(env, "harness/maplibre.html");
  const requests = [];
  page.context().on("request", (r) => r.url().includes("earthquakes") && requests.push(r.url()));
  await page.waitForFunction(() => window.pageReady);
  const out = await page.evaluate(async () => {
    const style = { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#000000" } }] };
    const map = new maplibregl.Map({ container: "map", style, center: [-120, 37], zoom: 4, fadeDuration: 0, attributionControl: false });
    await new Promise((resolve) => map.once("load", resolve));
    const layer = new GeoheatLayer({ id: "heat", paint: { "heatmap-weight": ["get", "mag"], "heatmap-radius": 25 } });
    map.addLayer(layer);
    const heatmap = (await layer.ready()).heatmap;
    let loads = 0;
    heatmap.on("load", () => loads++);
    await layer.setData("../data/earthquakes.geojson");
    // The frame once the map has drawn every change: points, frames rendered, PNG.
    const frame = async () => {
      for (;;) {
        const idle = new Promise((resolve) => map.once("idle", resolve));
        map.triggerRepaint();
        await idle;
        if (!heatmap.stats().dirty) break;
      }
      return { points: heatmap.pointCount, frames: heatmap.stats().framesRendered, png: Array.from(await heatmap.snapshot()) };
    };
    const byMag = await frame();
    layer.setPaintProperty("heatmap-weight", 2);
    const two = await frame();
    layer.setPaintProperty("heatmap-weight", ["get", "mag"]);
    const back = await frame();
    return { loads, byMag, two, back };
  });
  // MapLibre draws nothing for a negative weight; a feature without the property weighs 1.
  assert.equal(out.byMag.points, count((p) => !(p.mag < 0)));
  assert.equal(out.two.points, FEATURES.length, "a number weighs every feature");
  assert.ok(out.two.frames > out.byMag.frames && out.back.frames > out.two.frames, "each weight redrew");
  assert.notDeepEqual(out.two.png, out.byMag.png);
  assert.deepEqual(out.back.png, out.byMag.png, "back to the property: the first frame");
  assert.deepEqual([requests.length, out.loads], [1, 1], "one fetch and one parse for every weight");
  assert.deepEqual(errors, []);
});
