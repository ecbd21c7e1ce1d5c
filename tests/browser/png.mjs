// Pixel helpers of the browser tests. The PNG decoder is the product's (www/harness/png.mjs).
import { decodePng } from "../../www/harness/png.mjs";

export { decodePng };

/** PNG bytes of `window.map.snapshot()` on `page`, decoded. */
export const snapshotOf = async (page, handle = "window.map") =>
  decodePng(Uint8Array.from(await page.evaluate(async (h) => Array.from(await eval(h).snapshot()), handle)));

/** Max channel difference and PSNR (dB) of two RGBA images of the same size. */
export function compare(a, b) {
  let max = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sq += d * d;
  }
  const mse = sq / a.length;
  return { max, psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse) };
}
