// MapHeat (www/lib/map-layer.ts), the core of the map adapters, without a map: the heat for a
// piece of ground is on its canvas when `draw` returns (Canvas 2D), its peak lands where Web
// Mercator puts the point, and neither drawing, a WebGPU frame, losing the GPU nor destroying it
// touches the page's DOM.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startBrowser, openPage } from "./browser.mjs";

const envs = {};
/** Opens the bare harness page in Chromium with `flags`, recording DOM changes in `window.mutations`. */
async function openHarness(flags) {
  envs[flags] ??= await startBrowser({ flags });
  const opened = await openPage(envs[flags], "harness.html");
  await opened.page.waitForFunction(() => window.harnessReady);
  // Every DOM change from here on is recorded.
  await opened.page.evaluate(() => {
    window.mutations = 0;
    new MutationObserver((records) => (window.mutations += records.length)).observe(document, { subtree: true, childList: true, attributes: true });
  });
  return opened;
}
after(async () => {
  for (const env of Object.values(envs)) await env.close();
});

/**
 * In the page: a MapHeat with one point of weight 1 at `lngLat`, a red ramp and a fixed scale;
 * `window.heat`, `window.frames` (onFrame calls). Helpers on window: `peak(canvas)` gives the
 * alpha-weighted centroid of the pixels above half the strongest alpha, in device pixels (pixel centres at +0.5).
 */
async function createHeat(page, options) {
  await page.evaluate(async (options) => {
    const { MapHeat } = await import("/geoheat/map-layer.js");
    window.frames = 0;
    window.heat = await MapHeat.create({ radius: 12, normalize: 1, colorRamp: [[0, "#f000"], [1, "#f00"]], ...options }, () => window.frames++);
    const point = { type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [13.4, 52.5] } };
    await window.heat.setData({ type: "FeatureCollection", features: [point] });
    window.peak = (canvas) => {
      const copy = new OffscreenCanvas(canvas.width, canvas.height);
      const context = copy.getContext("2d");
      context.drawImage(canvas, 0, 0);
      const { data, width } = context.getImageData(0, 0, canvas.width, canvas.height);
      let strongest = 0;
      for (let i = 3; i < data.length; i += 4) strongest = Math.max(strongest, data[i]);
      // Weights fall to zero at half the peak: no step at the edge of the region, so the
      // centroid of a symmetric kernel is not biased by the pixel grid.
      let x = 0, y = 0, n = 0;
      for (let i = 3; i < data.length; i += 4) {
        const weight = data[i] - strongest / 2;
        if (weight <= 0) continue;
        const p = (i - 3) / 4;
        x += ((p % width) + 0.5) * weight;
        y += (Math.floor(p / width) + 0.5) * weight;
        n += weight;
      }
      return { x: x / n, y: y / n, strongest };
    };
  }, options);
}

/** Draws ground around the point at `zoom`, off-centre by a fraction of a pixel; returns where the peak is and should be. */
function drawAround(page, zoom, pixelRatio) {
  return page.evaluate(async ([zoom, pixelRatio]) => {
    const { groundFor, groundCorners, lngLatToWorld } = await import("/geoheat/map-layer.js");
    const [x, y] = lngLatToWorld([13.4, 52.5]);
    const scale = 512 * 2 ** zoom;
    const ground = groundFor([[x - 150.3 / scale, y - 90.7 / scale], [x + 170.9 / scale, y + 110.2 / scale]], zoom, pixelRatio);
    const drawn = window.heat.draw(ground);
    if (drawn === null) return null;
    const [[west, north]] = groundCorners(drawn.ground);
    const expected = { x: (x - west) * scale * drawn.ground.pixelRatio, y: (y - north) * scale * drawn.ground.pixelRatio };
    return { current: drawn.current, size: [drawn.canvas.width, drawn.canvas.height], ground: drawn.ground, peak: window.peak(drawn.canvas), expected, mutations: window.mutations };
  }, [zoom, pixelRatio]);
}

test("on Canvas 2D the heat is drawn before draw() returns, its peak within a tenth of a device pixel of the point, at pixel ratios 1 and 2", async () => {
  const { page, errors } = await openHarness("default");
  await createHeat(page, {});
  for (const [zoom, ratio] of [[3, 1], [7.5, 1], [11.25, 2]]) {
    const out = await drawAround(page, zoom, ratio);
    assert.ok(out, "drawn");
    assert.equal(out.current, true, "the canvas shows the ground asked for");
    assert.deepEqual(out.size, [Math.round(out.ground.width * ratio), Math.round(out.ground.height * ratio)], "the canvas has the ground's device size");
    assert.ok(out.peak.strongest > 200, `strong heat at the point: ${out.peak.strongest}`);
    const error = Math.hypot(out.peak.x - out.expected.x, out.peak.y - out.expected.y);
    assert.ok(error < 0.1, `zoom ${zoom} ratio ${ratio}: peak ${JSON.stringify(out.peak)} vs ${JSON.stringify(out.expected)} (${error.toFixed(3)} px)`);
  }
  const value = await page.evaluate(() => [window.heat.valueAtLngLat([13.4, 52.5]), window.heat.valueAtLngLat([-100, 0])]);
  assert.ok(value[0] > 0.9, `valueAtLngLat at the point: ${value[0]}`);
  assert.equal(value[1], null, "outside the ground drawn there is no value");
  await page.evaluate(() => window.heat.destroy());
  assert.equal(await page.evaluate(() => window.mutations), 0, "the page's DOM was never touched");
  assert.deepEqual(errors, []);
});

test("on WebGPU a frame reaches the canvas after draw(), onFrame says so, and a lost device falls back to Canvas 2D keeping the data, without touching the DOM", async () => {
  const { page, errors } = await openHarness("webgpu");
  await createHeat(page, { backend: "webgpu" });
  assert.equal(await page.evaluate(() => window.heat.heatmap.backend), "webgpu");
  // The load's own frame (at the heatmap's first view) has come and gone: from here on onFrame
  // answers the ground drawn below.
  await page.waitForFunction(() => !window.heat.heatmap.stats().dirty);
  await page.evaluate(() => (window.frames = 0));
  const first = await drawAround(page, 6, 1);
  assert.ok(first === null || first.current === false, "the GPU frame is not there yet when draw() returns");
  await page.waitForFunction(() => window.frames > 0);
  const shown = await drawAround(page, 6, 1);
  assert.ok(shown, "after onFrame the canvas shows the frame");
  const gpuError = Math.hypot(shown.peak.x - shown.expected.x, shown.peak.y - shown.expected.y);
  assert.ok(gpuError < 0.5, `WebGPU peak ${JSON.stringify(shown.peak)} vs ${JSON.stringify(shown.expected)}`);

  const switched = await page.evaluate(async () => {
    const event = new Promise((done) => window.heat.on("backend", done));
    window.heat.heatmap.loseDevice();
    return event;
  });
  assert.deepEqual([switched.from, switched.to], ["webgpu", "canvas2d"]);
  await page.waitForFunction(() => window.heat.heatmap.canvas instanceof OffscreenCanvas && window.heat.heatmap.backend === "canvas2d");
  const after = await drawAround(page, 6.5, 1);
  assert.equal(after.current, true, "Canvas 2D draws synchronously again");
  assert.ok(after.peak.strongest > 200, `the data survived the fall back: ${after.peak.strongest}`);
  assert.equal(after.mutations, 0, "the page's DOM was never touched");
  assert.deepEqual(errors, []);
});
