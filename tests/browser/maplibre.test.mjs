// geoheat/maplibre in headless Chromium with maplibre-gl from npm (WebGL on SwiftShader), no
// network: the heat registers on the ground under zoom, pan, bearing, pitch and pixel ratio; it
// sits in the map's layer order; it looks like MapLibre's own heatmap with the same paint; removal
// frees what it took; the map keeps its input.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { overWhite, ssim } from "../../bench/metrics.mjs";
import { openPage, startBrowser } from "./browser.mjs";
import { reddestCentroid } from "./map-pixels.mjs";

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
      // On WebGPU the heat's frame arrives after MapLibre's: settled once the heatmap has nothing
      // left to draw and the map has drawn again since.
      window.settle = async () => {
        for (let tries = 0; tries < 100; tries++) {
          const idle = new Promise((resolve) => window.map.once("idle", resolve));
          window.map.triggerRepaint();
          await idle;
          await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
          const onMap = window.heat !== undefined && window.map.getLayer(window.heat.id) !== undefined;
          if (!onMap || !window.heatmap.stats().dirty) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error("the heatmap still has a frame to draw after 100 map frames");
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
      window.heatmap = (await window.heat.ready()).heatmap;
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

/** A handle on the map canvas's pixels (`ImageData`, device pixels), kept in the page. */
function mapCanvasImage(page) {
  return page.evaluateHandle(() => {
    const source = window.map.getCanvas();
    const copy = new OffscreenCanvas(source.width, source.height);
    const context = copy.getContext("2d");
    context.drawImage(source, 0, 0);
    return context.getImageData(0, 0, source.width, source.height);
  });
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
  const image = await mapCanvasImage(page);
  // The pixels within half of the highest redness, weighted by how far above that they are.
  const { x: cx, y: cy } = await reddestCentroid(page, image, 0.5);
  await image.dispose();
  return Math.hypot(cx - projected[0] * pixelRatio, cy - projected[1] * pixelRatio);
}

const CAMERAS = [
  ["zoom 3", { center: POINT, zoom: 3, bearing: 0, pitch: 0 }],
  ["zoom 5", { center: POINT, zoom: 5, bearing: 0, pitch: 0 }],
  ["zoom 8.5", { center: POINT, zoom: 8.5, bearing: 0, pitch: 0 }],
  ["panned", { center: [POINT[0] - 2.3, POINT[1] + 1.7], zoom: 6, bearing: 0, pitch: 0 }],
  ["bearing 30, pitch 45", { center: [POINT[0] + 0.5, POINT[1] - 0.4], zoom: 6, bearing: 30, pitch: 45 }],
];

for (const [pixelRatio, backend] of [[1, "canvas2d"], [2, "canvas2d"], [1, "webgpu"]]) {
  test(`the heat registers on the ground within 1 device pixel (pixel ratio ${pixelRatio}, ${backend})`, async () => {
    const { page, errors } = await mapPage({ deviceScaleFactor: pixelRatio });
    try {
      await addHeat(page, {
        id: "heat",
        backend,
        data: { type: "FeatureCollection", features: [onePoint()] },
        paint: { "heatmap-radius": 20, "heatmap-intensity": 2.5, "heatmap-color": RED },
      });
      assert.equal(await page.evaluate(() => window.map.getPixelRatio()), pixelRatio);
      assert.equal(await page.evaluate(() => window.heatmap.backend), backend);
      for (const [name, camera] of CAMERAS) {
        const error = await registrationError(page, camera, pixelRatio);
        console.log(`registration, pixel ratio ${pixelRatio}, ${backend}, ${name}: ${error.toFixed(3)} device px`);
        assert.ok(error <= 1, `${name} at pixel ratio ${pixelRatio} on ${backend}: the heat is ${error.toFixed(2)} device px from map.project`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
}

/** RGBA of the device pixel under CSS point `[x, y]`. */
async function pixelAt(page, [x, y]) {
  const image = await screenshot(page);
  const ratio = image.width / 800;
  const i = 4 * (Math.round(y * ratio) * image.width + Math.round(x * ratio));
  return Array.from(image.data.subarray(i, i + 4));
}

test("a layer added above the heat (beforeId) covers it", async () => {
  const { page, errors } = await mapPage();
  try {
    await page.evaluate(() => {
      const world = { type: "Polygon", coordinates: [[[-179, -80], [179, -80], [179, 80], [-179, 80], [-179, -80]]] };
      window.map.addSource("cover", { type: "geojson", data: { type: "Feature", properties: {}, geometry: world } });
      window.map.addLayer({ id: "cover", type: "fill", source: "cover", paint: { "fill-color": "#0000ff" } });
    });
    await addHeat(page, { id: "heat", data: { type: "FeatureCollection", features: [onePoint()] }, paint: { "heatmap-radius": 20, "heatmap-intensity": 2.5, "heatmap-color": RED } }, "cover");
    assert.deepEqual(await page.evaluate(() => window.map.getLayersOrder()), ["background", "heat", "cover"]);
    const center = await page.evaluate((p) => Object.values(window.map.project(p)), POINT);
    assert.deepEqual(await pixelAt(page, center), [0, 0, 255, 255], "the cover above the heat shows");
    await page.evaluate(() => window.map.setLayoutProperty("cover", "visibility", "none"));
    await page.evaluate(() => window.settle());
    const [r, g, b] = await pixelAt(page, center);
    assert.ok(r > 200 && g === 0 && b === 0, `without the cover the heat shows: ${[r, g, b]}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

const FLOOR = 0.98;

test("GeoheatLayer looks like MapLibre's heatmap layer with the same paint (SSIM)", async () => {
  const { page, errors } = await mapPage({ center: [-120, 37], zoom: 4 });
  try {
    const paint = {
      "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 2, 10, 8, 30],
      "heatmap-weight": ["get", "mag"],
      "heatmap-intensity": 0.6,
      "heatmap-opacity": 0.9,
    };
    const data = await page.evaluate(async () => (await fetch("../data/earthquakes.geojson")).json());
    const scores = [];
    for (const camera of [{ center: [-120, 37], zoom: 4 }, { center: [140, 36], zoom: 3.5 }, { center: [-150, 60], zoom: 2.5 }]) {
      const maplibre = await page.evaluate(
        async ({ paint, data, camera }) => {
          window.map.jumpTo(camera);
          window.map.addSource("quakes", { type: "geojson", data });
          window.map.addLayer({ id: "maplibre-heat", type: "heatmap", source: "quakes", paint });
          await window.settle();
          return true;
        },
        { paint, data, camera },
      );
      assert.ok(maplibre);
      const expected = await screenshot(page);
      await page.evaluate(() => {
        window.map.removeLayer("maplibre-heat");
        window.map.removeSource("quakes");
      });
      const geoheat = async (options) => {
        await addHeat(page, { id: "heat", data, paint, ...options });
        const image = await screenshot(page);
        await page.evaluate(() => window.map.removeLayer("heat"));
        // The map canvas is opaque (a background layer): over white it is its own RGB.
        return ssim(overWhite(expected.data), overWhite(image.data), image.width);
      };
      const score = await geoheat({});
      // Controls: the density scale off by a factor of 1.5 either way.
      const [denser, fainter] = [await geoheat({ normalize: Math.sqrt(2 * Math.PI) / 1.5 }), await geoheat({ normalize: Math.sqrt(2 * Math.PI) * 1.5 })];
      console.log(`SSIM GeoheatLayer vs MapLibre heatmap at ${JSON.stringify(camera)}: ${score.toFixed(4)} (density ×1.5: ${denser.toFixed(4)}, ÷1.5: ${fainter.toFixed(4)})`);
      scores.push([score, Math.max(denser, fainter)]);
    }
    // Measured: 0.990–0.998. A density scale off by 1.5× scores 0.935–0.974 at the two cameras
    // where heat covers much of the view (0.995 where it is sparse, over Japan), so the floor of
    // 0.98 fails on a wrong normalisation there, and at every camera the right scale must win.
    for (const [score, control] of scores) {
      assert.ok(score >= FLOOR, `SSIM ${score.toFixed(4)} is below ${FLOOR}`);
      assert.ok(control < score, `a wrong density scale scores ${control.toFixed(4)}, not below ${score.toFixed(4)}`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test("removing the layer frees its GL objects and wasm memory (100 add/remove cycles)", async () => {
  const { page, errors } = await mapPage();
  try {
    const counts = await page.evaluate(async (feature) => {
      // Live WebGL textures, buffers and programs of this page, counted at their creation and deletion.
      const live = { Texture: 0, Buffer: 0, Program: 0 };
      const proto = WebGL2RenderingContext.prototype;
      for (const kind of Object.keys(live)) {
        const [create, remove] = [proto[`create${kind}`], proto[`delete${kind}`]];
        proto[`create${kind}`] = function () {
          live[kind]++;
          return create.call(this);
        };
        proto[`delete${kind}`] = function (object) {
          if (object) live[kind]--;
          return remove.call(this, object);
        };
      }
      const data = { type: "FeatureCollection", features: Array.from({ length: 100 }, (_, i) => ({ ...feature, geometry: { type: "Point", coordinates: [feature.geometry.coordinates[0] + (i % 10) * 0.2, feature.geometry.coordinates[1] + Math.floor(i / 10) * 0.2] } })) };
      const snapshot = () => ({ ...live, wasmBytes: window.wasm.memory.buffer.byteLength });
      let during;
      const cycle = async () => {
        const layer = new GeoheatLayer({ id: "heat", data, paint: { "heatmap-radius": 25 } });
        window.map.addLayer(layer);
        await layer.ready();
        await layer.setData(data);
        await window.settle();
        if (layer.valueAt(feature.geometry.coordinates) === null) throw new Error("the layer drew no heat");
        during = snapshot();
        window.map.removeLayer("heat");
      };
      for (let i = 0; i < 5; i++) await cycle();
      await window.settle();
      const warm = snapshot();
      for (let i = 0; i < 100; i++) await cycle();
      await window.settle();
      return { warm, during, after: snapshot() };
    }, onePoint());
    console.log(`after 5 cycles: ${JSON.stringify(counts.warm)}; with the layer on: ${JSON.stringify(counts.during)}; after 100 more: ${JSON.stringify(counts.after)}`);
    // The counters see the layer's objects: one texture, one buffer and one program more while it is on.
    assert.deepEqual([counts.during.Texture, counts.during.Buffer, counts.during.Program], [counts.warm.Texture + 1, counts.warm.Buffer + 1, counts.warm.Program + 1]);
    assert.deepEqual(counts.after, counts.warm);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test("pointer input reaches the map with the layer on: a drag pans it", async () => {
  const { page, errors } = await mapPage({ basemap: true });
  try {
    await addHeat(page, { id: "heat", data: { type: "FeatureCollection", features: [onePoint()] }, paint: { "heatmap-radius": 40 } });
    const before = await page.evaluate(() => window.map.project([0, 0]).x);
    await page.mouse.move(400, 300);
    await page.mouse.down();
    for (let x = 390; x >= 200; x -= 10) await page.mouse.move(x, 300);
    // MapLibre's inertia looks at the last 160 ms of moves; a longer pause before release
    // leaves none, so the map ends exactly where the pointer left it, however slow the machine.
    await page.waitForTimeout(300);
    await page.mouse.up();
    await page.evaluate(() => window.settle());
    const after = await page.evaluate(() => window.map.project([0, 0]).x);
    assert.ok(Math.abs(after - before + 200) < 2, `a drag of 200 px to the left moved the map by ${after - before} px`);
    assert.ok((await page.evaluate((p) => window.heat.valueAt(p), POINT)) > 0, "the heat is still drawn after the pan");
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test("the demo is a MapLibre map showing the earthquakes' heat over the offline basemap", async () => {
  const { page, errors } = await openPage(env, "index.html?backend=canvas2d", { viewport: { width: 1100, height: 700 } });
  try {
    await page.waitForFunction(() => /earthquakes/.test(document.getElementById("status").textContent ?? ""));
    // Southern California, the hottest place of that week.
    const place = [-117.6, 35.6];
    const value = await page.evaluate(async (place) => {
      window.map.jumpTo({ center: place, zoom: 4 });
      await new Promise((resolve) => window.map.once("idle", resolve));
      return window.heat.valueAt(place);
    }, place);
    assert.ok(value > 0.05, `the heat there is ${value}`);
    /** The map's pixel at `place`, read in a frame MapLibre renders (its buffer is not preserved). */
    const pixel = () =>
      page.evaluate(
        (place) =>
          new Promise((resolve) => {
            window.map.once("render", () => {
              const gl = window.map.getCanvas().getContext("webgl2");
              const { x, y } = window.map.project(place);
              const ratio = window.map.getPixelRatio();
              const out = new Uint8Array(4);
              gl.readPixels(Math.round(x * ratio), Math.round(gl.drawingBufferHeight - y * ratio), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
              resolve(Array.from(out));
            });
            window.map.triggerRepaint();
          }),
        place,
      );
    const withHeat = await pixel();
    await page.uncheck("#layer-heat");
    await page.waitForFunction(() => /heat: heat, .*hidden/.test(document.getElementById("layer-list").textContent ?? ""));
    const without = await pixel();
    console.log(`demo pixel at ${place}: ${withHeat} with the heat, ${without} without`);
    // The basemap's land is a dark grey-blue; the classic ramp over it is bright.
    assert.ok(without[0] < 60 && without[1] < 60 && without[2] < 80, `basemap colour ${without}`);
    const difference = withHeat.reduce((sum, v, i) => sum + Math.abs(v - without[i]), 0);
    assert.ok(difference > 150, `the heat changes the pixel by ${difference}`);
    assert.equal(await page.evaluate(() => window.map.getLayersOrder().join(",")), "background,land,earthquakes,borders");
    // Weight by magnitude leaves out the 44 negative magnitudes; by count every earthquake weighs 1.
    assert.equal(await page.evaluate(() => window.heatmap.pointCount), 1663);
    await page.selectOption("#weight-by", "count");
    await page.waitForFunction(() => window.heatmap.pointCount === 1707);
    // "Show: mean weight" restyles the layer, and the legend says what its numbers are.
    const legendSays = (word) => page.waitForFunction((word) => (document.getElementById("legend-max").textContent ?? "").includes(word), word);
    await legendSays("density");
    await page.selectOption("#aggregation", "mean");
    await legendSays("mean weight");
    await page.selectOption("#aggregation", "sum");
    await legendSays("density");
    // Play moves a day-wide window through the week: the slider follows the layer's time events.
    await page.click("#play");
    await page.waitForFunction(() => /UTC \+ 1 day/.test(document.getElementById("time-value").textContent ?? ""));
    await page.click("#play");
    const drawn = await page.evaluate(() => window.heatmap.pointCount);
    assert.ok(drawn > 0 && drawn < 1707, `${drawn} earthquakes in the paused window`);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test("MapLibre paint: zoom expressions follow the zoom, the density is MapLibre's, anything else is a named error", async () => {
  const { page, errors } = await mapPage({ zoom: 4 });
  try {
    await addHeat(page, {
      id: "heat",
      data: { type: "FeatureCollection", features: [onePoint(2)] },
      paint: { "heatmap-radius": ["interpolate", ["exponential", 2], ["zoom"], 4, 10, 6, 40], "heatmap-weight": ["get", "w"], "heatmap-intensity": 1.5 },
    });
    /** The frame's kernel radius and the heat at the point, after zooming to `zoom`. */
    const at = (zoom) =>
      page.evaluate(
        async ({ zoom, point }) => {
          const frame = new Promise((resolve) => window.heat.ready().then((heat) => heat.heatmap.on("frame", resolve)));
          window.map.jumpTo({ zoom });
          await window.settle();
          return { radius: (await frame).radiusPx, value: window.heat.valueAt(point) };
        },
        { zoom, point: POINT },
      );
    // ["exponential", 2] from 10 px at zoom 4 to 40 px at zoom 6, as MapLibre interpolates.
    for (const [zoom, radius] of [[4.5, 10 + (30 * (2 ** 0.5 - 1)) / 3], [5, 20], [6, 40]]) {
      const out = await at(zoom);
      assert.ok(Math.abs(out.radius - radius) < 1e-3, `radius at zoom ${zoom}: ${out.radius}, not ${radius}`);
      // One point of weight 2 at intensity 1.5: MapLibre's density at its centre is 2 · 1.5 / √(2π)
      // = 1.197; valueAt reads the pixel holding the point, whose centre is up to 0.7 px away
      // (a 2% lower kernel at 14 px): within 3% (without the 1/√(2π) it would be 2.5 times more).
      const peak = 3 / Math.sqrt(2 * Math.PI);
      assert.ok(out.value <= peak * 1.001 && out.value > peak * 0.97, `density at the point at zoom ${zoom}: ${out.value}, not ${peak}`);
    }
    // Longitudes of another world copy (MapLibre's events wrap them) and map pixels read the same heat.
    const same = await page.evaluate((point) => {
      const { x, y } = window.map.project(point);
      return [window.heat.valueAt([point[0] + 360, point[1]]), window.heat.valueAt({ x, y }), window.heat.valueAt(point)];
    }, POINT);
    assert.ok(same[2] > 1 && Math.abs(same[0] - same[2]) < 1e-9 && Math.abs(same[1] - same[2]) < 0.01, `valueAt: ${same}`);
    // A new weight reloads the data: every point weighs 1 now.
    const peak = 1.5 / Math.sqrt(2 * Math.PI);
    await page.evaluate(() => window.heat.setPaintProperty("heatmap-weight", 1));
    await page.waitForFunction(([point, peak]) => Math.abs(window.heat.valueAt(point) / peak - 0.985) < 0.015, [POINT, peak], { timeout: 10_000 });
    const thrown = await page.evaluate(() =>
      [
        { "heatmap-blur": 3 },
        { "heatmap-radius": ["step", ["zoom"], 10, 5, 20] },
        { "heatmap-weight": ["*", ["get", "mag"], 2] },
        { "heatmap-color": ["interpolate", ["linear"], ["zoom"], 0, "red", 1, "blue"] },
        { "heatmap-color": ["interpolate", ["linear"], ["heatmap-density"], 0, "not-a-colour", 1, "blue"] },
      ].map((paint) => {
        try {
          new GeoheatLayer({ id: "bad", paint });
          return null;
        } catch (e) {
          return { name: e.name, code: e.code, option: e.option, message: e.message };
        }
      }),
    );
    assert.deepEqual(thrown.map((e) => e?.option), ["heatmap-blur", "heatmap-radius", "heatmap-weight", "heatmap-color", "heatmap-color"]);
    for (const e of thrown) {
      assert.equal(e.code, "INVALID_OPTION");
      assert.match(e.message, /supported/, e.message);
    }
    assert.match(thrown[0].message, /heatmap-radius, heatmap-weight, heatmap-intensity, heatmap-color, heatmap-opacity/);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});
