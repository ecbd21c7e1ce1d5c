// The structural similarity (SSIM, Wang et al. 2004) of two same-sized RGBA images, on luminance,
// averaged over 8×8 windows every 4 pixels (uniform weights), with the paper's constants.

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Rec. 601 luma of each pixel of `{ width, height, data }` (RGBA bytes). */
function luma({ width, height, data }) {
  const out = new Float64Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2];
  return out;
}

/** Mean SSIM of images `a` and `b` (1 when identical). */
export function ssim(a, b, { window = 8, step = 4 } = {}) {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`ssim: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  const [x, y] = [luma(a), luma(b)];
  const n = window * window;
  let sum = 0;
  let count = 0;
  for (let top = 0; top + window <= a.height; top += step) {
    for (let left = 0; left + window <= a.width; left += step) {
      let [sx, sy, sxx, syy, sxy] = [0, 0, 0, 0, 0];
      for (let j = top; j < top + window; j++) {
        for (let i = left; i < left + window; i++) {
          const [p, q] = [x[j * a.width + i], y[j * a.width + i]];
          sx += p;
          sy += q;
          sxx += p * p;
          syy += q * q;
          sxy += p * q;
        }
      }
      const [mx, my] = [sx / n, sy / n];
      const [vx, vy, cov] = [sxx / n - mx * mx, syy / n - my * my, sxy / n - mx * my];
      sum += ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      count++;
    }
  }
  return sum / count;
}
