// Tests of the headless snapshot harness (www/harness/snapshot.mjs), the hydration example
// (www/hydrate.html) and the comparison runner's quick mode (bench/compare.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { compare } from "../../bench/compare.mjs";
import { snapshot } from "../../www/harness/snapshot.mjs";
import { openPage, startBrowser } from "./browser.mjs";
import { decodePng } from "./png.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SNAPSHOT = `${ROOT}www/harness/snapshot.mjs`;
const QUAKES = `${ROOT}www/data/earthquakes.geojson`;
const golden = () => decodePng(readFileSync(`${ROOT}tests/golden/earthquakes-california.png`));
/** The golden's scene (see tests/golden and crate/tests/cli.rs) as harness options. */
const GOLDEN_ARGS = ["--width", "400", "--height", "300", "--weight-property", "mag", "--invalid-weight", "skip"];

let env, dir;
before(async () => {
  env = await startBrowser();
  dir = mkdtempSync(join(tmpdir(), "geoheat-harness-"));
  writeFileSync(join(dir, "viewport.json"), JSON.stringify({ normalize: "viewport" }));
});
after(async () => {
  await env?.close();
});

/** Runs snapshot.mjs as a separate process; resolves to `{ code, stderr }`. */
async function runCli(args, extraEnv = {}) {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [SNAPSHOT, ...args], { env: { ...process.env, ...extraEnv } });
    return { code: 0, stderr };
  } catch (e) {
    return { code: e.code, stderr: e.stderr };
  }
}

const differingBytes = (a, b) => a.data.filter((v, i) => v !== b.data[i]).length;

test("the harness renders the golden scene byte for byte like the CLI", async () => {
  const out = join(dir, "golden.png");
  await snapshot([QUAKES, "-o", out, ...GOLDEN_ARGS, "--center", "-120,37", "--zoom", "4", "--style", join(dir, "viewport.json")], { env });
  const got = decodePng(readFileSync(out)), want = golden();
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  assert.equal(differingBytes(got, want), 0);
});

test("batch mode renders several views in one browser session", async () => {
  const views = [
    { center: [-120, 37], zoom: 4, out: "a.png", style: { normalize: "viewport" } },
    { center: [140, 36], zoom: 3, out: "b.png", style: { colorRamp: "viridis", radius: 15 } },
  ];
  writeFileSync(join(dir, "views.json"), JSON.stringify(views));
  const contexts = env.browser.contexts().length;
  const written = await snapshot([QUAKES, "--views", join(dir, "views.json"), ...GOLDEN_ARGS], { env });
  assert.deepEqual(written, [join(dir, "a.png"), join(dir, "b.png")], "out is relative to the views file");
  assert.equal(env.browser.contexts().length, contexts, "the session's page is closed again");
  const [a, b] = written.map((f) => decodePng(readFileSync(f)));
  assert.equal(differingBytes(a, golden()), 0, "the first view is the golden scene");
  assert.deepEqual([b.width, b.height], [400, 300]);
  assert.ok(differingBytes(a, b) > 0 && b.data.some((v, i) => i % 4 === 3 && v > 0), "the second view shows other heat");
});

test("bad input and a missing browser end with one clear line and a non-zero exit code", async () => {
  const bad = join(dir, "bad.geojson");
  writeFileSync(bad, '{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1 2]}}]}');
  const syntax = await runCli([bad, "-o", join(dir, "bad.png")]);
  assert.equal(syntax.code, 1);
  assert.match(syntax.stderr, /^snapshot: .*bad\.geojson:2:\d+: .*\(byte \d+, feature 0\) \[GEOJSON_SYNTAX\]\n$/);

  await assert.rejects(snapshot([join(dir, "missing.geojson"), "-o", join(dir, "x.png")]), /cannot read .*missing\.geojson: no such file/);

  const noBrowser = await runCli([QUAKES, "-o", join(dir, "x.png")], { CHROMIUM: join(dir, "no-chromium") });
  assert.equal(noBrowser.code, 1);
  assert.match(noBrowser.stderr, /^snapshot: cannot start Chromium .*bash www\/setup\.sh --tests.*\n$/);

  const usage = await runCli([QUAKES, "-o", join(dir, "x.png"), "--zoom", "3"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--center and --zoom go together/);
});

test("the hydration page's first live frame is its server-rendered PNG, byte for byte", async () => {
  // The data is held back until the test has seen the server-rendered image on screen.
  let release;
  const held = new Promise((done) => (release = done));
  const { page, errors } = await openPage(env, "hydrate.html", {
    prepare: (p) => p.route("**/data/earthquakes.geojson", async (route) => {
      await held;
      await route.continue();
    }),
  });
  await page.waitForFunction(() => document.getElementById("placeholder").complete);
  assert.equal(await page.locator("#placeholder").isVisible(), true, "the PNG shows first");
  release();
  await page.waitForFunction(() => document.body.dataset.hydrated === "true");
  const { frames, png } = await page.evaluate(async () => ({
    frames: window.heatmap.stats().framesRendered,
    png: Array.from(await window.heatmap.snapshot()),
  }));
  assert.equal(frames, 1, "the swap happened at the first frame");
  assert.equal(await page.locator("#placeholder").isVisible(), false);
  const live = decodePng(Uint8Array.from(png)), served = decodePng(readFileSync(`${ROOT}www/data/hydrate.png`));
  assert.deepEqual([live.width, live.height], [served.width, served.height]);
  assert.equal(differingBytes(live, served), 0);
  const boxes = await page.evaluate(() => {
    document.getElementById("placeholder").hidden = false; // to measure where it was
    return ["#heat", "#placeholder"].map((s) => JSON.stringify(document.querySelector(s).getBoundingClientRect()));
  });
  assert.equal(boxes[0], boxes[1], "image and canvas cover the same box");
  assert.deepEqual(errors, []);
});

test("the comparison's quick mode reports every contender", async () => {
  const { markdown, results } = await compare({ quick: true });
  for (const name of ["geoheat (wasm, Canvas 2D)", "TS exact kernel", "simpleheat 0.4.0", "heatmap.js 2.0.5"]) {
    assert.ok(markdown.includes(`| ${name}`), `${name} is in the table`);
  }
  for (const r of results) assert.equal(r.rows.length, 4, `${r.name}: every contender ran`);
  const geo = results[0].rows.find((row) => row.id === "geoheat");
  assert.ok(geo.psnr > 40, `geoheat's fast path is close to the exact image (${geo.psnr} dB)`);
  assert.match(markdown, /differs from the CLI's golden in 0 bytes/);
  assert.match(markdown, /## Ingest/);
});

test("--layers draws the CLI's layer golden byte for byte, and WGSL errors name their file", async () => {
  const layers = [
    { name: "contours", kind: "contours", uniforms: { interval: 0.2, width: 1, fill: 0.35 } },
    { name: "points", kind: "points", uniforms: { radius: 1.5, color: [1, 1, 1, 0.8] } },
  ];
  writeFileSync(join(dir, "layers.json"), JSON.stringify(layers));
  const out = join(dir, "layers.png");
  await snapshot([QUAKES, "-o", out, ...GOLDEN_ARGS, "--center", "-120,37", "--zoom", "4", "--style", join(dir, "viewport.json"), "--layers", join(dir, "layers.json")], { env });
  const got = decodePng(readFileSync(out));
  const want = decodePng(readFileSync(`${ROOT}tests/golden/earthquakes-california-layers.png`));
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  assert.equal(differingBytes(got, want), 0);

  writeFileSync(join(dir, "broken.wgsl"), "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    let x = value *;\n    return vec4(x);\n}\n");
  writeFileSync(join(dir, "broken.json"), JSON.stringify([{ name: "broken", wgslFile: "broken.wgsl" }]));
  const { code, stderr } = await runCli([QUAKES, "-o", join(dir, "broken.png"), "--backend", "webgpu", "--layers", join(dir, "broken.json")]);
  assert.equal(code, 1);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.match(stderr, new RegExp(`^snapshot: ${join(dir, "broken.wgsl").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:20: expected expression`));
  assert.match(stderr, /\[WGSL_SYNTAX\]$/m);
});
