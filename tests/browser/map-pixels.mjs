// Helpers of the map adapters' browser tests (MapLibre, Leaflet, OpenLayers): what is on screen,
// where the heat of one point peaks on it, what a page holds (wasm memory, DOM nodes), and the
// README's examples as pages.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openPage } from "./browser.mjs";

/**
 * The page as the screen shows it (a screenshot, in device pixels), decoded by the browser and
 * kept there: a handle on its `ImageData`, for `reddestCentroid` and `differingPixels`, which
 * read it in the page (its millions of numbers never cross to the test).
 */
export async function screenImage(page) {
  const png = await page.screenshot();
  return page.evaluateHandle(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height);
  }, png.toString("base64"));
}

/**
 * The centroid, in device pixels (a pixel's centre is at +0.5), of the reddest pixels of `image`
 * (a `screenImage`): those whose redness (R − max(G, B)) is within `top` of the highest, weighted
 * by how far above that they are, and how many they are. For one point drawn with a red ramp,
 * this is where its kernel peaks on screen.
 */
export function reddestCentroid(page, image, top = 0.15) {
  return page.evaluate(
    ([{ width, height, data }, top]) => {
      let highest = 0;
      for (let i = 0; i < data.length; i += 4) highest = Math.max(highest, data[i] - Math.max(data[i + 1], data[i + 2]));
      if (highest < 64) throw new Error(`no red on screen (highest redness ${highest})`);
      const floor = highest * (1 - top);
      let [sum, x, y, count] = [0, 0, 0, 0];
      for (let row = 0; row < height; row++) {
        for (let col = 0; col < width; col++) {
          const i = (row * width + col) * 4;
          const weight = data[i] - Math.max(data[i + 1], data[i + 2]) - floor;
          if (weight <= 0) continue;
          sum += weight;
          x += weight * (col + 0.5);
          y += weight * (row + 0.5);
          count++;
        }
      }
      return { x: x / sum, y: y / sum, pixels: count };
    },
    [image, top],
  );
}

/** How many pixels differ between two `screenImage`s of the same size. */
export function differingPixels(page, a, b) {
  return page.evaluate(
    ([a, b]) => {
      let count = 0;
      for (let i = 0; i < a.data.length; i += 4) {
        if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) count++;
      }
      return count;
    },
    [a, b],
  );
}

/** Where the heat of one red point peaks on screen now (see `reddestCentroid`). */
export async function redPeak(page, top) {
  const image = await screenImage(page);
  try {
    return await reddestCentroid(page, image, top);
  } finally {
    await image.dispose();
  }
}

/** In the page: the wasm memory's size in bytes and the number of elements in the document. */
export function pageFootprint(page) {
  return page.evaluate(async () => {
    const { initialise } = await import("/geoheat/index.js");
    const wasm = await initialise();
    return { wasmBytes: wasm.memory.buffer.byteLength, elements: document.getElementsByTagName("*").length };
  });
}

/** A FeatureCollection of one point at `[lng, lat]` weighing `weight`. */
export function onePoint([lng, lat], weight = 1) {
  return { type: "FeatureCollection", features: [{ type: "Feature", properties: { w: weight }, geometry: { type: "Point", coordinates: [lng, lat] } }] };
}

/** A ramp from clear to opaque red: redness grows with the heat. */
export const RED_RAMP = [[0, "rgba(255, 0, 0, 0)"], [1, "rgb(255, 0, 0)"]];

/** A point over the Atlantic, clear of land and borders at every zoom the adapter tests use. */
export const ATLANTIC_POINT = [-40, 25];

/** Adapter options that draw one weighted point (property `w`) in pure red. */
export const RED_POINT_HEAT = { weightProperty: "w", radius: 30, colorRamp: RED_RAMP };

/** Resolves after `count` animation frames of the page. */
export function animationFrames(page, count = 2) {
  return page.evaluate(
    (n) => new Promise((done) => {
      const step = (left) => (left === 0 ? done() : requestAnimationFrame(() => step(left - 1)));
      step(n);
    }),
    count,
  );
}

const ROOT = new URL("../../", import.meta.url);
/** A 1 × 1 transparent PNG: the tiles of the examples' OpenStreetMap layers, offline. */
const BLANK_TILE = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

/** The ```html block of README.md's section `## heading`. */
export function readmeExample(heading) {
  const readme = readFileSync(new URL("README.md", ROOT), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  const block = section?.match(/^```html\n([\s\S]*?)^```$/m);
  if (!block) throw new Error(`README.md has no html example under "## ${heading}"`);
  return block[1];
}

/**
 * Opens `html` as a page of the www/ server, where ./node_modules/ holds leaflet and ol, with what
 * an installed geoheat would serve (./node_modules/geoheat/…) answered from the staged package
 * (www/package, from www/build.sh), quakes.geojson from www/data/earthquakes.geojson, and
 * OpenStreetMap's tiles with a blank tile (no network). Returns `{ page, errors, logs }`.
 */
export async function openExample(env, html) {
  const logs = [];
  const opened = await openPage(env, "example.html", {
    prepare: async (page) => {
      page.on("console", (m) => m.type() === "log" && logs.push(m.text()));
      await page.route(`${env.url}example.html`, (route) => route.fulfill({ body: html, contentType: "text/html" }));
      await page.route(`${env.url}node_modules/geoheat/**`, (route) => {
        const path = new URL(route.request().url()).pathname.replace("/node_modules/geoheat/", "");
        return route.fulfill({ path: fileURLToPath(new URL(`www/package/${path}`, ROOT)) });
      });
      await page.route(`${env.url}quakes.geojson`, (route) => route.fulfill({ path: fileURLToPath(new URL("www/data/earthquakes.geojson", ROOT)) }));
      await page.route("https://tile.openstreetmap.org/**", (route) =>
        route.fulfill({ body: BLANK_TILE, contentType: "image/png", headers: { "Access-Control-Allow-Origin": "*" } }),
      );
    },
  });
  return { ...opened, logs };
}

/** The share of `selector`'s canvas pixels (0..1) that are not transparent. */
export function coveredShare(page, selector) {
  return page.evaluate((selector) => {
    const canvas = document.querySelector(selector);
    if (canvas === null) return 0;
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let covered = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) covered++;
    return covered / (canvas.width * canvas.height);
  }, selector);
}

/**
 * What a demo page showing the earthquakes must show, given `seen` from the page (`onMap`: the
 * layer is on the map; `inside`: earthquakes of magnitude ≥ 4 in view; `hot`: those of them with
 * heat under them; `covered`: the heat canvas's share of non-transparent pixels): heat under every
 * strong earthquake, clear elsewhere, and the heat canvas (`selector`) changing what the screen shows.
 */
export async function assertEarthquakeHeat(page, seen, selector) {
  assert.ok(seen.onMap, "the layer is on the map");
  assert.ok(seen.inside > 50, `${seen.inside} earthquakes of magnitude ≥ 4 are in view`);
  assert.equal(seen.hot, seen.inside, "every one of them has heat under it");
  assert.ok(seen.covered > 0.01 && seen.covered < 0.5, `heat covers ${(seen.covered * 100).toFixed(1)} % of the map`);
  const withHeat = await screenImage(page);
  await page.evaluate((selector) => (document.querySelector(selector).style.visibility = "hidden"), selector);
  const differing = await differingPixels(page, withHeat, await screenImage(page));
  assert.ok(differing > 0.01 * 800 * 600, `${differing} screen pixels show heat`);
}

/**
 * README.md's example under `## heading` runs as written (see `openExample`): no errors, it logs
 * the earthquakes' load, and its heat canvas (`selector`) shows heat.
 */
export async function assertReadmeExampleRuns(env, heading, selector) {
  const { page, errors, logs } = await openExample(env, readmeExample(heading));
  await page.waitForFunction((selector) => document.querySelector(selector) !== null, selector);
  await page.waitForFunction(() => window.performance.getEntriesByType("resource").some((r) => r.name.endsWith("quakes.geojson")));
  await page.waitForTimeout(500);
  await animationFrames(page);
  assert.deepEqual(errors, []);
  assert.ok(logs.some((line) => /^1663 points/.test(line)), `the example logged its load: ${logs.join(" | ")}`);
  const share = await coveredShare(page, selector);
  assert.ok(share > 0.01, `heat covers ${(share * 100).toFixed(1)} % of the map`);
}
