// geoheat/leaflet in headless Chromium with the real Leaflet (npm, loaded as an ES module through
// the page's import map) over the offline basemap of www/leaflet.html: the heat lands where
// Leaflet projects its point, stays glued to the map through Leaflet's zoom animation, leaves
// input to the map, frees what it took when removed, and the page shows the earthquakes.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { openPage, startBrowser } from "./browser.mjs";
import {
  animationFrames, assertEarthquakeHeat, assertReadmeExampleRuns, ATLANTIC_POINT, onePoint, pageFootprint, redPeak, RED_POINT_HEAT,
} from "./map-pixels.mjs";

const POINT = ATLANTIC_POINT;
const HEAT = RED_POINT_HEAT;

let env;
before(async () => {
  env = await startBrowser({ flags: "default" });
});
after(async () => {
  await env?.close();
});
// Each test opens pages of its own: closed after it, they hold no memory or frames in the next.
afterEach(async () => {
  for (const context of env.browser.contexts()) await context.close();
});

/** leaflet.html without the earthquakes, with one red point (`heat` options) as `window.heat`. */
async function pointPage(options = {}, { browser = env, heat = HEAT } = {}) {
  const opened = await openPage(browser, "leaflet.html?quakes=0", options);
  await opened.page.waitForFunction(() => document.body.dataset.ready === "true");
  await opened.page.evaluate(
    async ([point, heat]) => {
      const { geoheatLayer } = await import("/geoheat/leaflet.js");
      window.heat = geoheatLayer(point, heat).addTo(window.leafletPage.map);
      await window.heat.loaded();
    },
    [onePoint(POINT), heat],
  );
  return opened;
}

/**
 * Where the heat peaks on screen against where Leaflet projects the point, in device pixels:
 * `exact` from Leaflet's unrounded projection (`project` − pixel origin + the map pane's offset),
 * `rounded` from `latLngToContainerPoint` (which rounds to whole CSS pixels).
 */
async function registration(page) {
  await animationFrames(page);
  const peak = await redPeak(page);
  const { exact, rounded, ratio } = await page.evaluate(([lng, lat]) => {
    const map = window.leafletPage.map;
    const layerPoint = map.project([lat, lng], map.getZoom()).subtract(map.getPixelOrigin());
    return { exact: map.layerPointToContainerPoint(layerPoint), rounded: map.latLngToContainerPoint([lat, lng]), ratio: devicePixelRatio };
  }, POINT);
  const error = (p) => Math.hypot(peak.x - p.x * ratio, peak.y - p.y * ratio);
  return { peak, exact: error(exact), rounded: error(rounded), ratio };
}

async function assertRegistered(page, what) {
  const r = await registration(page);
  console.log(`leaflet registration ${what}: ${r.exact.toFixed(3)} device px from project(), ${r.rounded.toFixed(3)} from latLngToContainerPoint (dpr ${r.ratio}, ${r.peak.pixels} pixels)`);
  assert.ok(r.exact <= 1, `${what}: the peak is ${r.exact.toFixed(3)} device px from Leaflet's projection`);
  // latLngToContainerPoint is off by up to half a CSS pixel on each axis by its rounding.
  assert.ok(r.rounded <= 1 + r.ratio * Math.SQRT1_2, `${what}: the peak is ${r.rounded.toFixed(3)} device px from latLngToContainerPoint`);
}

test("registration: one point's peak lies within 1 device pixel of Leaflet's projection at three zooms and after a pan", async () => {
  const { page, errors } = await pointPage();
  for (const zoom of [3, 6, 10]) {
    await page.evaluate(([[lng, lat], z]) => window.leafletPage.map.setView([lat + 0.1 / 2 ** z, lng - 0.2 / 2 ** z], z, { animate: false }), [POINT, zoom]);
    await assertRegistered(page, `at zoom ${zoom}`);
  }
  await page.evaluate(() => window.leafletPage.map.panBy([137, -61], { animate: false }));
  await assertRegistered(page, "after a pan at zoom 10");
  assert.deepEqual(errors, []);
});

test("registration at devicePixelRatio 2: the canvas has device resolution and the peak lies within 1 device pixel", async () => {
  const { page, errors } = await pointPage({ deviceScaleFactor: 2 });
  await page.evaluate(([lng, lat]) => window.leafletPage.map.setView([lat - 1, lng + 2], 5, { animate: false }), POINT);
  await assertRegistered(page, "at zoom 5, dpr 2");
  await page.evaluate(() => window.leafletPage.map.panBy([-53, 29], { animate: false }));
  await assertRegistered(page, "after a pan at zoom 5, dpr 2");
  const size = await page.evaluate(() => {
    const canvas = document.querySelector("canvas.geoheat-layer");
    return [canvas.width, canvas.height, canvas.clientWidth, canvas.clientHeight];
  });
  assert.deepEqual(size, [1600, 1200, 800, 600], "the pane canvas is the container's size in device pixels");
  assert.deepEqual(errors, []);
});

test("backend webgpu (SwiftShader): the frame drawn on the GPU reaches the map, registered", async () => {
  const gpu = await startBrowser({ flags: "webgpu" });
  try {
    const { page, errors } = await pointPage({}, { browser: gpu, heat: { ...HEAT, backend: "webgpu" } });
    await page.evaluate(([lng, lat]) => window.leafletPage.map.setView([lat + 0.3, lng - 0.5], 6, { animate: false }), POINT);
    await page.waitForFunction(() => window.heat.heatmap.stats().framesRendered > 0 && !window.heat.heatmap.stats().dirty);
    assert.equal(await page.evaluate(() => window.heat.heatmap.backend), "webgpu");
    await assertRegistered(page, "at zoom 6 on WebGPU");
    await page.evaluate(() => window.leafletPage.map.panBy([90, 40], { animate: false }));
    await page.waitForFunction(() => !window.heat.heatmap.stats().dirty);
    await assertRegistered(page, "after a pan on WebGPU");
    assert.deepEqual(errors, []);
  } finally {
    await gpu.close();
  }
});

test("zoom animation: the canvas moves with Leaflet's own SVG renderer in every frame, then the heat is redrawn in place", async () => {
  const { page, errors } = await pointPage();
  await page.evaluate(([lng, lat]) => window.leafletPage.map.setView([lat, lng + 3], 5, { animate: false }), POINT);
  // In every animation frame of the zoom, where the point is drawn through the heat canvas's CSS
  // transform and through the basemap's SVG (Leaflet's renderer, animated by Leaflet itself).
  const frames = await page.evaluate(([lng, lat]) => {
    const map = window.leafletPage.map;
    const canvas = document.querySelector("canvas.geoheat-layer");
    const svg = document.querySelector(".leaflet-overlay-pane svg");
    const point = map.project([lat, lng], map.getZoom()).subtract(map.getPixelOrigin());
    const canvasAt = map.containerPointToLayerPoint([0, 0]);
    const [svgX, svgY] = svg.getAttribute("viewBox").split(" ").map(Number);
    const through = (element, x, y) => {
      const m = new DOMMatrix(getComputedStyle(element).transform);
      return [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f, m.a];
    };
    return new Promise((done) => {
      const seen = [];
      let animating = false;
      const sample = () => {
        const [hx, hy, scale] = through(canvas, point.x - canvasAt.x, point.y - canvasAt.y);
        const [sx, sy] = through(svg, point.x - svgX, point.y - svgY);
        seen.push({ scale, gap: Math.hypot(hx - sx, hy - sy) });
        if (animating) requestAnimationFrame(sample);
      };
      map.once("zoomanim", () => {
        animating = true;
        requestAnimationFrame(sample);
      });
      map.once("zoomend", () => {
        animating = false;
        done(seen);
      });
      map.zoomIn(1, { animate: true });
    });
  }, POINT);
  const between = frames.filter((f) => f.scale > 1.01 && f.scale < 1.99);
  console.log(`leaflet zoom animation: ${frames.length} frames sampled, ${between.length} mid-way, largest gap ${Math.max(...frames.map((f) => f.gap)).toFixed(3)} px`);
  assert.ok(between.length >= 1, `the zoom was sampled mid-way (scales ${frames.map((f) => f.scale.toFixed(2)).join(", ")})`);
  for (const { scale, gap } of frames) assert.ok(gap <= 0.5, `at scale ${scale.toFixed(3)} the heat is ${gap.toFixed(3)} px from the basemap's position of the point`);
  assert.equal(await page.evaluate(() => window.leafletPage.map.getZoom()), 6);
  await assertRegistered(page, "after an animated zoom to 6");
  assert.deepEqual(errors, []);
});

test("input: the heat takes no pointer events; a drag on it pans the map, and the heat follows", async () => {
  const { page, errors } = await pointPage();
  await page.evaluate(([lng, lat]) => window.leafletPage.map.setView([lat, lng], 6, { animate: false }), POINT);
  const before = await page.evaluate(() => {
    const c = window.leafletPage.map.getCenter();
    return { lat: c.lat, lng: c.lng, hit: document.elementFromPoint(400, 300).className };
  });
  assert.doesNotMatch(String(before.hit), /geoheat/, "the element under the pointer is not the heat's canvas");
  await page.mouse.move(400, 300);
  await page.mouse.down();
  for (let step = 1; step <= 10; step++) await page.mouse.move(400 - 12 * step, 300 - 6 * step);
  await page.waitForTimeout(120); // a pause before release: no inertia
  await page.mouse.up();
  await animationFrames(page);
  const moved = await page.evaluate(([lat, lng]) => {
    const map = window.leafletPage.map;
    const was = map.latLngToContainerPoint([lat, lng]);
    return { dx: was.x - 400, dy: was.y - 300 };
  }, [before.lat, before.lng]);
  assert.ok(Math.abs(moved.dx + 120) <= 3 && Math.abs(moved.dy + 60) <= 3, `the map panned with the drag: the old centre is now ${moved.dx}, ${moved.dy} px away`);
  await assertRegistered(page, "after a drag");
  assert.deepEqual(errors, []);
});

test("removal frees: 100 add/remove cycles leave the wasm memory and the DOM as they were and give the canvases' pixels back", async () => {
  const { page, errors } = await pointPage();
  await page.evaluate(() => window.heat.remove());
  const cycles = (n) =>
    page.evaluate(
      async ([n, point, heat]) => {
        const { geoheatLayer } = await import("/geoheat/leaflet.js");
        const map = window.leafletPage.map;
        for (let i = 0; i < n; i++) {
          const layer = geoheatLayer(point, heat).addTo(map);
          await layer.loaded();
          // Shown for two frames: the load's repaint draws the heat at the map's size.
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
          if (!(layer.heatmap.stats().framesRendered > 0)) throw new Error(`cycle ${i}: the heat was not drawn`);
          const shown = document.querySelector("canvas.geoheat-layer");
          if (!shown) throw new Error(`cycle ${i}: no canvas on the map`);
          const own = layer.heatmap.canvas;
          layer.remove();
          if (layer.heatmap !== undefined) throw new Error(`cycle ${i}: the heatmap outlived its removal`);
          // Their pixels are given back at once, not when the canvases are collected.
          for (const canvas of [shown, own]) {
            if (canvas.width * canvas.height !== 0) throw new Error(`cycle ${i}: a removed canvas keeps ${canvas.width}×${canvas.height} pixels`);
          }
        }
      },
      [n, onePoint(POINT), HEAT],
    );
  await cycles(10); // the allocator's and the page's first growth
  const settled = await pageFootprint(page);
  await cycles(100);
  const after = await pageFootprint(page);
  console.log(`leaflet 100 add/remove cycles: wasm ${settled.wasmBytes} → ${after.wasmBytes} bytes, elements ${settled.elements} → ${after.elements}`);
  assert.equal(after.wasmBytes, settled.wasmBytes, "the wasm memory did not grow");
  assert.equal(after.elements, settled.elements, "no element was left behind");
  assert.equal(await page.evaluate(() => document.querySelectorAll("canvas.geoheat-layer").length), 0);
  // Removed before its heatmap was made: nothing is left either.
  await page.evaluate(async ([point, heat]) => {
    const { geoheatLayer } = await import("/geoheat/leaflet.js");
    const layer = geoheatLayer(point, heat).addTo(window.leafletPage.map);
    const loading = layer.loaded();
    layer.remove();
    await loading.then(
      () => { throw new Error("a layer removed at once still loaded"); },
      () => {},
    );
  }, [onePoint(POINT), HEAT]);
  assert.equal((await pageFootprint(page)).wasmBytes, settled.wasmBytes);
  assert.deepEqual(errors, []);
});

test("options: valueAt, legend, setOptions and setFilter reach the heat on the map", async () => {
  const { page, errors } = await pointPage();
  await page.evaluate(([lng, lat]) => window.leafletPage.map.setView([lat, lng], 6, { animate: false }), POINT);
  await animationFrames(page);
  const got = await page.evaluate(([lng, lat]) => {
    const heat = window.heat;
    return { at: heat.valueAt([lat, lng]), clear: heat.valueAt([lat + 4, lng]), off: heat.valueAt([lat + 20, lng]), legend: heat.legend() };
  }, POINT);
  assert.ok(got.at > 0.95, `valueAt the point: ${got.at}`);
  assert.equal(got.clear, 0, "valueAt in view, far from the point");
  assert.equal(got.off, null, "valueAt off the drawn ground");
  assert.deepEqual(got.legend.stops.map((s) => s.color), ["rgba(255, 0, 0, 0.000)", "rgba(255, 0, 0, 1.000)"]);
  const red = async () => (await redPeak(page, 0.5)).pixels;
  const small = await red();
  await page.evaluate(() => window.heat.setOptions({ radius: 60 }));
  await animationFrames(page);
  const large = await red();
  assert.ok(large > small * 3, `a radius twice as large reddens more pixels: ${small} → ${large}`);
  // setData replaces the points on the map.
  const moved = await page.evaluate(async ([lng, lat]) => {
    const report = await window.heat.setData({ type: "Feature", properties: { w: 2 }, geometry: { type: "Point", coordinates: [lng + 3, lat] } });
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return { points: report.points, old: window.heat.valueAt([lat, lng]), now: window.heat.valueAt([lat, lng + 3]) };
  }, POINT);
  assert.deepEqual([moved.points, moved.old], [1, 0], "the old point is gone");
  assert.ok(moved.now > 0.95, `valueAt the new point: ${moved.now}`);
  // A kept property filters the heat on the map without loading again; a bad expression rejects.
  const filtered = await page.evaluate(async ([lng, lat]) => {
    const frames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const heat = window.heat;
    await heat.setData({ type: "Feature", properties: { w: 2 }, geometry: { type: "Point", coordinates: [lng + 3, lat] } }, { properties: ["w"] });
    let loads = 0;
    heat.heatmap.on("load", () => loads++);
    await heat.setFilter([">", ["get", "w"], 2]);
    await frames();
    const hidden = heat.valueAt([lat, lng + 3]);
    await heat.setFilter(null);
    await frames();
    const shown = heat.valueAt([lat, lng + 3]);
    const rejected = await heat.setWeight(["get", "nope"]).catch((e) => ({ code: e.code, path: e.path }));
    return { hidden, shown, rejected, loads };
  }, POINT);
  assert.equal(filtered.hidden, 0, "the filter leaves the point out");
  assert.ok(filtered.shown > 0.95, `no filter: the point is back (${filtered.shown})`);
  assert.deepEqual(filtered.rejected, { code: "INVALID_EXPRESSION", path: "weight[1]" });
  assert.equal(filtered.loads, 0, "no load for a filter");
  assert.deepEqual(errors, []);
});

test("maxPoints: a layer option reaches the load; a load over it rejects with its code and the data shown stays, also after a re-add", async () => {
  const { page, errors } = await pointPage({}, { heat: { ...HEAT, maxPoints: 2 } });
  await page.evaluate(([lng, lat]) => window.leafletPage.map.setView([lat, lng], 6, { animate: false }), POINT);
  await animationFrames(page);
  const got = await page.evaluate(async ([lng, lat]) => {
    const frames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const heat = window.heat;
    const three = { type: "MultiPoint", coordinates: [[lng + 3, lat], [lng + 3, lat + 1], [lng + 3, lat + 2]] };
    const refused = await heat.setData(three).then(() => null, (e) => ({ code: e.code, message: e.message, isGeoheatError: e instanceof Error && e.name === "GeoheatError" }));
    await frames();
    const kept = { old: heat.valueAt([lat, lng]), refused: heat.valueAt([lat, lng + 3]) };
    // Removed and added again, the layer loads what it showed, not what was refused.
    heat.remove();
    heat.addTo(window.leafletPage.map);
    const reloaded = await heat.loaded();
    await frames();
    const readded = { points: reloaded.points, old: heat.valueAt([lat, lng]) };
    const raised = await heat.setData(three, { maxPoints: 3 });
    return { refused, kept, readded, raised: raised.points };
  }, POINT);
  assert.ok(got.refused, "the load over maxPoints rejected");
  assert.equal(got.refused.code, "GEOJSON_TOO_MANY_POINTS");
  assert.ok(got.refused.isGeoheatError, "a GeoheatError");
  assert.match(got.refused.message, /more than 2 points \(maxPoints\)/);
  assert.ok(got.kept.old > 0.95, `the point loaded before is still drawn: ${got.kept.old}`);
  assert.equal(got.kept.refused, 0, "nothing of the refused load is drawn");
  assert.equal(got.readded.points, 1, "a re-add loads the data shown");
  assert.ok(got.readded.old > 0.95, `after the re-add the point is drawn: ${got.readded.old}`);
  assert.equal(got.raised, 3, "a load's own maxPoints wins over the layer's");
  assert.deepEqual(errors, []);
});

test("the Leaflet page shows the earthquakes: heat where the data is, clear elsewhere", async () => {
  const { page, errors } = await openPage(env, "leaflet.html");
  await page.waitForFunction(() => document.body.dataset.ready === "true");
  await animationFrames(page);
  const seen = await page.evaluate(async () => {
    const { map, heat } = window.leafletPage;
    const quakes = await (await fetch("data/earthquakes.geojson")).json();
    const canvas = document.querySelector("canvas.geoheat-layer");
    const { width, height } = canvas;
    const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    const alphaAt = ({ x, y }) => pixels[(Math.floor(y) * width + Math.floor(x)) * 4 + 3];
    const strong = quakes.features.filter((f) => f.properties.mag >= 4).map((f) => map.latLngToContainerPoint([f.geometry.coordinates[1], f.geometry.coordinates[0]]));
    const inside = strong.filter((p) => p.x >= 0 && p.y >= 0 && p.x < width && p.y < height);
    let covered = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) covered++;
    return { onMap: heat.legend() !== null, inside: inside.length, hot: inside.filter((p) => alphaAt(p) > 0).length, covered: covered / (width * height) };
  });
  await assertEarthquakeHeat(page, seen, "canvas.geoheat-layer");
  assert.deepEqual(errors, []);
});

test("the README's Leaflet example runs as written against the staged package and shows the earthquakes", () =>
  assertReadmeExampleRuns(env, "Leaflet", "canvas.geoheat-layer"));
