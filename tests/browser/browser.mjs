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
