// geoheat/maplibre in headless Chromium with maplibre-gl from npm (WebGL on SwiftShader), no
// network: the heat registers on the ground under zoom, pan, bearing, pitch and pixel ratio; it
// sits in the map's layer order; it looks like MapLibre's own heatmap with the same paint; removal
// frees what it took; the map keeps its input.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ssim } from "./ssim.mjs";
import { openPage, startBrowser } from "./browser.mjs";

const POINT = [10.5, 45.3];
const RED = ["interpolate", ["linear"], ["heatmap-density"], 0, "rgba(255, 0, 0, 0)", 1, "rgba(255, 0, 0, 1)"];

let env;
before(async () => {
  env = await startBrowser({ flags: "webgpu" });
});
after(async () => {
  await env?.close();
});

/**
 * The MapLibre test page with `window.map` on a black background (or the offline basemap) and
 * `window.settle()`, which resolves once the map has rendered what was asked and is idle.
 */
async function mapPage({ deviceScaleFactor = 1, basemap = false, center = POINT, zoom = 5 } = {}) {
  const opened = await openPage(env, "harness/maplibre.html", { deviceScaleFactor });
  await opened.page.waitForFunction(() => window.pageReady);
  await opened.page.evaluate(
    async ({ basemap, center, zoom }) => {
      const style = basemap
        ? await window.basemapStyle("../node_modules/")
        : { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#000000" } }] };
      window.map = new maplibregl.Map({
        container: "map",
        style,
        center,
        zoom,
        fadeDuration: 0,
        attributionControl: false,
        canvasContextAttributes: { preserveDrawingBuffer: true },
      });
      await new Promise((resolve, reject) => {
        window.map.once("load", resolve);
        window.map.once("error", (e) => reject(e.error));
      });
      window.settle = async () => {
        const idle = new Promise((resolve) => window.map.once("idle", resolve));
        window.map.triggerRepaint();
        await idle;
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      };
    },
    { basemap, center, zoom },
  );
  return opened;
}

/** Adds a GeoheatLayer built in the page from `options` (JSON) and waits until it is drawn. */
async function addHeat(page, options, beforeId) {
  await page.evaluate(
    async ({ options, beforeId }) => {
      window.heat = new GeoheatLayer(options);
      window.map.addLayer(window.heat, beforeId);
      await window.heat.ready();
      if (options.data !== undefined) await window.heat.setData(options.data);
      await window.settle();
    },
    { options, beforeId },
  );
}

const onePoint = (weight = 1) => ({ type: "Feature", properties: { w: weight }, geometry: { type: "Point", coordinates: POINT } });

/** The map's canvas as `{ width, height, data }` (RGBA, device pixels), read back through Canvas 2D. */
async function screenshot(page) {
  const { width, height, base64 } = await page.evaluate(() => {
    const source = window.map.getCanvas();
    const copy = new OffscreenCanvas(source.width, source.height);
    const context = copy.getContext("2d");
    context.drawImage(source, 0, 0);
    const bytes = context.getImageData(0, 0, source.width, source.height).data;
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { width: source.width, height: source.height, base64: btoa(binary) };
  });
  return { width, height, data: new Uint8Array(Buffer.from(base64, "base64")) };
}

/** Device-pixel centroid of the reddest pixels (red at least half the maximum, weighted by red). */
function redCentroid({ width, height, data }) {
  let max = 0;
  for (let i = 0; i < width * height; i++) max = Math.max(max, data[4 * i] - (data[4 * i + 1] + data[4 * i + 2]) / 2);
  assert.ok(max > 64, `no red heat on screen (max redness ${max})`);
  let [sx, sy, sw] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      const red = data[i] - (data[i + 1] + data[i + 2]) / 2;
      if (red < max / 2) continue;
      sx += (x + 0.5) * red;
      sy += (y + 0.5) * red;
      sw += red;
    }
  }
  return [sx / sw, sy / sw];
}

/** Distance in device pixels between the heat's centroid and `map.project(POINT)`, after `camera`. */
async function registrationError(page, camera, pixelRatio) {
  const projected = await page.evaluate(
    async ({ camera, point }) => {
      window.map.jumpTo(camera);
      await window.settle();
      const p = window.map.project(point);
      return [p.x, p.y];
    },
    { camera, point: POINT },
  );
  const [cx, cy] = redCentroid(await screenshot(page));
  return Math.hypot(cx - projected[0] * pixelRatio, cy - projected[1] * pixelRatio);
}

const CAMERAS = [
  ["zoom 3", { center: POINT, zoom: 3, bearing: 0, pitch: 0 }],
  ["zoom 5", { center: POINT, zoom: 5, bearing: 0, pitch: 0 }],
  ["zoom 8.5", { center: POINT, zoom: 8.5, bearing: 0, pitch: 0 }],
  ["panned", { center: [POINT[0] - 2.3, POINT[1] + 1.7], zoom: 6, bearing: 0, pitch: 0 }],
  ["bearing 30, pitch 45", { center: [POINT[0] + 0.5, POINT[1] - 0.4], zoom: 6, bearing: 30, pitch: 45 }],
];

for (const pixelRatio of [1, 2]) {
  test(`the heat registers on the ground within 1 device pixel (pixel ratio ${pixelRatio})`, async () => {
    const { page, errors } = await mapPage({ deviceScaleFactor: pixelRatio });
    try {
      await addHeat(page, {
        id: "heat",
        data: { type: "FeatureCollection", features: [onePoint()] },
        paint: { "heatmap-radius": 20, "heatmap-intensity": 2.5, "heatmap-color": RED },
      });
      assert.equal(await page.evaluate(() => window.map.getPixelRatio()), pixelRatio);
      for (const [name, camera] of CAMERAS) {
        const error = await registrationError(page, camera, pixelRatio);
        console.log(`registration, pixel ratio ${pixelRatio}, ${name}: ${error.toFixed(3)} device px`);
        assert.ok(error <= 1, `${name} at pixel ratio ${pixelRatio}: the heat is ${error.toFixed(2)} device px from map.project`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
}
