// End-to-end tests of the Canvas 2D heatmap in headless Chromium (Debian's, via playwright-core).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodePng } from "./png.mjs";
import { openPage, startBrowser, waitForFrames, GOLDEN_SCENE } from "./browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCENE = GOLDEN_SCENE;

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

/** Opens the harness page with a heatmap of the earthquakes scene as `window.map`. */
async function sceneMap(options = {}) {
  const opened = await openPage(env, "harness.html", options);
  await opened.page.waitForFunction(() => window.harnessReady);
  await opened.page.evaluate(async (scene) => {
    const canvas = document.getElementById("map");
    window.map = await window.geoheat.Heatmap.create(canvas, scene.create);
    const bytes = new Uint8Array(await (await fetch("data/earthquakes.geojson")).arrayBuffer());
    window.report = window.map.loadGeoJSON(bytes, scene.load);
  }, SCENE);
  await waitForFrames(opened.page);
  return opened;
}

const canvasPixels = (page) =>
  page.evaluate(() => {
    const c = document.getElementById("map");
    return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data);
  });

test("the frame handed to Canvas 2D is byte-identical to the CLI's golden PNG", async () => {
  const { page, errors } = await sceneMap();
  const golden = decodePng(readFileSync(`${ROOT}tests/golden/earthquakes-california.png`));
  assert.ok(golden.data.some((v, i) => i % 4 === 3 && v > 200), "the golden scene has opaque heat");

  // The front buffer (what putImageData receives, and what snapshot() encodes) is exact.
  const snapshot = decodePng(Uint8Array.from(await page.evaluate(async () => Array.from(await window.map.snapshot()))));
  assert.deepEqual([snapshot.width, snapshot.height], [golden.width, golden.height]);
  const differing = snapshot.data.filter((v, i) => v !== golden.data[i]).length;
  assert.equal(differing, 0, `${differing} bytes of the presented frame differ from the golden`);

  // The canvas itself stores premultiplied colour, so reading it back is exact for alpha and for
  // opaque pixels, and within the premultiplication rounding (255 / 2a) for translucent ones.
  const pixels = await canvasPixels(page);
  assert.equal(pixels.length, golden.data.length);
  for (let i = 0; i < pixels.length; i += 4) {
    const a = golden.data[i + 3];
    assert.equal(pixels[i + 3], a, `alpha of pixel ${i / 4}`);
    const slack = a === 255 ? 0 : a === 0 ? 255 : Math.ceil(255 / (2 * a)) + 1;
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(pixels[i + c] - golden.data[i + c]) <= slack, `channel ${c} of pixel ${i / 4}: ${pixels[i + c]} vs ${golden.data[i + c]} (alpha ${a})`);
    }
  }
  assert.deepEqual(errors, []);
});

test("the load report counts what was read", async () => {
  const { page, errors } = await sceneMap();
  const report = await page.evaluate(() => window.report);
  assert.equal(report.features, 1707);
  assert.equal(report.skippedByPolicy, 44, "44 quakes have a negative magnitude");
  assert.equal(report.points, 1663);
  assert.equal(report.bbox.length, 4);
  assert.deepEqual(errors, []);
});

/** Web Mercator world coordinates, as geoheat defines them. */
const world = ([lon, lat]) => {
  const phi = (Math.max(-85.0511287798066, Math.min(85.0511287798066, lat)) * Math.PI) / 180;
  return [(lon + 180) / 360, (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2];
};
/** The world point under CSS pixel `p` of `view`. */
const unproject = (view, p) => {
  const [cx, cy] = world(view.center);
  const s = 512 * 2 ** view.zoom;
  return [cx + (p[0] - view.width / 2) / s, cy + (p[1] - view.height / 2) / s];
};

test("dragging pans with the pointer, the wheel zooms around the cursor, keys zoom and pan", async () => {
  const { page, errors } = await sceneMap();
  const box = await page.locator("#map").boundingBox();
  const view0 = await page.evaluate(() => window.map.view());
  const grabbed = unproject(view0, [100, 100]);

  await page.mouse.move(box.x + 100, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(box.x + 150, box.y + 130, { steps: 5 });
  await page.mouse.up();
  const view1 = await page.evaluate(() => window.map.view());
  const under = unproject(view1, [150, 130]);
  assert.ok(Math.hypot(under[0] - grabbed[0], under[1] - grabbed[1]) * 512 * 2 ** view1.zoom < 0.01, "the grabbed point follows the pointer");
  assert.equal(view1.zoom, view0.zoom);

  const cursor = [300, 80];
  const beforeWheel = unproject(view1, cursor);
  await page.mouse.move(box.x + cursor[0], box.y + cursor[1]);
  await page.mouse.wheel(0, -150);
  await page.waitForFunction((z) => window.map.view().zoom > z, view1.zoom);
  const view2 = await page.evaluate(() => window.map.view());
  assert.ok(Math.abs(view2.zoom - view1.zoom - 0.5) < 1e-9, `wheel -150 px zooms in half a level (got ${view2.zoom - view1.zoom})`);
  const afterWheel = unproject(view2, cursor);
  assert.ok(Math.hypot(afterWheel[0] - beforeWheel[0], afterWheel[1] - beforeWheel[1]) * 512 * 2 ** view2.zoom < 0.01, "the point under the cursor stays");

  await page.focus("#map");
  await page.keyboard.press("-");
  const view3 = await page.evaluate(() => window.map.view());
  assert.ok(Math.abs(view3.zoom - (view2.zoom - 1)) < 1e-9);
  await page.keyboard.press("ArrowRight");
  const view4 = await page.evaluate(() => window.map.view());
  assert.ok(world(view4.center)[0] > world(view3.center)[0], "ArrowRight looks east");
  await waitForFrames(page);
  assert.deepEqual(errors, []);
});

test("a two-finger pinch zooms by the change in finger distance around their midpoint", async () => {
  const { page, errors } = await sceneMap();
  const out = await page.evaluate(() => {
    const canvas = document.getElementById("map");
    const rect = canvas.getBoundingClientRect();
    const send = (type, id, x, y) =>
      canvas.dispatchEvent(new PointerEvent(type, { pointerId: id, clientX: rect.left + x, clientY: rect.top + y, bubbles: true, isPrimary: id === 1 }));
    const before = window.map.view();
    send("pointerdown", 1, 150, 150);
    send("pointerdown", 2, 250, 150);
    send("pointermove", 1, 100, 150); // the fingers spread from 100 to 200 px apart
    send("pointermove", 2, 300, 150);
    send("pointerup", 1, 100, 150);
    send("pointerup", 2, 300, 150);
    return { before, after: window.map.view() };
  });
  // Two moves: 100 → 150 px (first finger) then 150 → 200 px (second): log2(200 / 100) = 1 level.
  assert.ok(Math.abs(out.after.zoom - out.before.zoom - 1) < 1e-9, `zoom changed by ${out.after.zoom - out.before.zoom}`);
  // The fingers' midpoint starts and ends at (200, 150): the place under it stays there.
  const [a, b] = [unproject(out.before, [200, 150]), unproject(out.after, [200, 150])];
  assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) * 512 * 2 ** out.after.zoom < 0.01, "the midpoint's place stays under it");
  assert.deepEqual(errors, []);
});

test("valueAt agrees with the exact density sum", async () => {
  const { page, errors } = await sceneMap();
  const result = await page.evaluate(() => {
    const map = window.map;
    const xyw = map.points();
    const [ox, oy] = map.pointsOrigin();
    const view = map.view();
    const s = 512 * 2 ** view.zoom;
    const phi = (view.center[1] * Math.PI) / 180;
    const cx = (view.center[0] + 180) / 360;
    const cy = (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2;
    const r = 25, sigma = r / 3;
    const exact = (px, py) => {
      let sum = 0;
      for (let i = 0; i < xyw.length; i += 3) {
        const dx = px + 0.5 - ((ox + xyw[i] - cx) * s + view.width / 2);
        const dy = py + 0.5 - ((oy + xyw[i + 1] - cy) * s + view.height / 2);
        if (Math.abs(dx) <= r && Math.abs(dy) <= r) sum += xyw[i + 2] * Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      }
      return sum;
    };
    const samples = [];
    let max = 0;
    for (let y = 5; y < 300; y += 10) {
      for (let x = 5; x < 400; x += 10) {
        const fast = map.valueAt(x + 0.5, y + 0.5);
        const e = exact(x, y);
        max = Math.max(max, e);
        samples.push([fast, e]);
      }
    }
    return { samples, max };
  });
  assert.ok(result.max > 10, "the scene has real density");
  for (const [fast, exact] of result.samples) {
    // The fast path's documented worst case is 2% of the maximum (crate/tests/raster_parity.rs).
    assert.ok(Math.abs(fast - exact) <= 0.02 * result.max, `valueAt ${fast} vs exact ${exact} (max ${result.max})`);
  }
  assert.deepEqual(errors, []);
});

test("bad GeoJSON throws a located error and the heatmap on screen stays", async () => {
  const { page, errors } = await sceneMap();
  // What is on screen is the front buffer; canvas readback itself is not stable across reads here.
  const shown = () => page.evaluate(async () => [window.map.stats().framesRendered, Array.from(await window.map.snapshot())]);
  const before = await shown();
  const outcome = await page.evaluate(() => {
    const bad = [
      '{"type":"FeatureCollection","features":[',
      '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},',
      '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[500,2]}}]}',
    ].join("\n");
    const caught = [];
    const deep = '{"type":"Point","coordinates":' + "[".repeat(100000);
    for (const input of [bad, '{"type":"FeatureCollection","features":[', deep, new Uint8Array([0x7b, 0xff, 0x7d])]) {
      try {
        window.map.loadGeoJSON(input);
        caught.push(null);
      } catch (e) {
        caught.push({ name: e.name, code: e.code, message: e.message, line: e.line, column: e.column, featureIndex: e.featureIndex });
      }
    }
    return { caught, points: window.map.pointCount, dirty: window.map.stats().dirty };
  });
  const [range, truncated, deep, utf8] = outcome.caught;
  assert.equal(range.name, "GeoheatError");
  assert.equal(range.code, "GEOJSON_COORDINATE_OUT_OF_RANGE");
  assert.equal(range.line, 3);
  assert.equal(range.featureIndex, 1);
  assert.match(range.message, /500/);
  assert.equal(truncated.code, "GEOJSON_TRUNCATED");
  assert.equal(deep.code, "GEOJSON_TOO_DEEP");
  assert.equal(utf8.code, "GEOJSON_INVALID_UTF8");
  assert.equal(outcome.points, 1663, "the earlier points are kept");
  assert.equal(outcome.dirty, false, "a failed load schedules no frame");
  assert.deepEqual(await shown(), before, "no frame was presented and the front buffer is unchanged");
  assert.deepEqual(errors, []);
});

test("points() is a zero-copy view of the loaded coordinates", async () => {
  const { page, errors } = await sceneMap();
  const out = await page.evaluate(() => {
    const map = window.map;
    map.setPoints(new Float64Array([-122.4194, 37.7749, 2, 139.6917, 35.6895, 0.5, -0.1276, 51.5072, 1]));
    const view = map.points();
    const values = Array.from(view);
    const origin = map.pointsOrigin();
    const current = map.isPointsViewCurrent(view);
    map.setPoints([0, 0, 1]);
    return { values, origin, current, staleAfterReload: !map.isPointsViewCurrent(view) };
  });
  const lonLatW = [[-122.4194, 37.7749, 2], [139.6917, 35.6895, 0.5], [-0.1276, 51.5072, 1]];
  assert.equal(out.values.length, 9);
  lonLatW.forEach(([lon, lat, w], i) => {
    const [x, y] = world([lon, lat]);
    assert.ok(Math.abs(out.origin[0] + out.values[3 * i] - x) < 1e-7, `x of point ${i}`);
    assert.ok(Math.abs(out.origin[1] + out.values[3 * i + 1] - y) < 1e-7, `y of point ${i}`);
    assert.equal(out.values[3 * i + 2], w);
  });
  assert.ok(out.current, "a fresh view is current");
  assert.ok(out.staleAfterReload, "replacing the points makes the view stale");
  assert.deepEqual(errors, []);
});

test("the frame loop goes idle and renders once per change", async () => {
  const { page, errors } = await sceneMap();
  const counts = await page.evaluate(async () => {
    const frames = (n) => new Promise((done) => {
      const tick = () => (n-- > 0 ? requestAnimationFrame(tick) : done(undefined));
      tick();
    });
    const before = window.map.stats().framesRendered;
    await frames(20);
    const idle = window.map.stats().framesRendered;
    window.map.setStyle({ radius: 30 });
    window.map.setStyle({ opacity: 0.5 });
    await frames(20);
    return { before, idle, after: window.map.stats().framesRendered };
  });
  assert.equal(counts.idle, counts.before, "no frames while nothing changes");
  assert.equal(counts.after, counts.idle + 1, "two changes in one frame render once");
  assert.deepEqual(errors, []);
});

test("options are checked and name what is wrong", async () => {
  const { page, errors } = await sceneMap();
  const out = await page.evaluate(async () => {
    const grab = (f) => {
      try {
        f();
        return null;
      } catch (e) {
        return { code: e.code, option: e.option, message: e.message };
      }
    };
    let created = null;
    try {
      await window.geoheat.Heatmap.create(document.createElement("canvas"), { radiu: 3 });
    } catch (e) {
      created = { code: e.code, option: e.option, message: e.message };
    }
    return {
      created,
      opacity: grab(() => window.map.setStyle({ opacity: 2 })),
      ramp: grab(() => window.map.setStyle({ colorRamp: [[0, "#00f"], [1, "blurple"]] })),
      zoom: grab(() => window.map.setView({ zoom: "far" })),
      event: grab(() => window.map.on("frme", () => {})),
      legend: window.map.legend(),
    };
  });
  assert.equal(out.created.code, "UNKNOWN_OPTION");
  assert.equal(out.created.option, "radiu");
  assert.match(out.created.message, /radius/, "lists the real options");
  assert.equal(out.opacity.code, "INVALID_OPTION");
  assert.equal(out.opacity.option, "opacity");
  assert.equal(out.ramp.code, "INVALID_COLOR");
  assert.equal(out.zoom.option, "zoom");
  assert.equal(out.event.code, "UNKNOWN_EVENT");
  assert.equal(out.legend.stops.length, 6, "the style is unchanged: still the classic ramp");
  assert.deepEqual(errors, []);
});

test("HiDPI: devicePixelRatio 2 renders twice the pixels with the radius in CSS pixels", async () => {
  const { page, errors } = await openPage(env, "harness.html", { deviceScaleFactor: 2 });
  await page.waitForFunction(() => window.harnessReady);
  const frame = await page.evaluate(async () => {
    window.map = await window.geoheat.Heatmap.create(document.getElementById("map"), { radius: 20, backend: "canvas2d" });
    const frame = new Promise((done) => window.map.on("frame", done));
    window.map.setPoints([0, 0, 1]);
    return frame;
  });
  assert.deepEqual([frame.width, frame.height], [800, 600]);
  assert.equal(frame.radiusPx, 40);
  assert.deepEqual(errors, []);
});

test("the demo page loads the earthquakes with no console errors", async () => {
  const { page, errors } = await openPage(env, "index.html");
  await page.waitForFunction(() => /earthquakes/.test(document.getElementById("status").textContent ?? ""));
  const state = await page.evaluate(() => ({ points: window.heatmap.pointCount, legend: document.getElementById("legend-max").textContent }));
  assert.equal(state.points, 1663);
  await waitForFrames(page, "window.heatmap");
  assert.deepEqual(errors, []);
});

test("a render too big for one frame is spread over frames and ends identical to a one-call render", async () => {
  const { page, errors } = await openPage(env, "harness.html");
  await page.waitForFunction(() => window.harnessReady);
  const out = await page.evaluate(async () => {
    const n = 3_000_000;
    let seed = 7;
    const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    const triples = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) triples.set([2 + 4 * rand() * rand(), 48 + 3 * rand(), 1], 3 * i);
    const options = { radius: 20, normalize: "viewport", devicePixelRatio: 1, interactive: false, backend: "canvas2d" };
    const sliced = await window.geoheat.Heatmap.create(document.getElementById("map"), options);
    const firstFrame = new Promise((done) => sliced.on("frame", done));
    sliced.setPoints([2, 48, 1]);
    await firstFrame;
    const big = new Promise((done) => sliced.on("frame", (f) => f.points === n && done(f)));
    sliced.setPoints(triples);
    // After one animation frame (one slice of work) a frame that needs several is still being
    // built, and the old one is shown.
    await new Promise((done) => requestAnimationFrame(done));
    const midway = { ...sliced.stats() };
    const frame = await big;
    const slicedPng = Array.from(await sliced.snapshot());
    const other = document.createElement("canvas");
    other.style.cssText = "width: 400px; height: 300px";
    document.body.append(other);
    const oneCall = await window.geoheat.Heatmap.create(other, options);
    oneCall.setPoints(triples);
    const oneCallPng = Array.from(await oneCall.snapshot());
    return { midway, frame, same: slicedPng.length === oneCallPng.length && slicedPng.every((v, i) => v === oneCallPng[i]) };
  });
  assert.equal(out.midway.framesRendered, 1, "the old frame stays while the new one is built");
  assert.equal(out.midway.dirty, true);
  assert.ok(out.frame.slices > 1, `3M points were rendered in ${out.frame.slices} slice(s)`);
  assert.ok(out.frame.latencyMs >= out.frame.renderMs);
  assert.ok(out.same, "slicing changes no pixel");
  assert.deepEqual(errors, []);
});

test("the streaming loader parses chunk by chunk into exactly what loadGeoJSON gives", async () => {
  const { page, errors } = await sceneMap();
  const out = await page.evaluate(async () => {
    const map = window.map;
    const bytes = new Uint8Array(await (await fetch("data/earthquakes.geojson")).arrayBuffer());
    const oneShot = Array.from(map.points());
    const progress = [];
    const onProgress = (p) => progress.push(p);
    map.on("progress", onProgress);
    const loader = map.geoJSONLoader({ weightProperty: "mag", invalidWeight: "skip", fitBounds: false });
    loader.totalBytes = bytes.length;
    for (let at = 0; at < bytes.length; at += 4099) loader.push(bytes.subarray(at, at + 4099));
    const report = loader.finish();
    const streamed = Array.from(map.points());
    map.off("progress", onProgress);
    // A bad feature in the middle of a stream: a located error, and the points stay.
    const bad = new TextEncoder().encode('{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},\n{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,"x"]}}]}');
    const failing = map.geoJSONLoader();
    let error = null;
    try {
      for (let at = 0; at < bad.length; at += 7) failing.push(bad.subarray(at, at + 7));
      failing.finish();
    } catch (e) {
      error = { code: e.code, line: e.line, featureIndex: e.featureIndex };
    }
    return { same: oneShot.length === streamed.length && oneShot.every((v, i) => v === streamed[i]), report, progress: progress.length, last: progress.at(-1), error, points: map.pointCount };
  });
  assert.ok(out.same, "the streamed points equal the one-shot points");
  assert.equal(out.report.points, 1663);
  assert.ok(out.progress > 100, `progress after every chunk (${out.progress})`);
  assert.equal(out.last.phase, "stream");
  assert.equal(out.last.features, 1707);
  assert.equal(out.error.line, 3);
  assert.equal(out.error.featureIndex, 1);
  assert.match(out.error.code, /^GEOJSON_/);
  assert.equal(out.points, 1663, "the failed stream left the points alone");
  assert.deepEqual(errors, []);
});
