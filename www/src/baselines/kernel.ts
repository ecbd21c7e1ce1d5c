// geoheat's kernel in plain TypeScript on a Canvas 2D ImageData: the apples-to-apples baseline.
//
// density(pixel centre c) = Σ wᵢ · exp(−|c − pᵢ|² / 2σ²) over the square |dx|, |dy| ≤ r, σ = r/3,
// summed directly in f64 (as geoheat's `raster::reference`), stored as f32, normalised by the
// frame's maximum and coloured through the same 256-entry ramp with geoheat's f32 rounding. So
// this is also the exact reference image of a scene (up to the last bit of `Math.exp`).
import { CLASSIC_RAMP, type Scene, type WorldPoints, pixelTransform, toWorld } from "./scene.js";

const f32 = Math.fround;

/** The ramp sampled at i/255, as `ColorRamp::lut` does (f32 arithmetic, rounded half away from zero). */
export function rampLut(ramp = CLASSIC_RAMP): Uint8Array {
  const lut = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = f32(i / 255);
    let color = ramp[ramp.length - 1][1];
    if (t <= f32(ramp[0][0])) color = ramp[0][1];
    else {
      for (let s = 1; s < ramp.length; s++) {
        const [a, ca] = ramp[s - 1];
        const [b, cb] = ramp[s];
        if (t <= f32(b)) {
          const f = f32(b) > f32(a) ? f32(f32(t - f32(a)) / f32(f32(b) - f32(a))) : 1;
          color = ca.map((c, k) => Math.round(f32(c + f32(f32(cb[k] - c) * f)))) as typeof color;
          break;
        }
      }
    }
    lut.set(color, 4 * i);
  }
  return lut;
}

/** The pixels along one axis whose centres are within r of p, and their kernel factors. */
function support(p: number, r: number, len: number, twoSigma2: number, k: Float64Array): [number, number] {
  const lo = Math.max(0, Math.floor(p - r - 1.5));
  const hi = Math.min(len - 1, Math.ceil(p + r + 0.5));
  let first = -1;
  let count = 0;
  for (let i = lo; i <= hi; i++) {
    const d = i + 0.5 - p;
    if (Math.abs(d) <= r) {
      if (first < 0) first = i;
      k[count++] = Math.exp((-d * d) / twoSigma2);
    }
  }
  return [first, count];
}

/** The exact density of every pixel of `scene`, as f32 values (f64 sums), with world copies. */
export function exactDensity(points: WorldPoints, scene: Scene, sum: Float64Array = new Float64Array(scene.width * scene.height)): Float32Array {
  const { width: w, height: h, radius: r } = scene;
  sum.fill(0);
  const twoSigma2 = 2 * (r / 3) ** 2;
  const kx = new Float64Array(Math.ceil(2 * r) + 3);
  const ky = new Float64Array(kx.length);
  const { scale, ox, oy } = pixelTransform(scene);
  // Copies of the world left and right of the centre, for views across the antimeridian.
  const half = (w / 2 + r) / scale;
  const cx = toWorld(scene.center[0], scene.center[1])[0];
  const { xy, w: weights } = points;
  for (let copy = Math.floor(cx - half); copy <= Math.ceil(cx + half) - 1; copy++) {
    for (let i = 0, n = weights.length; i < n; i++) {
      const px = (xy[2 * i] + copy) * scale + ox;
      const py = xy[2 * i + 1] * scale + oy;
      if (px < -r - 1 || px > w + r + 1 || py < -r - 1 || py > h + r + 1) continue;
      const [x0, nx] = support(px, r, w, twoSigma2, kx);
      if (nx === 0) continue;
      const [y0, ny] = support(py, r, h, twoSigma2, ky);
      const wi = weights[i];
      for (let j = 0; j < ny; j++) {
        const fy = wi * ky[j];
        const row = (y0 + j) * w + x0;
        for (let k = 0; k < nx; k++) sum[row + k] += fy * kx[k];
      }
    }
  }
  return Float32Array.from(sum);
}

/** Straight RGBA8 of normalised density, as geoheat's `colorize` (viewport normalisation). */
export function colorize(values: Float32Array, lut: Uint8Array, rgba: Uint8ClampedArray): void {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  if (!(max > 0 && Number.isFinite(max))) {
    rgba.fill(0);
    return;
  }
  const inv = f32(1 / max);
  for (let i = 0; i < values.length; i++) {
    const value = Math.min(1, Math.max(0, f32(values[i] * inv)));
    const at = 4 * Math.trunc(f32(f32(value * 255) + 0.5));
    rgba[4 * i] = lut[at];
    rgba[4 * i + 1] = lut[at + 1];
    rgba[4 * i + 2] = lut[at + 2];
    rgba[4 * i + 3] = lut[at + 3];
  }
}

/** Draws the exact kernel on a canvas with putImageData; keeps its buffers between frames. */
export class KernelHeatmap {
  private readonly lut = rampLut();
  private image: ImageData | undefined;
  private sum: Float64Array | undefined;
  private points: WorldPoints | undefined;
  constructor(private readonly canvas: HTMLCanvasElement) {}

  load(points: WorldPoints): void {
    this.points = points;
  }

  draw(scene: Scene): void {
    if (!this.points) return;
    if (this.canvas.width !== scene.width || this.canvas.height !== scene.height) {
      this.canvas.width = scene.width;
      this.canvas.height = scene.height;
    }
    if (this.image?.width !== scene.width || this.image.height !== scene.height) {
      this.image = new ImageData(scene.width, scene.height);
      this.sum = new Float64Array(scene.width * scene.height);
    }
    colorize(exactDensity(this.points, scene, this.sum), this.lut, this.image.data);
    this.canvas.getContext("2d")!.putImageData(this.image, 0, 0);
  }

  /** The straight RGBA of the last frame (exact, not read back from the premultiplied canvas). */
  pixels(): Uint8ClampedArray {
    return this.image?.data ?? new Uint8ClampedArray(0);
  }
}
