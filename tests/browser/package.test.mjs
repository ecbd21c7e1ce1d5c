// The npm package `geoheat` as a user gets it: `npm pack` of www/package (staged by
// www/build.sh), installed from the tarball into a scratch app that Vite builds and serves (dev
// server) with no configuration, and that a plain <script type="module"> page loads from static
// files, and that webpack 5 and esbuild bundle; each draws heat on the page and in a worker. And a strict TypeScript consumer of the
// packed declarations holding the READMEs' JavaScript examples as they are written.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { decodePng } from "./png.mjs";
import { startBrowser } from "./browser.mjs";
import { startServer } from "../../www/serve.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WWW = join(ROOT, "www");
const PACKAGE = join(WWW, "package");
const run = promisify(execFile);
const www = createRequire(join(WWW, "package.json"));
const VITE = join(www.resolve("vite/package.json"), "../bin/vite.js");
const WEBPACK = join(www.resolve("webpack-cli/package.json"), "../bin/cli.js");
const ESBUILD = join(www.resolve("esbuild/package.json"), "../bin/esbuild");
const TSC = www.resolve("typescript/bin/tsc");
const ts = www("typescript");

/**
 * The app: two canvases, one heatmap on the page and one in a worker, each given the same three
 * points; it writes what it got (or its error) to <body data-result | data-error>. Plain
 * JavaScript that is also strict TypeScript, so that Vite builds it as main.ts and the static
 * page loads it as main.js.
 */
const APP = `import { Heatmap } from "geoheat";

const [pageCanvas, workerCanvas] = document.querySelectorAll("canvas");
const data = {
  type: "FeatureCollection",
  features: [[-122.4, 37.8], [-118.2, 34.1], [-121.9, 37.3]].map((coordinates) => ({
    type: "Feature", properties: { mag: 2 }, geometry: { type: "Point", coordinates },
  })),
};
try {
  const onPage = await Heatmap.create(pageCanvas, { backend: "canvas2d", radius: 20 });
  const pageReport = await onPage.setData(data, { weightProperty: "mag" });
  const pagePng = await onPage.snapshot();
  const inWorker = await Heatmap.create(workerCanvas, { worker: true, backend: "canvas2d", radius: 20 });
  const workerReport = await inWorker.setData(data, { weightProperty: "mag" });
  const workerPng = await inWorker.snapshot();
  document.body.dataset.result = JSON.stringify({
    page: { points: pageReport.points, backend: onPage.backend, png: Array.from(pagePng) },
    worker: { points: workerReport.points, backend: inWorker.backend, png: Array.from(workerPng) },
  });
} catch (error) {
  document.body.dataset.error = String(error);
}
`;
const CANVASES = `<canvas style="width: 160px; height: 120px"></canvas>\n<canvas style="width: 160px; height: 120px"></canvas>`;

let scratch;
let app;
let packed;
let env;
before(async () => {
  assert.ok(existsSync(join(PACKAGE, "pkg/geoheat_bg.wasm")), "www/package is not staged: run bash www/build.sh");
  scratch = mkdtempSync(join(tmpdir(), "geoheat-package-"));
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", scratch], { cwd: PACKAGE });
  [packed] = JSON.parse(stdout);
  app = join(scratch, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  // The tarball has no dependencies: installed as a user would, without the registry.
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(scratch, packed.filename)], { cwd: app });
  writeFileSync(join(app, "main.ts"), APP);
  writeFileSync(join(app, "main.js"), APP);
  writeFileSync(join(app, "index.html"), `<!doctype html>\n<link rel="icon" href="data:,">\n<body>\n${CANVASES}\n<script type="module" src="./main.ts"></script>\n</body>\n`);
  writeFileSync(
    join(app, "static.html"),
    `<!doctype html>\n<link rel="icon" href="data:,">\n<script type="importmap">{ "imports": { "geoheat": "./node_modules/geoheat/lib/index.js" } }</script>\n` +
      `<body>\n${CANVASES}\n<script type="module" src="./main.js"></script>\n</body>\n`,
  );
  env = await startBrowser({ flags: "default", root: app });
});
after(async () => {
  await env?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Opens `url`, waits for the app's result and checks that both heatmaps drew heat. */
async function checkApp(url) {
  const context = await env.browser.newContext({ viewport: { width: 400, height: 300 } });
  try {
    const page = await context.newPage();
    const errors = [];
    const failed = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("response", (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
    const wasm = [];
    page.on("response", (r) => r.url().endsWith(".wasm") && wasm.push(r.url()));
    await page.goto(url);
    await page.waitForFunction(() => document.body?.dataset.result || document.body?.dataset.error);
    const { error, result } = await page.evaluate(() => ({ ...document.body.dataset }));
    assert.equal(error, undefined, `the app failed: ${error}`);
    assert.deepEqual(failed, [], "every request succeeded");
    assert.deepEqual(errors, [], "no console or page errors");
    // The page and its worker each instantiate the module, from the same file.
    assert.equal(wasm.length, 2, `the wasm was fetched once by the page and once by the worker: ${wasm.join(", ")}`);
    assert.equal(new Set(wasm).size, 1, "both fetched the same .wasm");
    const out = JSON.parse(result);
    for (const host of ["page", "worker"]) {
      const { points, backend, png } = out[host];
      assert.equal(points, 3, `${host}: the three points loaded`);
      assert.equal(backend, "canvas2d", `${host}: drawn with Canvas 2D`);
      const { width, height, data } = decodePng(Uint8Array.from(png));
      assert.deepEqual([width, height], [160, 120], `${host}: the snapshot has the canvas's size`);
      let heat = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) heat++;
      assert.ok(heat > 500, `${host}: ${heat} pixels show heat`);
      assert.ok(heat < width * height, `${host}: heat is around the points, not everywhere`);
    }
    return wasm[0];
  } finally {
    await context.close();
  }
}

test("npm pack holds the entry module, its worker, the wasm and its glue, types and licenses, and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const needed of [
    "package.json", "README.md", "LICENSE-MIT", "LICENSE-APACHE",
    "lib/index.js", "lib/index.d.ts", "lib/proxy.js", "lib/worker.js", "lib/errors.js", "lib/protocol.js", "lib/maplibre.js", "lib/maplibre.d.ts",
    "pkg/geoheat.js", "pkg/geoheat.d.ts", "pkg/geoheat_bg.wasm",
  ]) {
    assert.ok(files.includes(needed), `${needed} is in the tarball (${files.join(", ")})`);
  }
  const stray = files.filter((f) => /\.(ts|map)$/.test(f) && !f.endsWith(".d.ts"));
  assert.deepEqual(stray, [], "no TypeScript sources or source maps");
  const manifest = JSON.parse(readFileSync(join(app, "node_modules/geoheat/package.json"), "utf8"));
  assert.equal(manifest.name, "geoheat");
  assert.equal(manifest.type, "module");
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.deepEqual(manifest.exports["."], { types: "./lib/index.d.ts", default: "./lib/index.js" });
  assert.deepEqual(manifest.exports["./maplibre"], { types: "./lib/maplibre.d.ts", default: "./lib/maplibre.js" });
  assert.deepEqual(manifest.peerDependenciesMeta, { "maplibre-gl": { optional: true } }, "maplibre-gl is needed only by geoheat/maplibre");
  assert.deepEqual(manifest.sideEffects, ["./lib/worker.js"], "only the worker script runs code when imported");
});

test("Vite builds an app importing geoheat with no configuration; it draws heat on the page and in a worker", async () => {
  await run(process.execPath, [VITE, "build", "--logLevel", "warn"], { cwd: app });
  const assets = readdirSync(join(app, "dist/assets"));
  // The core once (page and worker share it), and the WGSL validator with its glue as a chunk of
  // its own, loaded only with the first custom layer.
  const wasms = assets.filter((f) => f.endsWith(".wasm")).map((f) => f.replace(/-[\w-]+\.wasm$/, "")).sort();
  assert.deepEqual(wasms, ["geoheat_bg", "geoheat_wgsl_bg"], `the core's and the validator's .wasm, once each: ${assets.join(", ")}`);
  assert.ok(assets.some((f) => /^geoheat_wgsl-.*\.js$/.test(f)), `the validator's glue became a chunk of its own: ${assets.join(", ")}`);
  assert.ok(assets.some((f) => /^worker-.*\.js$/.test(f)), `the worker became a chunk of its own: ${assets.join(", ")}`);
  const server = await startServer({ port: 0, root: join(app, "dist") });
  try {
    const wasm = await checkApp(server.url);
    assert.match(wasm, /\/assets\/geoheat_bg-[\w-]+\.wasm$/, "the wasm comes from Vite's output");
  } finally {
    await server.close();
  }
});

test("the Vite dev server, pre-bundling geoheat, serves the app with no configuration", async () => {
  const { createServer } = await import(pathToFileURL(www.resolve("vite")).href);
  const server = await createServer({ root: app, logLevel: "warn", server: { host: "127.0.0.1", port: 0 } });
  try {
    await server.listen();
    const wasm = await checkApp(server.resolvedUrls.local[0]);
    assert.match(wasm, /\/node_modules\/geoheat\/pkg\/geoheat_bg\.wasm$/, "the wasm is served from the installed package");
    assert.ok(existsSync(join(app, "node_modules/.vite/deps/geoheat.js")), "the page got geoheat pre-bundled");
  } finally {
    await server.close();
  }
});

/** Serves `dir` (a bundler's output, given index.html) and checks the app there; returns the wasm's URL. */
async function checkBuiltApp(dir, script) {
  writeFileSync(join(dir, "index.html"), `<!doctype html>\n<link rel="icon" href="data:,">\n<body>\n${CANVASES}\n${script}\n</body>\n`);
  const server = await startServer({ port: 0, root: dir });
  try {
    return await checkApp(server.url);
  } finally {
    await server.close();
  }
}

test("webpack 5 bundles an app importing geoheat with no configuration; it draws heat on the page and in a worker", async () => {
  // webpack turns `new URL(…, import.meta.url)` into an asset and `new Worker(new URL(…))` into a chunk.
  await run(process.execPath, [WEBPACK, "--mode", "production", "--entry", "./main.js", "--output-path", "webpack-dist"], { cwd: app });
  const emitted = readdirSync(join(app, "webpack-dist"));
  // The core's and the validator's (fetched only with a custom WGSL layer, so not by this app).
  assert.equal(emitted.filter((f) => f.endsWith(".wasm")).length, 2, `two .wasm emitted: ${emitted.join(", ")}`);
  const wasm = await checkBuiltApp(join(app, "webpack-dist"), `<script src="./main.js"></script>`);
  assert.match(wasm, /\/[0-9a-f]+\.wasm$/, "the wasm comes from webpack's output");
});

test("esbuild bundles an app importing geoheat; the wasm and the worker script go next to the bundle as the README says", async () => {
  // esbuild leaves `new URL(…, import.meta.url)` as it is, so the files it names must sit next to
  // the bundle: the README's esbuild recipe, run here as written there.
  const recipe = readFileSync(join(PACKAGE, "README.md"), "utf8").match(/^```sh\n(npx esbuild [\s\S]*?)^```$/m);
  assert.ok(recipe, "www/package/README.md has an esbuild recipe (a ```sh block starting with npx esbuild)");
  for (const line of recipe[1].trim().split("\n")) {
    // Into esbuild-dist/, since Vite's test built into dist/.
    const [command, ...args] = line.replace(/\bdist\b/g, "esbuild-dist").split(/\s+/);
    if (command === "npx" && args[0] === "esbuild") await run(ESBUILD, args.slice(1), { cwd: app });
    else if (command === "cp") await run("cp", args, { cwd: app });
    else assert.fail(`the esbuild recipe runs only npx esbuild and cp: ${line}`);
  }
  const wasm = await checkBuiltApp(join(app, "esbuild-dist"), `<script type="module" src="./main.js"></script>`);
  assert.match(wasm, /\/geoheat_bg\.wasm$/, "the wasm is loaded from next to the bundle");
});

test("a plain <script type=module> page (an import map, no build) loads the installed package", async () => {
  const wasm = await checkApp(`${env.url}static.html`);
  assert.equal(wasm, `${env.url}node_modules/geoheat/pkg/geoheat_bg.wasm`, "the wasm is found next to the module");
});

/** The ```js blocks of a Markdown file. */
const jsBlocks = (file) => [...readFileSync(file, "utf8").matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

/**
 * A TypeScript module with every block as the body of its own async function. Imports from
 * "geoheat" go to the top; `canvas` and the WGSL sources are parameters, and so is `map` where a
 * block uses one without creating it (once as a page Heatmap, once as a WorkerHeatmap).
 */
function examplesModule() {
  const imports = new Set(['import type { WorkerHeatmap } from "geoheat";']);
  const functions = [];
  const blocks = [
    ...jsBlocks(join(ROOT, "README.md")).map((code, i) => [`README.md #${i + 1}`, code]),
    ...jsBlocks(join(PACKAGE, "README.md")).map((code, i) => [`www/package/README.md #${i + 1}`, code]),
  ];
  for (const [name, code] of blocks) {
    const body = code.split("\n").filter((line) => {
      if (!/^import\b/.test(line)) return true;
      assert.match(line, /from "(geoheat|geoheat\/maplibre|maplibre-gl)";/, `${name} imports from the package or maplibre-gl: ${line}`);
      imports.add(line.replace(/\s*\/\/.*$/, ""));
      return false;
    });
    const params = "canvas: HTMLCanvasElement, bandsSource: string, editedSource: string";
    const hosts = /\b(const|let) map\b/.test(code) ? [""] : [", map: Heatmap", ", map: WorkerHeatmap"];
    for (const host of hosts) {
      functions.push(`// ${name}\nexport async function example${functions.length}(${params}${host}): Promise<void> {\n${body.join("\n")}}\n`);
    }
  }
  assert.ok([...imports].some((line) => /^import \{ Heatmap \} from "geoheat";$/.test(line)), "the README imports { Heatmap } from \"geoheat\"");
  assert.ok(functions.length >= 4, `the READMEs' examples were found (${functions.length})`);
  return `${[...imports].join("\n")}\n\n${functions.join("\n")}`;
}

test("the READMEs' examples and the app type-check strictly against the packed .d.ts, with no any, and every type shown is exported", async () => {
  writeFileSync(join(app, "examples.ts"), examplesModule());
  // The MapLibre example's peer dependency as npm installs it next to geoheat, with the GeoJSON
  // types its declarations use as a global namespace (linked from www/: offline).
  for (const name of ["maplibre-gl", "@types/geojson"]) {
    const link = join(app, "node_modules", name);
    mkdirSync(join(link, ".."), { recursive: true });
    if (!existsSync(link)) symlinkSync(join(WWW, "node_modules", name), link, "dir");
  }
  const compilerOptions = {
    strict: true, noEmit: true, skipLibCheck: false, target: "ES2022", lib: ["ES2022", "DOM", "DOM.Iterable"], types: ["geojson"],
  };
  const config = (file, options) => {
    writeFileSync(join(app, file), JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files: ["examples.ts", "main.ts"] }));
    return file;
  };
  // As Vite's users resolve it, by the tsc command line.
  const bundler = config("tsconfig.json", { module: "ESNext", moduleResolution: "Bundler" });
  const result = await run(process.execPath, [TSC, "-p", bundler], { cwd: app }).catch((e) => e);
  assert.equal(result.code ?? 0, 0, `tsc -p ${bundler}:\n${result.stdout}${result.stderr}`);
  // As Node reads the exports map, in process: the same diagnostics, then the types of names.
  const node16 = config("tsconfig.node.json", { module: "Node16", moduleResolution: "Node16" });
  const parsed = ts.getParsedCommandLineOfConfigFile(join(app, node16), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  // maplibre-gl 5's own declarations (and its @maplibre dependencies') do not check under Node16
  // (extensionless relative imports, ESM types from a file tsc takes for CommonJS): theirs, not
  // geoheat's; everything else must be clean, and the any check below sees their types resolve.
  const thirdParty = /\/node_modules\/(maplibre-gl|@maplibre)\//;
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => !thirdParty.test(d.file?.fileName ?? ""));
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => app, getNewLine: () => "\n" };
  assert.equal(diagnostics.length, 0, `tsc -p ${node16}:\n${ts.formatDiagnostics(diagnostics, host)}`);

  // tsc accepts `any` silently: look at the type of every name in the examples and the app.
  const checker = program.getTypeChecker();
  const anys = [];
  let names = 0;
  for (const file of ["examples.ts", "main.ts"]) {
    const source = program.getSourceFile(join(app, file));
    const visit = (node) => {
      if (ts.isIdentifier(node)) {
        names++;
        if (checker.getTypeAtLocation(node).flags & ts.TypeFlags.Any) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          anys.push(`${file}:${line + 1}: ${node.text} in ${source.text.split("\n")[line].trim()}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  assert.ok(names > 200, `${names} names checked`);
  assert.deepEqual(anys, [], "no name in the examples is typed any");

  // Every type of the package that its API shows (in a parameter, a result, a property, an event)
  // can be named by importing it from "geoheat".
  const examples = program.getSourceFile(join(app, "examples.ts"));
  const specifier = examples.statements.find(ts.isImportDeclaration).moduleSpecifier;
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(specifier));
  const resolve = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const exportedSymbols = new Set(exported.map(resolve));
  const inPackage = (declaration) => declaration.getSourceFile().fileName.includes("/node_modules/geoheat/");
  const unnamed = new Map();
  const seen = new Set();
  const walk = (symbol, from) => {
    if (seen.has(symbol)) return;
    seen.add(symbol);
    for (const declaration of symbol.declarations?.filter(inPackage) ?? []) {
      const visit = (node, shown) => {
        if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
          const target = checker.getSymbolAtLocation(ts.isTypeReferenceNode(node) ? node.typeName : node.expression);
          const type = target && resolve(target);
          if (type?.declarations?.some(inPackage) && type.flags & (ts.SymbolFlags.Type & ~ts.SymbolFlags.TypeParameter)) {
            if (shown && !exportedSymbols.has(type)) unnamed.set(type.name, from);
            walk(type, from);
          }
        }
        ts.forEachChild(node, (child) => visit(child, shown));
      };
      for (const child of declaration.getChildren().flatMap((c) => (c.kind === ts.SyntaxKind.SyntaxList ? c.getChildren() : [c]))) {
        // What a heritage clause names (Heatmap extends Omit<the wasm class, ...>) is not shown
        // itself, nor are the statics of a class that is not exported.
        const hidden = ts.isHeritageClause(child) || (!exportedSymbols.has(symbol) && ts.canHaveModifiers(child) && ts.getModifiers(child)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword));
        visit(child, !hidden);
      }
    }
  };
  for (const symbol of exported) walk(resolve(symbol), symbol.name);
  assert.ok(seen.size > 20, `${seen.size} types of the package looked at`);
  assert.deepEqual([...unnamed].map(([name, from]) => `${name} (shown by ${from})`), [], "types the API shows but the package does not export");
});
