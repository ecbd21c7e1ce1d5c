// A weight switch and a filter change at 1M points in headless Chromium (Canvas 2D, Chromium's
// default flags): the points load once from GeoJSON text with two kept property columns, then
// `setWeight` alternates between them and `setFilter` between two filters, each timed from the
// call to the `frame` event of the frame that shows it (the frame is on the canvas then).
//   node bench/columns.mjs [--points 1000000] [--changes 9]
// Needs www/ built (bash www/build.sh). Prints the medians, the extremes and the browser.
import os from "node:os";
import { openPage, startBrowser } from "../www/harness/chromium.mjs";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const n = Number(arg("--points", "1000000"));
const changes = Number(arg("--changes", "9"));

const env = await startBrowser({ flags: "default" });
const { page, errors } = await openPage(env, "harness.html", { viewport: { width: 1100, height: 800 } });
await page.waitForFunction(() => window.harnessReady);
const userAgent = await page.evaluate(() => navigator.userAgent);
const loadBefore = os.loadavg();

const result = await page.evaluate(
  async ({ n, changes }) => {
    const canvas = document.getElementById("map");
    canvas.style.width = "1024px";
    canvas.style.height = "768px";
    // The clustered points of bench/browser.mjs, as GeoJSON text with two properties: `a` (the
    // cluster's weight) and `b` (0..1, spread by a hash of the index, so a filter on it keeps a
    // share of every cluster).
    const { clusteredPoints } = await import("./dist/baselines/scene.js");
    const triples = clusteredPoints(n);
    const parts = ['{"type":"FeatureCollection","features":['];
    for (let i = 0; i < n; i++) {
      const b = (Math.imul(i + 1, 2654435761) >>> 0) / 4294967296;
      const [lon, lat, w] = [triples[3 * i], triples[3 * i + 1], triples[3 * i + 2]];
      parts.push(`${i ? "," : ""}{"type":"Feature","geometry":{"type":"Point","coordinates":[${lon.toFixed(5)},${lat.toFixed(5)}]},"properties":{"a":${w.toFixed(3)},"b":${b.toFixed(4)}}}`);
    }
    parts.push("]}");
    const bytes = new TextEncoder().encode(parts.join(""));
    const map = await window.geoheat.Heatmap.create(canvas, { radius: 25, normalize: "viewport", devicePixelRatio: 1, interactive: false, backend: "canvas2d" });
    const nextFrame = () => new Promise((done) => {
      const listener = (f) => {
        map.off("frame", listener);
        done(f);
      };
      map.on("frame", listener);
    });
    let started = performance.now();
    const first = nextFrame();
    await map.setData(bytes, { properties: ["a", "b"], fitBounds: true });
    await first;
    const loadMs = performance.now() - started;
    const points = map.pointCount;
    // Times `change` from the call to its frame: the wall time, the frame's own render + present
    // work, and its latency as the heatmap reports it.
    const timed = async (change) => {
      const frame = nextFrame();
      started = performance.now();
      change();
      const f = await frame;
      return { wall: performance.now() - started, work: f.renderMs + f.presentMs, latency: f.latencyMs, points: map.pointCount };
    };
    const weights = [];
    for (let i = 0; i < changes; i++) weights.push(await timed(() => map.setWeight(i % 2 ? "a" : "b")));
    const filters = [];
    const twoFilters = [["<", ["get", "b"], 0.5], ["all", [">=", ["get", "a"], 1], ["<", ["get", "b"], 0.8]]];
    for (let i = 0; i < changes; i++) filters.push(await timed(() => map.setFilter(twoFilters[i % 2])));
    const size = [canvas.width, canvas.height];
    map.destroy();
    return { loadMs, points, weights, filters, size, bytes: bytes.length };
  },
  { n, changes },
);
const loadAfter = os.loadavg();
await env.close();
if (errors.length) throw new Error(`console errors: ${errors.join("; ")}`);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const summary = (runs, key) => {
  const values = runs.map((r) => r[key]);
  return `${median(values).toFixed(1)} ms (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
};
const date = new Date().toISOString().slice(0, 16).replace("T", " ");
console.log(`${result.points.toLocaleString("en")} points (${(result.bytes / 1e6).toFixed(0)} MB of GeoJSON, properties a and b kept), ${result.size.join("x")} device px, r = 25 px, Canvas 2D, Chromium default flags; ${changes} changes each; ${date} UTC`);
console.log(userAgent);
console.log(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown"}); load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")} before, ${loadAfter.map((l) => l.toFixed(2)).join(" ")} after`);
console.log(`load (parse + first frame): ${result.loadMs.toFixed(0)} ms`);
console.log("\n| change | call → frame on canvas, median (min–max) | frame work (render + present) median | latency (frame event) median | points drawn |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [name, runs] of [["setWeight a ⇄ b", result.weights], ["setFilter, two filters alternating", result.filters]]) {
  const points = [...new Set(runs.map((r) => r.points))].map((p) => p.toLocaleString("en")).join(" / ");
  console.log(`| ${name} | ${summary(runs, "wall")} | ${summary(runs, "work")} | ${summary(runs, "latency")} | ${points} |`);
}
