// Frame times of geoheat in headless Chromium: first frame; per redraw after a small pan the
// render + present work (median, p95) and the latency from the change to the frame on the canvas
// (a render that does not fit an animation frame is spread over several); and the work of a full
// redraw, a zoom step (every point splatted anew), for 10k / 100k / 1M clustered points at
// 1024x768 CSS px, dpr 1, r = 25.
//   node bench/browser.mjs [--points 10000,100000,1000000] [--redraws 40] [--backend canvas2d|webgpu] [--layers]
// --layers draws contours and points over the heat (the composited stack) instead of heat alone.
// Needs www/ built (bash www/build.sh). Prints a Markdown table headed by the backend and adapter.
// WebGPU here runs on SwiftShader, a CPU emulation labelled "(software)": its times are not GPU
// speed, and on WebGPU renderMs covers encoding and submission only. Chromium gets the WebGPU
// flags only for --backend webgpu or auto: they would slow its Canvas 2D several times.
import { openPage, startBrowser } from "../www/harness/chromium.mjs";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const sizes = arg("--points", "10000,100000,1000000").split(",").map(Number);
const redraws = Number(arg("--redraws", "40"));
const backend = arg("--backend", "canvas2d");
const layers = process.argv.includes("--layers");

const env = await startBrowser({ flags: backend === "canvas2d" ? "default" : "webgpu" });
const { page, errors } = await openPage(env, "harness.html", { viewport: { width: 1100, height: 800 } });
await page.waitForFunction(() => window.harnessReady);
const userAgent = await page.evaluate(() => navigator.userAgent);

const rows = [];
for (const n of sizes) {
  const result = await page.evaluate(
    async ({ n, redraws, backend, layers }) => {
      const canvas = document.getElementById("map");
      canvas.style.width = "1024px";
      canvas.style.height = "768px";
      // Gaussian clusters over Europe, fixed seed: the same points as bench/compare.mjs.
      const { clusteredPoints } = await import("./dist/baselines/scene.js");
      const triples = clusteredPoints(n);
      window.benchMap?.destroy();
      const map = await window.geoheat.Heatmap.create(canvas, { radius: 25, normalize: "viewport", devicePixelRatio: 1, interactive: false, backend });
      window.benchMap = map;
      if (layers) {
        map.addLayer({ name: "contours", kind: "contours", uniforms: { interval: 0.2, fill: 0.3 } });
        map.addLayer({ name: "points", kind: "points", uniforms: { radius: 1.5 } });
      }
      const nextFrame = () => new Promise((done) => {
        const listener = (f) => {
          map.off("frame", listener);
          done(f);
        };
        map.on("frame", listener);
      });
      // First frame: from handing the points over to the frame on the canvas.
      let started = performance.now();
      const first = nextFrame();
      map.setPoints(triples, { fitBounds: true });
      const firstFrame = await first;
      const firstMs = performance.now() - started;
      // Redraws: a small pan per frame, as when dragging.
      const view = map.view();
      const times = [];
      const latencies = [];
      for (let i = 0; i < redraws; i++) {
        const frame = nextFrame();
        map.setView({ center: [view.center[0] + 0.01 * (i % 2 ? 1 : -1), view.center[1]] });
        const f = await frame;
        times.push(f.renderMs + f.presentMs);
        latencies.push(f.latencyMs);
      }
      // Full redraws: a zoom step per frame, which no kept grid or field can serve.
      const full = [];
      const fullLatencies = [];
      for (let i = 0; i < redraws; i++) {
        const frame = nextFrame();
        map.setView({ zoom: view.zoom + (i % 2 ? 0.05 : -0.05) });
        const f = await frame;
        full.push(f.renderMs + f.presentMs);
        fullLatencies.push(f.latencyMs);
      }
      times.sort((a, b) => a - b);
      full.sort((a, b) => a - b);
      fullLatencies.sort((a, b) => a - b);
      const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
      latencies.sort((a, b) => a - b);
      const latency = latencies[Math.floor(latencies.length / 2)];
      return { adapter: map.adapter ?? "CPU fast path", backend: map.backend, latency, firstMs, firstRender: firstFrame.renderMs + firstFrame.presentMs, median: at(0.5), p95: at(0.95), fullMedian: full[Math.floor(full.length / 2)], fullLatency: fullLatencies[Math.floor(full.length / 2)], size: [firstFrame.width, firstFrame.height] };
    },
    { n, redraws, backend, layers },
  );
  rows.push({ n, ...result });
  console.error(`${n} points: first frame ${result.firstMs.toFixed(1)} ms, redraw median ${result.median.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, full redraw median ${result.fullMedian.toFixed(1)} ms`);
}
await env.close();
if (errors.length) throw new Error(`console errors: ${errors.join("; ")}`);

console.log(`${rows[0]?.backend} backend (${rows[0]?.adapter}), ${layers ? "heat + contours + points" : "heat only"}, ${rows[0]?.size.join("x")} device px, r = 25 px, ${redraws} redraws each; ${new Date().toISOString().slice(0, 10)}`);
console.log(userAgent);
console.log("\n| points | first frame (setPoints → on canvas) | redraw work median | redraw work p95 | redraw latency median | full redraw (zoom step) work median | full redraw latency median |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(`| ${r.n.toLocaleString("en")} | ${r.firstMs.toFixed(1)} ms | ${r.median.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.latency.toFixed(1)} ms | ${r.fullMedian.toFixed(1)} ms | ${r.fullLatency.toFixed(1)} ms |`);
}
