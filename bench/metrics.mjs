// Image fidelity for the comparison: PSNR and SSIM of RGBA8 images as they look on a white page.
// Straight RGBA is composited over white first, so the colour of fully transparent pixels (which
// differs between libraries and shows nowhere) does not count.

/** RGB bytes of straight RGBA8 composited over white. */
export function overWhite(rgba) {
  const rgb = new Float64Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    const a = rgba[i + 3] / 255;
    for (let c = 0; c < 3; c++) rgb[j + c] = rgba[i + c] * a + 255 * (1 - a);
  }
  return rgb;
}

/** PSNR in dB over the RGB channels (full scale 255); Infinity for identical images. */
export function psnr(rgbA, rgbB) {
  let sum = 0;
  for (let i = 0; i < rgbA.length; i++) sum += (rgbA[i] - rgbB[i]) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / rgbA.length));
}

const luma = (rgb) => {
  const y = new Float64Array(rgb.length / 3);
  for (let i = 0; i < y.length; i++) y[i] = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
  return y;
};

/**
 * Mean SSIM (Wang et al. 2004) of the luma of two RGB images of `width` pixels a row, over 8×8
 * windows every 4 pixels with uniform weights and the usual constants (K1 = 0.01, K2 = 0.03).
 */
export function ssim(rgbA, rgbB, width) {
  const [a, b] = [luma(rgbA), luma(rgbB)];
  const height = a.length / width;
  const [c1, c2] = [(0.01 * 255) ** 2, (0.03 * 255) ** 2];
  const size = 8, step = 4, n = size * size;
  let total = 0, windows = 0;
  for (let y0 = 0; y0 + size <= height; y0 += step) {
    for (let x0 = 0; x0 + size <= width; x0 += step) {
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let y = y0; y < y0 + size; y++) {
        for (let x = x0, i = y * width + x0; x < x0 + size; x++, i++) {
          sa += a[i];
          sb += b[i];
          saa += a[i] * a[i];
          sbb += b[i] * b[i];
          sab += a[i] * b[i];
        }
      }
      const [ma, mb] = [sa / n, sb / n];
      const va = saa / n - ma * ma, vb = sbb / n - mb * mb, cov = sab / n - ma * mb;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      windows++;
    }
  }
  return total / windows;
}
