// What every contender of the comparison shares: the scene, the Web Mercator projection
// (the world is 512·2^zoom CSS px wide, as in geoheat and MapLibre) and the generated points.

export interface Scene {
  /** CSS pixels; the comparison runs at devicePixelRatio 1, so also device pixels. */
  width: number;
  height: number;
  center: [number, number];
  zoom: number;
  /** Kernel radius in pixels. */
  radius: number;
}

/** geoheat's classic ramp (crate/src/style.rs): offset → RGBA. */
export const CLASSIC_RAMP: Array<[number, [number, number, number, number]]> = [
  [0.0, [0x00, 0x00, 0xff, 0x00]],
  [0.1, [0x41, 0x69, 0xe1, 0xff]],
  [0.3, [0x00, 0xff, 0xff, 0xff]],
  [0.5, [0x00, 0xff, 0x00, 0xff]],
  [0.7, [0xff, 0xff, 0x00, 0xff]],
  [1.0, [0xff, 0x00, 0x00, 0xff]],
];

/** The classic ramp as CSS gradient stops, for the libraries that take those. */
export const CLASSIC_GRADIENT: Record<string, string> = Object.fromEntries(
  CLASSIC_RAMP.map(([offset, [r, g, b, a]]) => [String(offset), `rgba(${r},${g},${b},${a / 255})`]),
);

const MAX_LATITUDE = 85.05112877980659;

/** Longitude/latitude in degrees to world coordinates in [0, 1] (y down), as geoheat projects. */
export function toWorld(lon: number, lat: number): [number, number] {
  const phi = (Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI) / 180;
  return [(lon + 180) / 360, (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2];
}

/** Projected points: world x/y (f64) and weights, the form the JS baselines keep between frames. */
export interface WorldPoints {
  xy: Float64Array;
  w: Float32Array;
  maxWeight: number;
}

/** Projects `[lon, lat, weight]` triples once, as a page would on load. */
export function projectAll(triples: Float64Array): WorldPoints {
  const n = triples.length / 3;
  const xy = new Float64Array(2 * n);
  const w = new Float32Array(n);
  let maxWeight = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = toWorld(triples[3 * i], triples[3 * i + 1]);
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    w[i] = triples[3 * i + 2];
    maxWeight = Math.max(maxWeight, w[i]);
  }
  return { xy, w, maxWeight };
}

/** The affine map from world coordinates to pixels of `scene`: pixel = world · scale + offset. */
export function pixelTransform(scene: Scene): { scale: number; ox: number; oy: number } {
  const [cx, cy] = toWorld(scene.center[0], scene.center[1]);
  const scale = 512 * 2 ** scene.zoom;
  return { scale, ox: scene.width / 2 - cx * scale, oy: scene.height / 2 - cy * scale };
}

/**
 * Calls `visit(x, y, w)` with the pixel position of each point whose kernel can reach the
 * canvas (within `margin` px of it), so no baseline pays for points far off screen.
 */
export function forEachVisible(points: WorldPoints, scene: Scene, margin: number, visit: (x: number, y: number, w: number) => void): void {
  const { scale, ox, oy } = pixelTransform(scene);
  const { xy, w } = points;
  const [x1, y1] = [scene.width + margin, scene.height + margin];
  for (let i = 0, n = w.length; i < n; i++) {
    const x = xy[2 * i] * scale + ox;
    const y = xy[2 * i + 1] * scale + oy;
    if (x >= -margin && x <= x1 && y >= -margin && y <= y1) visit(x, y, w[i]);
  }
}

/**
 * `n` points in Gaussian clusters around 12 centres over Europe, weights in [0.5, 1.5), from a
 * fixed seed: the same points on every run (the idea of bench/browser.mjs).
 */
export function clusteredPoints(n: number, seed = 12345): Float64Array {
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: 12 }, () => [-5 + 30 * rand(), 38 + 17 * rand(), 0.3 + 2 * rand()]);
  const triples = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const [lon, lat, spread] = centres[i % centres.length];
    triples[3 * i] = lon + spread * gauss();
    triples[3 * i + 1] = Math.max(-80, Math.min(80, lat + spread * 0.6 * gauss()));
    triples[3 * i + 2] = 0.5 + rand();
  }
  return triples;
}

/**
 * A GeoJSON FeatureCollection of `n` clustered Point features with a `mag` property, as UTF-8
 * bytes (about 105 bytes a feature), for the ingest comparison.
 */
export function clusteredGeoJSON(n: number): Uint8Array {
  const triples = clusteredPoints(n, 777);
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [encoder.encode('{"type":"FeatureCollection","features":[\n')];
  let total = parts[0].length;
  const batch: string[] = [];
  const flush = () => {
    const bytes = encoder.encode(batch.join(""));
    parts.push(bytes);
    total += bytes.length;
    batch.length = 0;
  };
  for (let i = 0; i < n; i++) {
    batch.push(
      `${i ? ",\n" : ""}{"type":"Feature","properties":{"mag":${triples[3 * i + 2].toFixed(3)}},` +
        `"geometry":{"type":"Point","coordinates":[${triples[3 * i].toFixed(6)},${triples[3 * i + 1].toFixed(6)}]}}`,
    );
    if (batch.length === 10000) flush();
  }
  batch.push("\n]}\n");
  flush();
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
