// Shared set-up of the browser tests: the www/ server and Debian's Chromium, driven by playwright-core.
import { createRequire } from "node:module";
import { startServer } from "../../www/serve.mjs";

// The npm packages live in www/node_modules (www/package.json owns the JavaScript tooling).
const { chromium } = createRequire(new URL("../../www/package.json", import.meta.url))("playwright-core");

// WebGPU on SwiftShader needs all of these; the rest keep the browser off the network.
export const CHROMIUM_ARGS = [
  "--enable-unsafe-webgpu",
  "--use-angle=swiftshader",
  "--enable-features=Vulkan",
  "--use-vulkan=swiftshader",
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
  "--disable-quic",
  "--disable-sync",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--no-sandbox",
];

/**
 * Starts the server and the browser; `close()` stops both. A browser that does not start throws
 * an error whose message is one line: the reason and how to install Chromium.
 */
export async function startBrowser() {
  const server = await startServer({ port: 0 });
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
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
 * Opens `path` and records console errors and page errors in `errors`. `prepare(page)`, when
 * given, runs before the page loads (to route requests, for example).
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

/** Resolves once the heatmap has rendered at least `count` frames in total and is not dirty. */
export async function waitForFrames(page, handle = "window.map", count = 1) {
  await page.waitForFunction(
    ([h, n]) => {
      const s = eval(h).stats();
      return s.framesRendered >= n && !s.dirty;
    },
    [handle, count],
  );
}
