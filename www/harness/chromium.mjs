// Headless Chromium for geoheat's tools (snapshot harness, benchmarks) and browser tests: www/
// served on 127.0.0.1 and Debian's Chromium, driven by playwright-core.
import { createRequire } from "node:module";
import { startServer } from "../serve.mjs";

// The npm packages live in www/node_modules (www/package.json owns the JavaScript tooling).
const { chromium } = createRequire(new URL("../package.json", import.meta.url))("playwright-core");

// Keep the browser off the network and quiet.
const OFFLINE_ARGS = [
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
  "--disable-quic",
  "--disable-sync",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--no-sandbox",
];

/**
 * Command-line flags of each flag set:
 * - `webgpu`: WebGPU on SwiftShader, which needs all four GPU flags (drop one and the adapter is
 *   null or the WebGPU canvas loses its device). Canvas 2D then rasterises through SwiftShader GL
 *   too, many times slower for drawImage-heavy code: never benchmark Canvas 2D with it.
 * - `default`: Chromium's defaults (Skia's CPU raster, as on a machine without a GPU; no WebGPU
 *   adapter): for Canvas 2D benchmarks.
 * Both keep the browser off the network.
 */
export const CHROMIUM_FLAG_SETS = Object.freeze({
  webgpu: Object.freeze([
    "--enable-unsafe-webgpu",
    "--use-angle=swiftshader",
    "--enable-features=Vulkan",
    "--use-vulkan=swiftshader",
    ...OFFLINE_ARGS,
  ]),
  default: Object.freeze([...OFFLINE_ARGS]),
});

/**
 * Starts the www/ server (or one of `root`, a directory) and the browser; `close()` stops both.
 * `flags` names the flag set (see `CHROMIUM_FLAG_SETS`). The executable is `$CHROMIUM`, else
 * /usr/bin/chromium. A browser that does not start throws an error whose message is one line: the
 * reason and how to install Chromium.
 * @param {{ flags?: "webgpu" | "default", root?: string }} [options]
 * @returns {Promise<{ url: string, browser: import("playwright-core").Browser, close(): Promise<void> }>}
 */
export async function startBrowser({ flags = "webgpu", root } = {}) {
  if (!Object.hasOwn(CHROMIUM_FLAG_SETS, flags)) {
    throw new Error(`unknown Chromium flag set ${JSON.stringify(flags)}; use one of ${Object.keys(CHROMIUM_FLAG_SETS).join(", ")}`);
  }
  const args = CHROMIUM_FLAG_SETS[flags];
  const server = await startServer({ port: 0, root });
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: [...args] });
  } catch (e) {
    await server.close();
    // Playwright's message spans many lines (call log, banner); its first line is the reason.
    const reason = String(e?.message ?? e).split("\n").find((line) => line.trim()) ?? "unknown error";
    throw new Error(`cannot start Chromium (${executablePath}): ${reason.trim()}; install it with \`bash www/setup.sh --tests\` or set CHROMIUM`);
  }
  return {
    url: server.url,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Opens `path` (relative to www/) in a new browser context and records console errors and page
 * errors in `errors`. `prepare(page)`, when given, runs before the page loads (to route requests,
 * for example).
 * @returns {Promise<{ page: import("playwright-core").Page, errors: string[] }>}
 */
export async function openPage(env, path, { deviceScaleFactor = 1, viewport = { width: 800, height: 600 }, prepare } = {}) {
  const context = await env.browser.newContext({ deviceScaleFactor, viewport });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await prepare?.(page);
  await page.goto(env.url + path);
  return { page, errors };
}
