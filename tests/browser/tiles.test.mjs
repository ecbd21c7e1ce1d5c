// Heat tiles from `geoheat tiles` shown by MapLibre (maplibre-gl from npm, WebGL on SwiftShader,
// no network) as a plain `raster` source: the CLI writes a small pyramid into a folder under
// www/ that the harness's static server serves, and the heat of one heavy point peaks where
// `map.project` puts the point, at several zooms and centres; far from it the map stays black.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openPage, startBrowser } from "./browser.mjs";
import { reddestCentroid, screenImage } from "./map-pixels.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HARNESS = join(ROOT, "www", "harness");
const POINT = [10.5, 45.3];
// A faint point far away, so that a tile is skipped between them and the zoom's maximum is the
// heavy point's.
const FAINT = [-60.25, -20.5];

/** The CLI: $GEOHEAT_CLI, or built with cargo (a no-op after `cargo test --all-features`). */
function cli() {
  if (process.env.GEOHEAT_CLI) return process.env.GEOHEAT_CLI;
  const args = ["build", "-q", "-p", "geoheat", "--all-features", "--bin", "geoheat", "--profile", "test", "--message-format=json"];
  const out = execFileSync("cargo", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
  for (const line of out.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line);
    if (message.reason === "compiler-artifact" && message.executable && message.target.name === "geoheat") return message.executable;
  }
  throw new Error("cargo built no geoheat binary");
}

let env;
let dir;
before(async () => {
  // Under www/ so that the static server serves it; removed after the tests.
  dir = mkdtempSync(join(HARNESS, "tiles-"));
  const features = [
    [POINT, 10],
    [FAINT, 1],
  ].map(([coordinates, w]) => ({ type: "Feature", properties: { w }, geometry: { type: "Point", coordinates } }));
  writeFileSync(join(dir, "points.geojson"), JSON.stringify({ type: "FeatureCollection", features }));
  const ramp = "0:#ff000000,1:#ff0000";
  execFileSync(cli(), ["tiles", join(dir, "points.geojson"), "-o", join(dir, "tiles"), "--min-zoom", "2", "--max-zoom", "7", "--radius", "16", "--weight-property", "w", "--ramp", ramp, "-q"]);
  // WebGL on SwiftShader, as tests/browser/maplibre.test.mjs runs MapLibre.
  env = await startBrowser({ flags: "webgpu" });
});
after(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A page with MapLibre on a black background and the pyramid as a raster layer. */
async function tilePage({ center, zoom, deviceScaleFactor = 1 }) {
  const html = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
    <style>html, body { margin: 0; } #map { width: 800px; height: 600px; }</style></head>
    <body><div id="map"></div><script src="../node_modules/maplibre-gl/dist/maplibre-gl.js"></script></body></html>`;
  const page = "harness/tiles-page.html";
  const opened = await openPage(env, page, {
    deviceScaleFactor,
    prepare: (p) => p.route(`**/${page}`, (route) => route.fulfill({ contentType: "text/html", body: html })),
  });
  const requested = [];
  const pending = new Set();
  opened.page.on("request", (request) => pending.add(request.url()));
  opened.page.on("requestfailed", (request) => pending.delete(request.url()));
  opened.page.on("requestfinished", async (request) => {
    pending.delete(request.url());
    if (request.url().endsWith(".png")) requested.push([request.url(), (await request.response())?.status()]);
  });
  const settled = opened.page.evaluate(
    async ({ tiles, center, zoom }) => {
      window.map = new maplibregl.Map({
        container: "map",
        style: {
          version: 8,
          // Relative to the page; not through URL(), which would escape the braces.
          sources: { heat: { type: "raster", tiles: [location.href.replace(/[^/]*$/, "") + tiles], tileSize: 256, minzoom: 2, maxzoom: 7 } },
          layers: [
            { id: "background", type: "background", paint: { "background-color": "#000000" } },
            { id: "heat", type: "raster", source: "heat", paint: { "raster-fade-duration": 0 } },
          ],
        },
        center,
        zoom,
        fadeDuration: 0,
        attributionControl: false,
        canvasContextAttributes: { preserveDrawingBuffer: true },
      });
      let failure;
      window.map.on("error", (e) => (failure ??= e.error));
      const lost = new Promise((resolve) => window.map.once("webglcontextlost", () => resolve("the WebGL context was lost")));
      // Settled once the map has loaded its style and tiles and then gone idle after a repaint.
      // Polled, not one `idle` event awaited, so that a missed event cannot stall the test and a
      // map that never settles says what it still waits for.
      const started = performance.now();
      for (;;) {
        if (failure !== undefined && !/404|Not Found/i.test(String(failure.message ?? failure))) throw failure;
        if (window.map.loaded() && window.map.areTilesLoaded()) {
          const idle = new Promise((resolve) => window.map.once("idle", () => resolve(true)));
          window.map.triggerRepaint();
          const outcome = await Promise.race([idle, lost, new Promise((resolve) => setTimeout(resolve, 2000, false))]);
          if (typeof outcome === "string") throw new Error(outcome);
          if (outcome) return;
        }
        const waited = performance.now() - started;
        if (waited > 60_000) {
          const state = `style loaded ${window.map.isStyleLoaded()}, tiles loaded ${window.map.areTilesLoaded()}, map loaded ${window.map.loaded()}`;
          throw new Error(`the map did not settle in ${Math.round(waited / 1000)} s: ${state}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    { tiles: `${basename(dir)}/tiles/{z}/{x}/{y}.png`, center, zoom },
  );
  await settled.catch((error) => {
    throw new Error(`${error.message}; requests not finished: ${JSON.stringify([...pending])}`);
  });
  return { ...opened, requested };
}

const CAMERAS = [
  ["zoom 4 on the point", { center: POINT, zoom: 4 }],
  ["zoom 5.5, point off-centre", { center: [POINT[0] - 3.1, POINT[1] + 1.4], zoom: 5.5 }],
  ["zoom 3.25, pixel ratio 2", { center: [POINT[0] + 8, POINT[1] - 5], zoom: 3.25, deviceScaleFactor: 2 }],
];

for (const [name, camera] of CAMERAS) {
  test(`MapLibre shows the CLI's heat tiles where the data is: ${name}`, async (t) => {
    const { page, errors, requested } = await tilePage(camera);
    const ratio = camera.deviceScaleFactor ?? 1;
    const projected = await page.evaluate((p) => {
      const at = window.map.project(p);
      return [at.x, at.y];
    }, POINT);
    const image = await screenImage(page);
    const { x, y, pixels } = await reddestCentroid(page, image, 0.1);
    const [far, lit] = await page.evaluate(
      ([{ width, data }, px, py]) => {
        // Red well away from the point (more than 4 radii), and red pixels in all.
        let [far, lit] = [0, 0];
        for (let i = 0; i < data.length; i += 4) {
          if (data[i] === 0) continue;
          lit++;
          const col = (i / 4) % width;
          const row = Math.floor(i / 4 / width);
          if (Math.hypot(col + 0.5 - px, row + 0.5 - py) > 4 * 16 * 2 * 2) far++;
        }
        return [far, lit];
      },
      [image, projected[0] * ratio, projected[1] * ratio],
    );
    await image.dispose();
    const miss = Math.hypot(x - projected[0] * ratio, y - projected[1] * ratio);
    t.diagnostic(`peak ${miss.toFixed(2)} device px from map.project; ${lit} heat pixels`);
    assert.ok(miss <= 2 * ratio, `${name}: the peak is ${miss.toFixed(2)} device px from the point (${pixels} peak pixels)`);
    assert.ok(lit > 100, `${name}: ${lit} heat pixels`);
    assert.equal(far, 0, `${name}: heat far from the point`);
    const ok = requested.filter(([, status]) => status === 200);
    assert.ok(ok.length > 0, `${name}: tiles were loaded: ${JSON.stringify(requested)}`);
    // Tiles without heat were never written: MapLibre's requests for them are the only misses.
    assert.deepEqual(errors.filter((e) => !/404|Not Found/i.test(e)), []);
  });
}

test("the pyramid holds the zooms asked for and only tiles with heat", () => {
  const zooms = readdirSync(join(dir, "tiles")).map(Number).sort((a, b) => a - b);
  assert.deepEqual(zooms, [2, 3, 4, 5, 6, 7]);
  for (const z of zooms) {
    const tiles = readdirSync(join(dir, "tiles", String(z))).flatMap((x) => readdirSync(join(dir, "tiles", String(z), x)));
    // Each point's heat covers at most 2x2 tiles of a zoom; two points, 2..8 tiles.
    assert.ok(tiles.length >= 2 && tiles.length <= 8, `zoom ${z}: ${tiles.length} tiles`);
  }
});
