// The page side of bench/compare.mjs (www/baselines/index.html): builds scenes, runs one step of
// one contender per call, so that the Node side can alternate contenders and read memory between
// steps. Everything is on `window.compare`.
import init, { Heatmap } from "../../pkg/geoheat.js";
import { CONTENDERS, type Contender, type ContenderId, type Picture } from "./contenders.js";
import { type Scene, clusteredGeoJSON, clusteredPoints } from "./scene.js";

const wasm = await init();
const host = document.getElementById("canvases")!;
const live = new Map<ContenderId, Contender>();
let triples: Float64Array = new Float64Array(0);

/** Base64 of bytes, in slices (String.fromCharCode takes a bounded number of arguments). */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Reads `[lon, lat, weight]` from a GeoJSON FeatureCollection of Points, leaving out negative weights. */
function triplesOf(collection: { features: Array<{ geometry: { coordinates: number[] } | null; properties: Record<string, unknown> | null }> }, weightProperty: string): Float64Array {
  const out: number[] = [];
  for (const f of collection.features) {
    const w = f.properties?.[weightProperty];
    if (f.geometry && typeof w === "number" && w >= 0) out.push(f.geometry.coordinates[0], f.geometry.coordinates[1], w);
  }
  return Float64Array.from(out);
}

const api = {
  /** Prepares the points of a scenario: generated clusters, or a GeoJSON file under www/. */
  async points(source: { clusters: number } | { url: string; weightProperty: string }): Promise<number> {
    triples = "clusters" in source ? clusteredPoints(source.clusters) : triplesOf(await (await fetch(source.url)).json(), source.weightProperty);
    return triples.length / 3;
  },
  async create(id: ContenderId, scene: Scene): Promise<string> {
    live.set(id, await CONTENDERS[id](host, scene));
    return live.get(id)!.name;
  },
  kernel: (id: ContenderId) => live.get(id)!.kernel,
  /** Milliseconds of the data-load step. */
  load(id: ContenderId): number {
    const started = performance.now();
    live.get(id)!.load(triples);
    return performance.now() - started;
  },
  draw: (id: ContenderId, scene: Scene) => live.get(id)!.draw(scene),
  async picture(id: ContenderId): Promise<Omit<Picture, "bytes"> & { base64: string }> {
    const { bytes, ...rest } = await live.get(id)!.picture();
    return { ...rest, base64: base64(bytes) };
  },
  destroyAll(): void {
    for (const c of live.values()) c.destroy();
    live.clear();
  },
  wasmMemoryBytes: () => wasm.memory.buffer.byteLength,

  // Ingest: the same GeoJSON bytes through geoheat's parser and through JSON.parse + a loop.
  ingestBytes: new Uint8Array(0) as Uint8Array,
  kept: undefined as unknown,
  makeGeoJSON(n: number): number {
    api.ingestBytes = clusteredGeoJSON(n);
    return api.ingestBytes.length;
  },
  async ingestGeoheat(): Promise<{ ms: number; points: number }> {
    const canvas = document.createElement("canvas");
    const map = await Heatmap.create(canvas, { interactive: false, backend: "canvas2d" });
    const started = performance.now();
    const report = map.loadGeoJSON(api.ingestBytes, { weightProperty: "mag", fitBounds: false });
    const ms = performance.now() - started;
    api.kept = map;
    return { ms, points: report.points };
  },
  /** JSON.parse into an object tree (kept until `release`, so the caller can measure it). */
  ingestParse(): number {
    const started = performance.now();
    api.kept = JSON.parse(new TextDecoder().decode(api.ingestBytes));
    return performance.now() - started;
  },
  /** The loop from the parsed tree into a packed Float32Array of [lon, lat, mag]. */
  ingestPack(): { ms: number; points: number } {
    const started = performance.now();
    const features = (api.kept as { features: Array<{ geometry: { coordinates: number[] }; properties: { mag: number } }> }).features;
    const packed = new Float32Array(3 * features.length);
    for (let i = 0; i < features.length; i++) {
      const c = features[i].geometry.coordinates;
      packed[3 * i] = c[0];
      packed[3 * i + 1] = c[1];
      packed[3 * i + 2] = features[i].properties.mag;
    }
    const ms = performance.now() - started;
    api.kept = { tree: api.kept, packed };
    return { ms, points: features.length };
  },
  release(): void {
    if (api.kept instanceof Heatmap) api.kept.free();
    api.kept = undefined;
  },
};

(window as unknown as { compare: typeof api }).compare = api;
(window as unknown as { compareReady: boolean }).compareReady = true;
