// setData: every kind of GeoJSON source gives the same data, and every failure rejects with a
// coded GeoheatError and keeps the data the heatmap had (page host, Canvas 2D).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openPage, startBrowser, GOLDEN_SCENE } from "./browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const QUAKES_BYTES = readFileSync(`${ROOT}www/data/earthquakes.geojson`).length;
const SCENE = GOLDEN_SCENE;

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

/** The harness page with the entry module as `window.lib` and a Canvas 2D heatmap as `window.map`. */
async function libPage() {
  const opened = await openPage(env, "harness.html");
  await opened.page.waitForFunction(() => window.harnessReady);
  await opened.page.evaluate(async (scene) => {
    window.lib = await import("./geoheat/index.js");
    window.map = await window.lib.Heatmap.create(document.getElementById("map"), scene.create);
    // Waits until the frame on screen shows every change (state, polled once per animation frame).
    window.settled = async () => {
      while (window.map.stats().dirty) await new Promise((r) => requestAnimationFrame(r));
    };
  }, SCENE);
  return opened;
}

test("setData gives the same points, report and frame for every kind of input", async () => {
  const { page, errors } = await libPage();
  const out = await page.evaluate(async (load) => {
    const map = window.map;
    const url = "data/earthquakes.geojson";
    const text = await (await fetch(url)).text();
    const bytes = new TextEncoder().encode(text);
    const kinds = {
      "URL string": () => url,
      URL: () => new URL(url, document.baseURI),
      Response: () => fetch(url),
      ReadableStream: async () => (await fetch(url)).body,
      Blob: () => new Blob([bytes]),
      ArrayBuffer: () => bytes.slice().buffer,
      // A view into a larger buffer: only its own bytes are GeoJSON.
      Uint8Array: () => {
        const padded = new Uint8Array(bytes.length + 11).fill(0x78);
        padded.set(bytes, 7);
        return padded.subarray(7, 7 + bytes.length);
      },
      object: () => JSON.parse(text),
    };
    const results = {};
    for (const [kind, make] of Object.entries(kinds)) {
      map.setPoints([0, 0, 1]); // something else first, so each load has to replace it
      const progress = [];
      const onProgress = (p) => progress.push(p);
      const loads = [];
      const onLoad = (r) => loads.push(r);
      map.on("progress", onProgress);
      map.on("load", onLoad);
      const report = await map.setData(await make(), load);
      map.off("progress", onProgress);
      map.off("load", onLoad);
      await window.settled();
      const png = await map.snapshot();
      results[kind] = {
        report,
        loadEvents: loads.length,
        sameEvent: JSON.stringify(loads[0]) === JSON.stringify(report),
        points: Array.from(map.points()),
        origin: map.pointsOrigin(),
        png: Array.from(png),
        lastProgress: progress.at(-1) ?? null,
      };
    }
    return results;
  }, SCENE.load);
  const reference = out["URL string"];
  assert.equal(reference.report.points, 1663);
  assert.equal(reference.report.features, 1707);
  assert.equal(reference.report.skippedByPolicy, 44);
  assert.ok(reference.png.length > 1000);
  const counters = ({ ms, bytes, ...rest }) => rest;
  for (const [kind, result] of Object.entries(out)) {
    assert.deepEqual(counters(result.report), counters(reference.report), `${kind}: report`);
    assert.equal(result.report.bytes, kind === "object" ? 0 : QUAKES_BYTES, `${kind}: bytes read`);
    assert.equal(result.loadEvents, 1, `${kind}: one load event`);
    assert.ok(result.sameEvent, `${kind}: the load event is the report`);
    assert.deepEqual(result.origin, reference.origin, `${kind}: origin`);
    assert.ok(result.points.length === reference.points.length && result.points.every((v, i) => v === reference.points[i]), `${kind}: points`);
    assert.ok(result.png.length === reference.png.length && result.png.every((v, i) => v === reference.png[i]), `${kind}: snapshot`);
  }
  // URLs and responses stream, with the total from Content-Length; bytes are parsed in one go.
  for (const kind of ["URL string", "URL", "Response"]) {
    assert.deepEqual(out[kind].lastProgress, { phase: "stream", bytes: QUAKES_BYTES, totalBytes: QUAKES_BYTES, features: 1707 }, kind);
  }
  assert.equal(out.ReadableStream.lastProgress.totalBytes, null, "a bare stream has no known length");
  assert.equal(out.ArrayBuffer.lastProgress.phase, "parse");
  assert.equal(out.object.lastProgress, null, "an object is walked without progress");
  assert.deepEqual(errors, []);
});

test("failed loads reject with coded GeoheatErrors and keep the data", async () => {
  const { page, errors } = await libPage();
  await page.evaluate((load) => window.map.setData("data/earthquakes.geojson", load), SCENE.load);
  await page.evaluate(() => window.settled());
  const shown = () => page.evaluate(async () => ({ frames: window.map.stats().framesRendered, points: window.map.pointCount, png: Array.from(await window.map.snapshot()) }));
  const before = await shown();
  const out = await page.evaluate(async (load) => {
    const map = window.map;
    const badText = [
      '{"type":"FeatureCollection","features":[',
      '{"type":"Feature","properties":{"mag":1},"geometry":{"type":"Point","coordinates":[1,2]}},',
      '{"type":"Feature","properties":{"mag":1},"geometry":{"type":"Point","coordinates":[1,]}}]}',
    ].join("\n");
    const attempts = {
      missing: () => map.setData("data/no-such-file.geojson", load),
      // Port 9 is one the browser refuses to fetch from: a network error, no response.
      refused: () => map.setData("http://127.0.0.1:9/quakes.geojson", load),
      badBytes: () => map.setData(new TextEncoder().encode(badText), load),
      badStream: () => map.setData(new Response(badText), load),
      badObject: () => map.setData({ type: "FeatureCollection", features: [
        { type: "Feature", properties: { mag: 2 }, geometry: { type: "Point", coordinates: [1, 2] } },
        { type: "Feature", properties: { mag: "abc" }, geometry: { type: "Point", coordinates: [1, 2] } },
      ] }, { weightProperty: "mag" }),
      notGeoJSON: () => map.setData({ type: "FeatureCollection", features: 7 }),
      badArgument: () => map.setData(42),
      tooManyPoints: () => map.setData("data/earthquakes.geojson", { ...load, maxPoints: 10 }),
      tooManyInObject: () => map.setData({ type: "MultiPoint", coordinates: [[1, 2], [3, 4]] }, { maxPoints: 1 }),
      badOption: () => map.setData("data/earthquakes.geojson", { weightProprety: "mag" }),
    };
    const caught = {};
    for (const [name, attempt] of Object.entries(attempts)) {
      try {
        await attempt();
        caught[name] = null;
      } catch (e) {
        caught[name] = {
          isGeoheatError: e instanceof window.lib.GeoheatError,
          name: e.name, code: e.code, message: e.message, line: e.line, column: e.column, byteOffset: e.byteOffset,
          featureIndex: e.featureIndex, option: e.option, url: e.url, status: e.status,
        };
      }
    }
    // A later load supersedes one still reading: the earlier one rejects and commits nothing.
    const slow = map.setData("data/earthquakes.geojson", load).then(() => null, (e) => e.code);
    const fast = await map.setData({ type: "Point", coordinates: [10, 20] });
    caught.superseded = { code: await slow, points: map.pointCount, fast: fast.points };
    return caught;
  }, SCENE.load);
  for (const [name, error] of Object.entries(out)) {
    if (name === "superseded") continue;
    assert.ok(error, `${name} rejected`);
    assert.ok(error.isGeoheatError, `${name}: instanceof GeoheatError`);
    assert.equal(error.name, "GeoheatError", name);
  }
  assert.equal(out.missing.code, "FETCH_FAILED");
  assert.equal(out.missing.status, 404);
  assert.match(out.missing.url, /^http:\/\/127\.0\.0\.1:\d+\/data\/no-such-file\.geojson$/, "the URL is resolved against the page");
  assert.match(out.missing.message, /404/);
  assert.equal(out.refused.code, "FETCH_FAILED");
  assert.equal(out.refused.status, null, "no response came");
  for (const name of ["badBytes", "badStream"]) {
    assert.equal(out[name].code, "GEOJSON_SYNTAX", name);
    assert.equal(out[name].line, 3, name);
    assert.equal(out[name].featureIndex, 1, name);
  }
  assert.deepEqual([out.badStream.column, out.badStream.byteOffset], [out.badBytes.column, out.badBytes.byteOffset], "a stream locates the error as bytes do");
  assert.equal(out.badObject.code, "GEOJSON_NON_NUMERIC_WEIGHT");
  assert.equal(out.badObject.featureIndex, 1);
  assert.equal(out.badObject.line, undefined, "an object has no lines");
  assert.equal(out.notGeoJSON.code, "GEOJSON_INVALID_MEMBER");
  assert.equal(out.notGeoJSON.featureIndex, null);
  assert.equal(out.badArgument.code, "INVALID_ARGUMENT");
  for (const name of ["tooManyPoints", "tooManyInObject"]) {
    assert.equal(out[name].code, "GEOJSON_TOO_MANY_POINTS", name);
    assert.match(out[name].message, /maxPoints/, name);
  }
  assert.ok(out.tooManyPoints.featureIndex >= 10, "the feature that passes the limit is named");
  assert.equal(out.tooManyInObject.featureIndex, 0);
  assert.equal(out.badOption.code, "UNKNOWN_OPTION");
  assert.equal(out.badOption.option, "weightProprety");
  assert.equal(out.superseded.code, "LOAD_SUPERSEDED");
  assert.equal(out.superseded.fast, 1);
  assert.equal(out.superseded.points, 1, "the superseded load committed nothing");
  // Everything before the superseding load left the data and the frame alone.
  await page.evaluate((load) => window.map.setData("data/earthquakes.geojson", load), SCENE.load);
  await page.evaluate(() => window.settled());
  const after = await shown();
  assert.equal(after.points, before.points);
  assert.deepEqual(after.png, before.png);
  assert.deepEqual(errors.filter((e) => !/404|ERR_UNSAFE_PORT/.test(e)), []);
});
