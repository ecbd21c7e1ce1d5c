// geoheat/openlayers in headless Chromium with the real OpenLayers (npm, its ES modules loaded
// through the page's import map) over the offline basemap of www/openlayers.html: the heat lands
// where OpenLayers projects its point (rotated views included), leaves input to the map, frees
// what it took when removed or disposed, and the page shows the earthquakes.
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

/** openlayers.html without the earthquakes, with one red point (`heat` options) as `window.heat`. */
async function pointPage(options = {}, { browser = env, heat = HEAT } = {}) {
  const opened = await openPage(browser, "openlayers.html?quakes=0", options);
  await opened.page.waitForFunction(() => document.body.dataset.ready === "true");
  await opened.page.evaluate(
    async ([point, heat]) => {
      const { GeoheatLayer } = await import("/geoheat/openlayers.js");
      window.olProj = await import("ol/proj.js");
      window.heat = new GeoheatLayer(point, heat);
      window.openlayersPage.map.addLayer(window.heat);
      window.openlayersPage.map.renderSync();
      await window.heat.loaded();
    },
    [onePoint(POINT), heat],
  );
  return opened;
}

/** Sets the view (`center` [lng, lat], zoom, rotation in degrees) and draws the map at once. */
function setView(page, { center, zoom, rotation = 0 }) {
  return page.evaluate(
    ([center, zoom, rotation]) => {
      const { map } = window.openlayersPage;
      const view = map.getView();
      view.setCenter(window.olProj.fromLonLat(center));
      view.setZoom(zoom);
      view.setRotation((rotation * Math.PI) / 180);
      map.renderSync();
    },
    [center, zoom, rotation],
  );
}

/** How far, in device pixels, the heat's peak on screen is from `map.getPixelFromCoordinate`. */
async function assertRegistered(page, what) {
  await animationFrames(page);
  const peak = await redPeak(page);
  const { at, ratio } = await page.evaluate((point) => {
    const { map } = window.openlayersPage;
    return { at: map.getPixelFromCoordinate(window.olProj.fromLonLat(point)), ratio: devicePixelRatio };
  }, POINT);
  const error = Math.hypot(peak.x - at[0] * ratio, peak.y - at[1] * ratio);
  console.log(`openlayers registration ${what}: ${error.toFixed(3)} device px from getPixelFromCoordinate (dpr ${ratio}, ${peak.pixels} pixels)`);
  assert.ok(error <= 1, `${what}: the peak is ${error.toFixed(3)} device px from OpenLayers' projection`);
}

test("registration: one point's peak lies within 1 device pixel of OpenLayers' projection at three zooms, after a pan and in a view rotated 30°", async () => {
  const { page, errors } = await pointPage();
  for (const zoom of [3, 6, 10]) {
    await setView(page, { center: [POINT[0] - 0.2 / 2 ** zoom, POINT[1] + 0.1 / 2 ** zoom], zoom });
    await assertRegistered(page, `at zoom ${zoom}`);
  }
  await page.evaluate(() => {
    const { map } = window.openlayersPage;
    map.getView().setCenter(map.getCoordinateFromPixel([400 + 137, 300 - 61]));
    map.renderSync();
  });
  await assertRegistered(page, "after a pan at zoom 10");
  for (const zoom of [4, 7.5]) {
    await setView(page, { center: [POINT[0] + 8 / 2 ** zoom, POINT[1] - 5 / 2 ** zoom], zoom, rotation: 30 });
    await assertRegistered(page, `at zoom ${zoom}, rotated 30°`);
  }
  assert.deepEqual(errors, []);
});

test("registration at devicePixelRatio 2, rotated: the canvas has device resolution and the peak lies within 1 device pixel", async () => {
  const { page, errors } = await pointPage({ deviceScaleFactor: 2 });
  await setView(page, { center: [POINT[0] + 2, POINT[1] - 1], zoom: 5 });
  await assertRegistered(page, "at zoom 5, dpr 2");
  await setView(page, { center: [POINT[0] - 0.3, POINT[1] + 0.2], zoom: 8, rotation: 30 });
  await assertRegistered(page, "at zoom 8, rotated 30°, dpr 2");
  const size = await page.evaluate(() => {
    const canvas = document.querySelector("canvas.ol-layer-geoheat");
    return [canvas.width, canvas.height, canvas.clientWidth, canvas.clientHeight];
  });
  assert.deepEqual(size, [1600, 1200, 800, 600], "the layer's canvas is the map's size in device pixels");
  assert.deepEqual(errors, []);
});

test("backend webgpu (SwiftShader): the frame drawn on the GPU reaches the map, registered, rotated too", async () => {
  const gpu = await startBrowser({ flags: "webgpu" });
  try {
    const { page, errors } = await pointPage({}, { browser: gpu, heat: { ...HEAT, backend: "webgpu" } });
    await setView(page, { center: [POINT[0] - 0.5, POINT[1] + 0.3], zoom: 6 });
    await page.waitForFunction(() => window.heat.heatmap.stats().framesRendered > 0 && !window.heat.heatmap.stats().dirty);
    assert.equal(await page.evaluate(() => window.heat.heatmap.backend), "webgpu");
    await assertRegistered(page, "at zoom 6 on WebGPU");
    await setView(page, { center: [POINT[0] + 0.4, POINT[1] - 0.2], zoom: 7, rotation: 30 });
    await page.waitForFunction(() => !window.heat.heatmap.stats().dirty);
    await assertRegistered(page, "at zoom 7, rotated 30°, on WebGPU");
    assert.deepEqual(errors, []);
  } finally {
    await gpu.close();
  }
});

test("input: the heat takes no pointer events; a drag on it pans the map, and the heat follows", async () => {
  const { page, errors } = await pointPage();
  await setView(page, { center: POINT, zoom: 6 });
  const hit = await page.evaluate(() => document.elementFromPoint(400, 300).className);
  assert.doesNotMatch(String(hit), /geoheat/, "the element under the pointer is not the heat's canvas");
  const before = await page.evaluate(() => window.openlayersPage.map.getView().getCenter());
  await page.mouse.move(400, 300);
  await page.mouse.down();
  for (let step = 1; step <= 10; step++) await page.mouse.move(400 - 12 * step, 300 - 6 * step);
  await page.waitForTimeout(300); // a pause well past the kinetic pan's 100 ms window: no kinetic pan
  await page.mouse.up();
  await animationFrames(page);
  const moved = await page.evaluate((was) => {
    const [x, y] = window.openlayersPage.map.getPixelFromCoordinate(was);
    return { dx: x - 400, dy: y - 300 };
  }, before);
  // OpenLayers pans from its first pointer move on: by 9 of the 10 steps of 12 × 6 px.
  assert.ok(Math.abs(moved.dx + 108) <= 3 && Math.abs(moved.dy + 54) <= 3, `the map panned with the drag: the old centre is now ${moved.dx}, ${moved.dy} px away`);
  await assertRegistered(page, "after a drag");
  assert.deepEqual(errors, []);
});

test("removal frees: 100 add/remove cycles leave the wasm memory and the DOM as they were and give the canvases' pixels back; dispose frees too", async () => {
  const { page, errors } = await pointPage();
  await page.evaluate(() => {
    window.openlayersPage.map.removeLayer(window.heat);
    window.openlayersPage.map.renderSync();
  });
  const cycles = (n) =>
    page.evaluate(
      async ([n, point, heat]) => {
        const { GeoheatLayer } = await import("/geoheat/openlayers.js");
        const { map } = window.openlayersPage;
        for (let i = 0; i < n; i++) {
          const layer = new GeoheatLayer(point, heat);
          map.addLayer(layer);
          map.renderSync();
          await layer.loaded();
          // Shown for two frames: the load's repaint draws the heat at the map's size.
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
          if (!(layer.heatmap.stats().framesRendered > 0)) throw new Error(`cycle ${i}: the heat was not drawn`);
          const shown = document.querySelector("canvas.ol-layer-geoheat");
          if (!shown) throw new Error(`cycle ${i}: no canvas on the map`);
          const own = layer.heatmap.canvas;
          map.removeLayer(layer);
          map.renderSync();
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
  console.log(`openlayers 100 add/remove cycles: wasm ${settled.wasmBytes} → ${after.wasmBytes} bytes, elements ${settled.elements} → ${after.elements}`);
  assert.equal(after.wasmBytes, settled.wasmBytes, "the wasm memory did not grow");
  assert.equal(after.elements, settled.elements, "no element was left behind");
  assert.equal(await page.evaluate(() => document.querySelectorAll("canvas.ol-layer-geoheat").length), 0);
  // Disposed while on the map, and removed before its heatmap was made: nothing is left either.
  await page.evaluate(async ([point, heat]) => {
    const { GeoheatLayer } = await import("/geoheat/openlayers.js");
    const { map } = window.openlayersPage;
    const disposed = new GeoheatLayer(point, heat);
    map.addLayer(disposed);
    map.renderSync();
    await disposed.loaded();
    disposed.dispose();
    if (disposed.heatmap !== undefined) throw new Error("the heatmap outlived dispose()");
    map.removeLayer(disposed);
    const early = new GeoheatLayer(point, heat);
    map.addLayer(early);
    map.renderSync();
    const loading = early.loaded();
    map.removeLayer(early);
    map.renderSync();
    await loading.then(
      () => { throw new Error("a layer removed at once still loaded"); },
      () => {},
    );
  }, [onePoint(POINT), HEAT]);
  const last = await pageFootprint(page);
  assert.equal(last.wasmBytes, settled.wasmBytes);
  assert.equal(last.elements, settled.elements);
  assert.deepEqual(errors, []);
});

test("options: valueAt, legend and setOptions reach the heat on the map", async () => {
  const { page, errors } = await pointPage();
  await setView(page, { center: POINT, zoom: 6 });
  await animationFrames(page);
  const got = await page.evaluate(([lng, lat]) => {
    const { fromLonLat } = window.olProj;
    const heat = window.heat;
    return { at: heat.valueAt(fromLonLat([lng, lat])), clear: heat.valueAt(fromLonLat([lng, lat + 4])), off: heat.valueAt(fromLonLat([lng, lat + 20])), legend: heat.legend() };
  }, POINT);
  assert.ok(got.at > 0.95, `valueAt the point: ${got.at}`);
  assert.equal(got.clear, 0, "valueAt in view, far from the point");
  assert.equal(got.off, null, "valueAt off the drawn ground");
  assert.deepEqual(got.legend.stops.map((s) => s.color), ["rgba(255, 0, 0, 0.000)", "rgba(255, 0, 0, 1.000)"]);
  const red = async () => (await redPeak(page, 0.5)).pixels;
  const small = await red();
  await page.evaluate(() => window.heat.setOptions({ radius: 60 }));
  await animationFrames(page, 3);
  const large = await red();
  assert.ok(large > small * 3, `a radius twice as large reddens more pixels: ${small} → ${large}`);
  // setData replaces the points on the map.
  const moved = await page.evaluate(async ([lng, lat]) => {
    const { fromLonLat } = window.olProj;
    const report = await window.heat.setData({ type: "Feature", properties: { w: 2 }, geometry: { type: "Point", coordinates: [lng + 3, lat] } });
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return { points: report.points, old: window.heat.valueAt(fromLonLat([lng, lat])), now: window.heat.valueAt(fromLonLat([lng + 3, lat])) };
  }, POINT);
  assert.deepEqual([moved.points, moved.old], [1, 0], "the old point is gone");
  assert.ok(moved.now > 0.95, `valueAt the new point: ${moved.now}`);
  assert.deepEqual(errors, []);
});

test("the OpenLayers page shows the earthquakes: heat where the data is, clear elsewhere", async () => {
  const { page, errors } = await openPage(env, "openlayers.html");
  await page.waitForFunction(() => document.body.dataset.ready === "true");
  await animationFrames(page, 3);
  const seen = await page.evaluate(async () => {
    const { map, heat } = window.openlayersPage;
    const { fromLonLat } = await import("ol/proj.js");
    const quakes = await (await fetch("data/earthquakes.geojson")).json();
    const canvas = document.querySelector("canvas.ol-layer-geoheat");
    const { width, height } = canvas;
    const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    const alphaAt = ([x, y]) => pixels[(Math.floor(y) * width + Math.floor(x)) * 4 + 3];
    const strong = quakes.features.filter((f) => f.properties.mag >= 4).map((f) => map.getPixelFromCoordinate(fromLonLat(f.geometry.coordinates.slice(0, 2))));
    const inside = strong.filter(([x, y]) => x >= 0 && y >= 0 && x < width && y < height);
    let covered = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) covered++;
    return { onMap: heat.legend() !== null, inside: inside.length, hot: inside.filter((p) => alphaAt(p) > 0).length, covered: covered / (width * height) };
  });
  await assertEarthquakeHeat(page, seen, "canvas.ol-layer-geoheat");
  assert.deepEqual(errors, []);
});

test("the README's OpenLayers example runs as written against the staged package and shows the earthquakes", () =>
  assertReadmeExampleRuns(env, "OpenLayers", "canvas.ol-layer-geoheat"));
