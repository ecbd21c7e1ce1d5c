// Headless snapshots: renders GeoJSON with geoheat in Debian's Chromium and writes the PNG of the
// frame the page shows (`await heatmap.snapshot()`, the exact front buffer).
//
//   node www/harness/snapshot.mjs INPUT.geojson -o OUT.png [--width 1024 --height 768 --dpr 1]
//        [--center LON,LAT --zoom Z | --fit [--padding PX]] [--style style.json]
//        [--weight-property P] [--invalid-weight error|skip] [--out-of-range error|skip]
//        [--lines-and-polygons skip|vertices] [--backend canvas2d|webgpu|auto]
//        [--layers layers.json]
//   node www/harness/snapshot.mjs INPUT.geojson --views views.json [same options]
//
// Needs www/ built (bash www/build.sh). See README.md next to this file.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openPage, startBrowser } from "./chromium.mjs";

export const USAGE = `usage: node www/harness/snapshot.mjs INPUT.geojson (-o OUT.png | --views views.json)
  [--width PX --height PX --dpr R] [--center LON,LAT --zoom Z | --fit [--padding PX]]
  [--style style.json] [--weight-property NAME] [--invalid-weight error|skip]
  [--out-of-range error|skip] [--lines-and-polygons skip|vertices] [--backend canvas2d|webgpu|auto]
  [--layers layers.json]   (an array of addLayer options; "wgslFile" reads "wgsl" from a file)`;

/** A mistake on the command line (exit code 2); other failures exit with 1. */
export class UsageError extends Error {}

const LOAD_FLAGS = {
  "--weight-property": "weightProperty",
  "--invalid-weight": "invalidWeight",
  "--out-of-range": "outOfRange",
  "--lines-and-polygons": "linesAndPolygons",
};

/**
 * Parses the command line (without `node` and the script) into
 * `{ input, out?, viewsFile?, styleFile?, layersFile?, width, height, dpr, center?, zoom?, fit, padding, load, backend? }`.
 */
export function parseArgs(argv) {
  // canvas2d by default: its PNG is the native CLI's, byte for byte; webgpu/auto capture the GPU path.
  const opts = { width: 1024, height: 768, dpr: 1, fit: false, padding: 20, load: {}, backend: "canvas2d" };
  const number = (flag, text) => {
    const v = Number(text);
    if (text === undefined || text === "" || !Number.isFinite(v)) throw new UsageError(`${flag} takes a number, not ${JSON.stringify(text ?? "")}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === "-o" || flag === "--output") opts.out = value();
    else if (flag === "--views") opts.viewsFile = value();
    else if (flag === "--style") opts.styleFile = value();
    else if (flag === "--layers") opts.layersFile = value();
    else if (flag === "--width") opts.width = number(flag, value());
    else if (flag === "--height") opts.height = number(flag, value());
    else if (flag === "--dpr") opts.dpr = number(flag, value());
    else if (flag === "--zoom") opts.zoom = number(flag, value());
    else if (flag === "--padding") opts.padding = number(flag, value());
    else if (flag === "--fit") opts.fit = true;
    else if (flag === "--backend") opts.backend = value();
    else if (flag === "--center") {
      const parts = value().split(",");
      if (parts.length !== 2) throw new UsageError("--center takes LON,LAT");
      opts.center = parts.map((p) => number("--center", p));
    } else if (flag in LOAD_FLAGS) opts.load[LOAD_FLAGS[flag]] = value();
    else if (flag === "-h" || flag === "--help") throw new UsageError(USAGE);
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option ${flag}`);
    else if (opts.input === undefined) opts.input = flag;
    else throw new UsageError(`one input file only (got ${opts.input} and ${flag})`);
  }
  if (opts.input === undefined) throw new UsageError("no input file given");
  if ((opts.out === undefined) === (opts.viewsFile === undefined)) throw new UsageError("give exactly one of -o OUT.png and --views views.json");
  if ((opts.center === undefined) !== (opts.zoom === undefined)) throw new UsageError("--center and --zoom go together");
  if (opts.fit && opts.center) throw new UsageError("--fit cannot be combined with --center/--zoom");
  return opts;
}

async function readJson(file, what) {
  const text = await readFile(file, "utf8").catch((e) => {
    throw new Error(`cannot read ${what} ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${file} is not valid JSON: ${e.message}`);
  }
}

/**
 * The layers file: an array of `addLayer` options, where `wgslFile` (relative to the layers file)
 * stands for `wgsl`. Resolves to the layers and, per layer name, the WGSL file it came from.
 */
async function readLayers(file) {
  const layers = await readJson(file, "layers");
  if (!Array.isArray(layers) || layers.some((l) => typeof l?.name !== "string")) {
    throw new Error(`layers ${file} must be an array of {name, kind | wgsl | wgslFile, uniforms?, ...}`);
  }
  const wgslFiles = {};
  const read = await Promise.all(
    layers.map(async ({ wgslFile, ...layer }) => {
      if (wgslFile === undefined) return layer;
      const path = resolve(dirname(file), wgslFile);
      wgslFiles[layer.name] = path;
      const wgsl = await readFile(path, "utf8").catch((e) => {
        throw new Error(`cannot read WGSL ${path} of layer ${layer.name}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
      });
      return { ...layer, wgsl };
    }),
  );
  return { layers: read, wgslFiles };
}

/** Style layers applied in order; a later `radius` replaces an earlier `radiusMeters` and back. */
function mergeStyles(...layers) {
  const merged = {};
  for (const layer of layers) {
    if (!layer) continue;
    if ("radius" in layer) delete merged.radiusMeters;
    if ("radiusMeters" in layer) delete merged.radius;
    Object.assign(merged, layer);
  }
  return merged;
}

/** geoheat's default style (what `Heatmap.create` starts from). */
const DEFAULT_STYLE = { radius: 25, intensity: 1, normalize: "stable", colorRamp: "classic", opacity: 1, threshold: 0 };

/**
 * Opens a harness page for snapshots; `env` is a `startBrowser()` result (the caller closes it).
 * `render(bytes, scene, views)` loads GeoJSON bytes once and resolves to one PNG per view.
 *
 * - `scene`: `{ width, height, dpr, style?, load?, backend?, fit?, padding?, layers? }` (CSS px;
 *   `style` is `StyleOptions`, `load` is `LoadOptions`, `layers` an array of `LayerOptions` added in
 *   order)
 * - `views`: `[{ center?, zoom?, style?, width?, height? }]`; a view without `center`/`zoom` shows
 *   the data fitted (or the view given before it). `style` applies on top of `scene.style`.
 *
 * Errors from geoheat reject with their message plus `code`, `line`, `column`, `byteOffset`.
 */
export async function openSnapshotPage(env, { width, height, dpr }) {
  // The viewport only has to hold the canvas; the device scale factor gives window.devicePixelRatio.
  const { page, errors } = await openPage(env, "harness.html", {
    deviceScaleFactor: dpr,
    viewport: { width: Math.max(width, 64), height: Math.max(height, 64) },
  });
  await page.waitForFunction(() => window.harnessReady);
  let input = new Uint8Array(0);
  // The input travels as a response to a same-origin fetch (fast for 100 MB, unlike evaluate()).
  await page.route("**/__snapshot_input.geojson", (route) => route.fulfill({ body: Buffer.from(input), contentType: "application/geo+json" }));

  async function render(bytes, scene, views) {
    input = bytes;
    const pngs = await page.evaluate(async ({ scene, views }) => {
      const canvas = document.getElementById("map");
      const size = (w, h) => {
        canvas.style.width = `${w}px`;
        canvas.style.height = `${h}px`;
      };
      size(scene.width, scene.height);
      // window.map is the canvas (named access), so the heatmap lives under another name.
      window.snapshotHeatmap?.destroy();
      const heatmap = await window.geoheat.Heatmap.create(canvas, {
        ...views[0].style,
        devicePixelRatio: scene.dpr,
        interactive: false,
        ...(scene.backend ? { backend: scene.backend } : {}),
        ...(views[0]?.center ? { center: views[0].center, zoom: views[0].zoom } : {}),
      });
      window.snapshotHeatmap = heatmap;
      try {
        for (const layer of scene.layers ?? []) await heatmap.addLayer(layer);
        const bytes = new Uint8Array(await (await fetch("__snapshot_input.geojson")).arrayBuffer());
        heatmap.loadGeoJSON(bytes, { ...scene.load, fitBounds: !views[0]?.center, padding: scene.padding });
        const out = [];
        for (const view of views) {
          if (view.width || view.height) {
            size(view.width ?? scene.width, view.height ?? scene.height);
            heatmap.resize();
          }
          if (view.center) heatmap.setView({ center: view.center, zoom: view.zoom });
          heatmap.setStyle(view.style);
          // snapshot() renders a pending change first, then encodes the front buffer.
          out.push(Array.from(await heatmap.snapshot()));
        }
        return { ok: out };
      } catch (e) {
        // A GeoheatError's fields do not survive the trip to Node, so they travel as a plain object.
        const error = { message: e?.message ?? String(e) };
        for (const key of ["code", "line", "column", "byteOffset", "featureIndex", "option", "layer"]) if (e?.[key] != null) error[key] = e[key];
        return { error };
      }
    }, {
      scene,
      // Every view gets its whole style, so a batch view's style does not leak into the next.
      views: views.map((v) => ({ ...v, style: mergeStyles(DEFAULT_STYLE, scene.style, v.style) })),
    });
    if (pngs.error) throw Object.assign(new Error(pngs.error.message), pngs.error);
    if (errors.length) throw new Error(`the page reported: ${errors.join("; ")}`);
    return pngs.ok.map((png) => Uint8Array.from(png));
  }
  return { page, render, close: () => page.context().close() };
}

/** One-line description of a geoheat error, located like the CLI's: `FILE:LINE:COLUMN: message`. */
export function describeError(file, e) {
  const code = e.code ? ` [${e.code}]` : "";
  if (e.line == null) return `${e.code ? `${file}: ` : ""}${e.message}${code}`;
  // geoheat's message starts with the location in words; the prefix says it already.
  const message = e.message.replace(/^(GeoJSON error|layer `[^`]*`: [^:]+) at line \d+, column \d+[^:]*: /, "");
  const where = [e.byteOffset != null && `byte ${e.byteOffset}`, e.featureIndex != null && `feature ${e.featureIndex}`].filter(Boolean);
  return `${file}:${e.line}:${e.column}: ${message}${where.length ? ` (${where.join(", ")})` : ""}${code}`;
}

/**
 * Runs the command line in-process: reads the input (and style/views files), renders, writes the
 * PNGs. `env` reuses a started browser (tests); without it one is started and closed.
 * Resolves to the list of files written; rejects with a one-line message.
 */
export async function snapshot(argv, { env } = {}) {
  const opts = parseArgs(argv);
  const bytes = await readFile(opts.input).catch((e) => {
    throw new Error(`cannot read ${opts.input}: ${e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "is a directory" : e.message}`);
  });
  const style = opts.styleFile ? await readJson(opts.styleFile, "style") : undefined;
  let views;
  if (opts.viewsFile) {
    views = await readJson(opts.viewsFile, "views");
    if (!Array.isArray(views) || views.length === 0 || views.some((v) => typeof v?.out !== "string")) {
      throw new Error(`views ${opts.viewsFile} must be a non-empty array of {center, zoom, out, style?}`);
    }
    // `out` is relative to the views file, so a views file and its images can move together.
    views = views.map((v) => ({ ...v, out: resolve(dirname(opts.viewsFile), v.out) }));
  } else {
    views = [{ center: opts.center, zoom: opts.zoom, out: opts.out }];
  }
  const { layers, wgslFiles } = opts.layersFile ? await readLayers(opts.layersFile) : { layers: undefined, wgslFiles: {} };
  const scene = { width: opts.width, height: opts.height, dpr: opts.dpr, style, load: opts.load, backend: opts.backend, padding: opts.padding, layers };

  const owned = env === undefined;
  env ??= await startBrowser();
  try {
    const session = await openSnapshotPage(env, scene);
    try {
      const pngs = await session.render(bytes, scene, views).catch((e) => {
        // A layer's WGSL error is located in its own file.
        throw new Error(describeError(e.layer && wgslFiles[e.layer] ? wgslFiles[e.layer] : opts.input, e));
      });
      await Promise.all(views.map((v, i) => writeFile(v.out, pngs[i])));
      return views.map((v) => v.out);
    } finally {
      await session.close();
    }
  } finally {
    if (owned) await env.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const written = await snapshot(process.argv.slice(2));
    for (const file of written) console.error(`wrote ${file}`);
  } catch (e) {
    console.error(e.message === USAGE ? USAGE : `snapshot: ${e.message.split("\n")[0]}`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}
