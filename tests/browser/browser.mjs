// Helpers of the browser tests. The launcher (www/ server, Chromium and its flags, pages) is the
// product's, www/harness/chromium.mjs; it is re-exported here for the test files.
export { openPage, startBrowser } from "../../www/harness/chromium.mjs";

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

/**
 * The scene of tests/golden/earthquakes-california.png on Canvas 2D (crate/tests/cli.rs renders the
 * same scene with the CLI): `create` options and `load` options for the bundled earthquakes.
 */
export const GOLDEN_SCENE = Object.freeze({
  create: { center: [-120, 37], zoom: 4, radius: 25, normalize: "viewport", devicePixelRatio: 1, backend: "canvas2d" },
  load: { weightProperty: "mag", invalidWeight: "skip", fitBounds: false },
});
