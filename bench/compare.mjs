// geoheat against TypeScript canvas heatmaps in one headless Chromium run: simpleheat and
// heatmap.js as published on npm, and the exact geoheat kernel in plain TypeScript.
//
//   node bench/compare.mjs [--quick] [--out bench/COMPARISON.md] [--svg bench/comparison.svg]
//
// For each scenario (clustered points of a fixed seed, the earthquake dataset) every contender
// loads the same [lon, lat, weight] triples, draws the first frame, then redraws after a small pan,
// the contenders taking turns so that a noisy machine slows them alike. Fidelity is PSNR and SSIM
// against the exact density image (the TypeScript kernel is the direct f64 sum of geoheat's
// definition). Then the GeoJSON ingest: geoheat's loadGeoJSON against JSON.parse + a loop.
// Chromium runs with its default flags (Skia's CPU raster, as on a machine without a GPU): the
// WebGPU flag set routes Canvas 2D through SwiftShader GL, which slows the canvas contenders about
// tenfold and would inflate geoheat's ratios. geoheat runs its Canvas 2D backend here; its WebGPU
// path is measured by bench/browser.mjs --backend webgpu, never in these tables.
// Needs www/ built (bash www/build.sh). Prints the Markdown table and writes it with a bar chart.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { openPage, startBrowser } from "../www/harness/chromium.mjs";
import { decodePng } from "../www/harness/png.mjs";
import { overWhite, psnr, ssim } from "./metrics.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CONTENDER_IDS = ["geoheat", "kernelTs", "simpleheatTs", "heatmapJs"];
const SIZE = { width: 1024, height: 768 };
const RADIUS = 25;
/** Clusters over Europe (see clusteredPoints in www/src/baselines/scene.ts). */
const EUROPE = { center: [10, 47], zoom: 4 };

/** The scenarios and repetitions of a full or a quick run. */
export function plan(quick) {
  const clusters = (n) => ({ name: `${n.toLocaleString("en")} clustered points`, source: { clusters: n }, view: EUROPE });
  return {
    redraws: quick ? 3 : 20,
    // Per contender and scenario: its redraws stop once they took this long in total, and it sits
    // out a scenario where a frame would take longer than `skipFrameMs` (estimated from its cost
    // per point in the scenario before). simpleheat and heatmap.js need minutes per frame at 1M.
    redrawBudgetMs: quick ? 5_000 : 90_000,
    skipFrameMs: quick ? 5_000 : 30_000,
    scenarios: [
      ...(quick ? [2000] : [10_000, 100_000, 1_000_000]).map(clusters),
      { name: "earthquakes (www/data)", source: { url: "../data/earthquakes.geojson", weightProperty: "mag" }, view: { center: [0, 20], zoom: 1 } },
    ],
    ingestFeatures: quick ? 20_000 : 1_000_000,
    ingestRounds: quick ? 1 : 7,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

/** RGBA8 of a picture from the page (PNG from geoheat's snapshot, raw RGBA otherwise). */
function rgbaOf(picture) {
  const bytes = Buffer.from(picture.base64, "base64");
  return picture.format === "png" ? decodePng(bytes).data : new Uint8Array(bytes);
}

/** `call(method, ...args)` runs `window.compare[method](...args)` in the page (www/src/baselines/bench.ts). */
const caller = (page) => (method, ...args) => page.evaluate(([m, a]) => window.compare[m](...a), [method, args]);

/** Bytes of JS heap plus ArrayBuffer backing stores, after a full garbage collection. */
async function heapBytes(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const usage = await cdp.send("Runtime.getHeapUsage");
  return usage.usedSize + usage.backingStorageSize;
}

/**
 * Runs one scenario: every contender loads, draws and redraws the same scene, taking turns.
 * Returns one row per contender.
 */
async function runScenario(page, cdp, scenario, { redraws, redrawBudgetMs = Infinity, skipFrameMs = Infinity, seen = {} }, log) {
  const compare = caller(page);
  const points = await compare("points", scenario.source);
  const scene = { ...(scenario.size ?? SIZE), radius: RADIUS, ...scenario.view };
  const rows = [];
  const skipped = [];
  for (const id of CONTENDER_IDS) {
    // The exact kernel is the fidelity reference, so it always runs.
    const estimate = (seen[id]?.msPerPoint ?? 0) * points;
    if (id !== "kernelTs" && estimate > skipFrameMs) {
      skipped.push({ id, name: seen[id].name, estimate });
      log(`  ${id}: left out, a frame would take about ${(estimate / 1000).toFixed(0)} s`);
      continue;
    }
    // Measured one by one, each after the others' memory is in place: the deltas are its own.
    const wasm0 = await compare("wasmMemoryBytes");
    const heap0 = await heapBytes(cdp);
    const name = await compare("create", id, scene);
    const loadMs = await compare("load", id);
    const firstMs = await compare("draw", id, scene);
    const wasmBytes = (await compare("wasmMemoryBytes")) - wasm0;
    // V8 does not count wasm memory among the ArrayBuffers, so the two columns do not overlap.
    const heapDelta = (await heapBytes(cdp)) - heap0;
    seen[id] = { name, msPerPoint: firstMs / points };
    rows.push({ id, name, kernel: await compare("kernel", id), loadMs, firstMs, heapDelta, wasmBytes, redraws: [] });
    log(`  ${name}: load ${loadMs.toFixed(1)} ms, first frame ${firstMs.toFixed(1)} ms`);
  }
  const pictures = {};
  for (const row of rows) pictures[row.id] = rgbaOf(await compare("picture", row.id));
  // Small pans, as when dragging: 5 CSS px east per redraw, every contender in turn.
  const degreesPerPx = 360 / (512 * 2 ** scene.zoom);
  const spent = (row) => row.redraws.reduce((a, b) => a + b, 0);
  for (let i = 1; i <= redraws; i++) {
    const panned = { ...scene, center: [scene.center[0] + 5 * i * degreesPerPx, scene.center[1]] };
    for (const row of rows) if (spent(row) < redrawBudgetMs) row.redraws.push(await compare("draw", row.id, panned));
  }
  await compare("destroyAll");
  const reference = overWhite(pictures.kernelTs);
  for (const row of rows) {
    if (!pictures[row.id]) continue;
    const image = overWhite(pictures[row.id]);
    row.psnr = psnr(reference, image);
    row.ssim = ssim(reference, image, scene.width);
  }
  return { ...scenario, points, scene, rows, skipped, pictures };
}

/** geoheat's loadGeoJSON against JSON.parse + a packing loop on the same generated bytes. */
async function runIngest(page, cdp, features, rounds) {
  const compare = caller(page);
  const bytes = await compare("makeGeoJSON", features);
  const geo = [], parse = [], pack = [];
  let geoMemory = 0, parseMemory = 0, packMemory = 0;
  // Wasm memory only grows (later rounds reuse it), so it counts from before the first round.
  const wasmStart = await compare("wasmMemoryBytes");
  const geoheatRound = async () => {
    const heap0 = await heapBytes(cdp);
    geo.push((await compare("ingestGeoheat")).ms);
    const wasm1 = await compare("wasmMemoryBytes");
    geoMemory = Math.max(geoMemory, wasm1 - wasmStart + (await heapBytes(cdp)) - heap0);
    await compare("release");
  };
  const parseRound = async () => {
    const heap0 = await heapBytes(cdp);
    parse.push(await compare("ingestParse"));
    parseMemory = Math.max(parseMemory, (await heapBytes(cdp)) - heap0);
    pack.push((await compare("ingestPack")).ms);
    packMemory = Math.max(packMemory, (await heapBytes(cdp)) - heap0);
    await compare("release");
  };
  // Taking turns at going first, so that neither always meets the page just after the other.
  for (let r = 0; r < rounds; r++) {
    for (const round of r % 2 ? [parseRound, geoheatRound] : [geoheatRound, parseRound]) await round();
  }
  return { bytes, features, geo: median(geo), parse: median(parse), pack: median(pack), geoMemory, parseMemory, packMemory, rounds };
}

const ms = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const mb = (v) => (v / 1e6).toFixed(1);
const db = (v) => (v === Infinity ? "∞" : v.toFixed(1));

/** The Chromium flag set of the comparison (see CHROMIUM_FLAG_SETS in www/harness/chromium.mjs). */
const FLAGS = "default";

/** The Markdown report. */
function markdown({ machine, browserVersion, date, limits, results, ingest, validation }) {
  const lines = [
    "# geoheat vs TypeScript canvas heatmaps",
    "",
    `Measured ${date} with \`node bench/compare.mjs\` on ${machine.cpu} (${machine.nproc} cores), headless Chromium ${browserVersion} (Debian) with its \`${FLAGS}\` flag set: no GPU and no GPU-emulation flags, so every canvas rasterises with Skia on the CPU, as in a browser on a machine without a GPU.`,
    "geoheat's WebGPU backend is not in these tables (it needs the SwiftShader flags, which slow Canvas 2D many times over); `node bench/browser.mjs --backend webgpu` measures it, on the software adapter here.",
    `Every scene is ${SIZE.width}×${SIZE.height} CSS px at devicePixelRatio 1 with r = ${RADIUS} px; geoheat runs its Canvas 2D backend (backend: "canvas2d").`,
    "Frame times are the synchronous work that puts a frame on the canvas (geoheat: renderMs + presentMs of its frame event; the others: their draw call, including putImageData).",
    `Redraws: ${limits.redraws} small pans (5 px each, like dragging), contenders taking turns; a contender stops redrawing once its redraws took ${limits.redrawBudgetMs / 1000} s (the "redraws" column says how many it did), and sits out a scenario where one frame would take over ${limits.skipFrameMs / 1000} s by its cost per point in the smaller scenario.`,
    "Memory: JS heap + ArrayBuffers grown by load and first frame (after GC; V8 counts no wasm memory there); wasm memory grown, separately (each scenario runs in a fresh page, so that is geoheat's memory for it).",
    "Fidelity: PSNR and SSIM (luma, 8×8 windows) against the exact density image of the first frame, composited over white. The exact image is the TS kernel's: the direct f64 sum of geoheat's definition, coloured with geoheat's LUT and rounding.",
    "",
  ];
  for (const r of results) {
    const geo = r.rows.find((row) => row.id === "geoheat");
    const geoMedian = median(geo.redraws);
    lines.push(`## ${r.name} (${r.points.toLocaleString("en")} points, centre ${r.scene.center.join(", ")}, zoom ${r.scene.zoom})`, "");
    lines.push("| contender | data load | first frame | redraw median | redraw p95 | redraws | vs geoheat | JS heap Δ | wasm memory Δ | PSNR | SSIM | kernel |");
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (const row of r.rows) {
      const m = median(row.redraws);
      lines.push(
        `| ${row.name} | ${ms(row.loadMs)} ms | ${ms(row.firstMs)} ms | ${ms(m)} ms | ${ms(quantile(row.redraws, 0.95))} ms | ${row.redraws.length} | ${(m / geoMedian).toFixed(1)}× | ${mb(row.heapDelta)} MB | ${mb(row.wasmBytes)} MB | ${row.id === "kernelTs" ? "reference" : `${db(row.psnr)} dB`} | ${row.id === "kernelTs" ? "1" : row.ssim.toFixed(3)} | ${row.kernel} |`,
      );
    }
    for (const skip of r.skipped) lines.push(`| ${skip.name} | left out: one frame would take about ${(skip.estimate / 1000).toFixed(0)} s |  |  |  |  |  |  |  |  |  |  |`);
    lines.push("");
  }
  lines.push(
    `## Ingest: ${mb(ingest.bytes)} MB GeoJSON, ${ingest.features.toLocaleString("en")} Point features (generated, fixed seed; median of ${ingest.rounds})`,
    "",
    "| path | time | memory |",
    "| --- | ---: | ---: |",
    `| geoheat \`loadGeoJSON(bytes)\` → packed [x, y, w] f32 in wasm | ${ms(ingest.geo)} ms | ${mb(ingest.geoMemory)} MB (wasm memory incl. the copied bytes, + JS heap Δ) |`,
    `| \`JSON.parse\` (object tree) | ${ms(ingest.parse)} ms | ${mb(ingest.parseMemory)} MB (JS heap with the tree alive) |`,
    `| \`JSON.parse\` + loop into a Float32Array | ${ms(ingest.parse + ingest.pack)} ms | ${mb(ingest.packMemory)} MB (tree + array) |`,
    "",
    "## Validation of the exact reference",
    "",
    ...validation.map((v) => `- ${v}`),
    "",
  );
  return lines.join("\n");
}

/** Horizontal bars of the redraw median per scenario and contender, on a log scale. */
function svgChart(results) {
  const colours = { geoheat: "#d62728", kernelTs: "#1f77b4", simpleheatTs: "#2ca02c", heatmapJs: "#9467bd" };
  const all = results.flatMap((r) => r.rows.map((row) => median(row.redraws)));
  const [lo, hi] = [Math.log10(Math.min(...all) / 2), Math.log10(Math.max(...all) * 2)];
  const [left, barW, barH] = [230, 520, 14];
  const x = (v) => ((Math.log10(v) - lo) / (hi - lo)) * barW;
  const out = [];
  let y = 40;
  for (const r of results) {
    out.push(`<text x="10" y="${y}" font-weight="bold">${r.name}</text>`);
    y += 8;
    for (const row of r.rows) {
      const m = median(row.redraws);
      out.push(
        `<text x="${left - 6}" y="${y + 11}" text-anchor="end">${row.name}</text>`,
        `<rect x="${left}" y="${y}" width="${x(m).toFixed(1)}" height="${barH}" fill="${colours[row.id]}"/>`,
        `<text x="${(left + x(m) + 4).toFixed(1)}" y="${y + 11}">${ms(m)} ms</text>`,
      );
      y += barH + 4;
    }
    y += 18;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + barW + 90}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14">Redraw median, ms (log scale; shorter is faster), ${SIZE.width}×${SIZE.height}, r = ${RADIUS}</text>`,
    ...out,
    "</svg>",
    "",
  ].join("\n");
}

/** The machine, as the report names it. */
function machine() {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? "unknown CPU";
  const nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
  return { cpu, nproc };
}

/**
 * Runs `work(page, cdp)` in a fresh bench page (so wasm memory grows from the module's start),
 * closes the page and fails on console errors.
 */
async function inFreshPage(env, work) {
  const { page, errors } = await openPage(env, "baselines/index.html", { viewport: { width: SIZE.width + 50, height: SIZE.height + 50 } });
  try {
    await page.waitForFunction(() => window.compareReady);
    const result = await work(page, await page.context().newCDPSession(page));
    if (errors.length) throw new Error(`the page reported: ${errors.join("; ")}`);
    return result;
  } finally {
    await page.context().close();
  }
}

/**
 * Runs the comparison; resolves to `{ markdown, svg, results, ingest }` and writes the files when
 * `out`/`svg` are given. `log` receives progress lines.
 */
export async function compare({ quick = false, out, svg, log = () => {} } = {}) {
  const { redraws, redrawBudgetMs, skipFrameMs, scenarios, ingestFeatures, ingestRounds } = plan(quick);
  const limits = { redraws, redrawBudgetMs, skipFrameMs, seen: {} };
  const env = await startBrowser({ flags: FLAGS });
  try {
    const results = [];
    for (const scenario of scenarios) {
      log(scenario.name);
      results.push(await inFreshPage(env, (page, cdp) => runScenario(page, cdp, scenario, limits, log)));
    }
    // The contenders on the scene of the CLI's golden: geoheat must give the golden's bytes, and
    // the exact kernel must stay close to geoheat's fast path (which the crate tests against
    // raster::reference).
    const golden = decodePng(readFileSync(`${ROOT}tests/golden/earthquakes-california.png`));
    const goldenScene = {
      name: "golden scene",
      source: { url: "../data/earthquakes.geojson", weightProperty: "mag" },
      view: { center: [-120, 37], zoom: 4 },
      size: { width: golden.width, height: golden.height },
    };
    const check = await inFreshPage(env, (page, cdp) => runScenario(page, cdp, goldenScene, { redraws: 0 }, () => {}));
    const exactVsGolden = overWhite(check.pictures.kernelTs), goldenRgb = overWhite(golden.data);
    const differing = check.pictures.geoheat.filter((v, i) => v !== golden.data[i]).length;
    log("ingest");
    const ingest = await inFreshPage(env, (page, cdp) => runIngest(page, cdp, ingestFeatures, ingestRounds));
    const validation = [
      `Golden scene (tests/golden/earthquakes-california.png: earthquakes, ${golden.width}×${golden.height}, centre -120, 37, zoom 4, viewport normalisation): geoheat in this page differs from the CLI's golden in ${differing} bytes.`,
      `On that scene the TS exact kernel is ${db(psnr(goldenRgb, exactVsGolden))} dB PSNR / SSIM ${ssim(goldenRgb, exactVsGolden, golden.width).toFixed(4)} from the golden (geoheat's fast path; crate/src/raster/mod.rs documents ≈ 51 dB on normalised density between the fast path and \`raster::reference\` at r = 25), so the two implement the same kernel, normalisation and ramp.`,
      "The TS kernel sums in f64 and rounds like geoheat's reference (f32 density, f32 LUT interpolation); it can differ from `raster::reference` only where `Math.exp` and libm's `exp` differ in the last bit, or by the f32 storage of geoheat's point offsets.",
    ];
    const report = {
      machine: machine(),
      browserVersion: env.browser.version(),
      date: new Date().toISOString().slice(0, 10),
      limits,
      results,
      ingest,
      validation,
    };
    const text = markdown(report);
    const chart = svgChart(results);
    if (out) writeFileSync(out, text);
    if (svg) writeFileSync(svg, chart);
    return { markdown: text, svg: chart, results, ingest };
  } finally {
    await env.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  const at = (flag, fallback) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : fallback);
  // A quick run is a smoke test: it does not overwrite the committed full report unless asked.
  const { markdown: text } = await compare({
    quick,
    out: at("--out", quick ? undefined : `${ROOT}bench/COMPARISON.md`),
    svg: at("--svg", quick ? undefined : `${ROOT}bench/comparison.svg`),
    log: (line) => console.error(line),
  });
  console.log(text);
}
