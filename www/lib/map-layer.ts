// What the map adapters (maplibre.ts, leaflet.ts, openlayers.ts) share: a heatmap without input on
// a canvas of its own, never in the map's DOM, drawn when the map draws, for a piece of ground that
// the map chooses. The map library owns input, size, pixel ratio and the frame loop; the adapter
// turns its camera into a `Ground` and puts the canvas on screen.

import { Heatmap } from "./index.js";
import type {
  FilterExpression, GeoJSONData, LayerInfo, LayerOptions, LayerUpdate, Legend, LoadOptions, LoadReport, PlayOptions, StyleOptions, TimeValue, WeightExpression,
} from "../pkg/geoheat.js";
import type { HeatmapEventName, HeatmapEvents } from "./proxy.js";

/** Earth's circumference at the equator in metres (Web Mercator's sphere). */
const EARTH_CIRCUMFERENCE_M = 2 * Math.PI * 6378137;
/** CSS pixels across the world at zoom 0 (geoheat's and MapLibre's convention). */
const WORLD_PX = 512;
/** Web Mercator's latitude limit. */
const MAX_LATITUDE = 85.051129;

/**
 * A north-up rectangle of ground drawn into the heat canvas: its centre, the zoom (the world is
 * 512 · 2^zoom CSS pixels wide), its size in CSS pixels at that zoom and the device pixels per
 * CSS pixel. The canvas covers exactly this rectangle, so a map can place it by its corners.
 */
export interface Ground {
  center: [number, number];
  zoom: number;
  width: number;
  height: number;
  pixelRatio: number;
}

/** Options every adapter takes: the style, how data loads, and the backend. */
export interface MapHeatOptions extends StyleOptions, MapLoadOptions {
  /**
   * "canvas2d" (default on a map): the heat is rendered in the map's own frame. "webgpu" / "auto":
   * custom WGSL layers run; a frame reaches the map when the GPU has drawn it, placed on the
   * ground it was drawn for.
   */
  backend?: "auto" | "webgpu" | "canvas2d";
}

/** How data loads on a map: the load options but the view's, which the map decides. */
export type MapLoadOptions = Omit<LoadOptions, "fitBounds" | "padding">;

/**
 * Every member of `MapLoadOptions`, so that an option added to the load reaches the heatmap from
 * every adapter (a member missing here fails to compile rather than passing as a style option).
 */
const LOAD_KEY_SET: Record<keyof MapLoadOptions, true> = {
  weightProperty: true, defaultWeight: true, invalidWeight: true, outOfRange: true, linesAndPolygons: true, maxPoints: true, properties: true, timeProperty: true,
};
export const LOAD_KEYS = Object.keys(LOAD_KEY_SET) as Array<keyof MapLoadOptions>;

/** `options` split into how data loads (the members present) and everything else. */
export function splitLoadOptions<T extends MapLoadOptions>(options: T): { load: MapLoadOptions; rest: Omit<T, keyof MapLoadOptions> } {
  const load: Record<string, unknown> = {};
  const rest: Record<string, unknown> = { ...options };
  for (const key of LOAD_KEYS) {
    if (options[key] !== undefined) load[key] = options[key];
    delete rest[key];
  }
  return { load: load as MapLoadOptions, rest: rest as Omit<T, keyof MapLoadOptions> };
}

/**
 * Gives a canvas's pixels back at once. A canvas's backing store is otherwise freed only when the
 * element is collected, so a map whose layers come and go holds every old one until then (Safari
 * refuses new canvases past its total canvas memory; Chromium's compositor holds shared memory).
 */
export function releaseCanvas(canvas: HTMLCanvasElement | OffscreenCanvas): void {
  canvas.width = 0;
  canvas.height = 0;
}

/** What `draw` hands the adapter: the canvas and the ground it shows. */
export interface DrawnHeat {
  canvas: HTMLCanvasElement | OffscreenCanvas;
  ground: Ground;
  /** False while a WebGPU frame for a newer ground is still being drawn. */
  current: boolean;
}

/** Web Mercator world coordinates (the world is 1 × 1, y down) of a longitude/latitude. */
export function lngLatToWorld([lng, lat]: readonly [number, number]): [number, number] {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  const y = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
  return [(lng + 180) / 360, y];
}

/** The longitude/latitude of Web Mercator world coordinates. */
export function worldToLngLat([x, y]: readonly [number, number]): [number, number] {
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
  return [x * 360 - 180, lat];
}

/** geoheat's zoom for a map resolution in metres per CSS pixel at the equator (OpenLayers' view). */
export function zoomOfResolution(metresPerPixel: number): number {
  return Math.log2(EARTH_CIRCUMFERENCE_M / (WORLD_PX * metresPerPixel));
}

/** The world coordinates of the ground's corners: [west, north] and [east, south]. */
export function groundCorners(ground: Ground): [[number, number], [number, number]] {
  const scale = WORLD_PX * 2 ** ground.zoom;
  const [cx, cy] = lngLatToWorld(ground.center);
  const halfWidth = ground.width / 2 / scale;
  const halfHeight = ground.height / 2 / scale;
  return [
    [cx - halfWidth, cy - halfHeight],
    [cx + halfWidth, cy + halfHeight],
  ];
}

/**
 * The ground covering world rectangle [west, north]–[east, south] at `zoom`: whole CSS pixels (the
 * heatmap's size is in whole pixels), centred on the rectangle, no larger than `maxDevicePixels`
 * along either side (the pixel ratio drops instead, so the kernel keeps its size on the ground).
 */
export function groundFor(
  [[west, north], [east, south]]: [[number, number], [number, number]],
  zoom: number,
  pixelRatio: number,
  maxDevicePixels = 4096,
): Ground {
  const scale = WORLD_PX * 2 ** zoom;
  const width = Math.max(1, Math.ceil((east - west) * scale));
  const height = Math.max(1, Math.ceil((south - north) * scale));
  const ratio = Math.max(0.25, Math.min(pixelRatio, maxDevicePixels / width, maxDevicePixels / height));
  const center = worldToLngLat([(west + east) / 2, (north + south) / 2]);
  return { center, zoom, width, height, pixelRatio: ratio };
}

function sameGround(a: Ground | undefined, b: Ground): boolean {
  return (
    a !== undefined &&
    a.center[0] === b.center[0] &&
    a.center[1] === b.center[1] &&
    a.zoom === b.zoom &&
    a.width === b.width &&
    a.height === b.height &&
    a.pixelRatio === b.pixelRatio
  );
}

/** A heatmap drawn for the ground a map asks for. */
export class MapHeat {
  readonly heatmap: Heatmap;
  /** The ground asked for last. */
  #asked: Ground | undefined;
  /** The ground the canvas shows. */
  #shown: Ground | undefined;
  /** The ground of the WebGPU frame in flight, if one is. */
  #drawing: Ground | undefined;
  #loadOptions: LoadOptions;
  #onFrame: () => void;

  private constructor(heatmap: Heatmap, loadOptions: LoadOptions, onFrame: () => void) {
    this.heatmap = heatmap;
    this.#loadOptions = loadOptions;
    this.#onFrame = onFrame;
    // `play` moves the window on the heatmap's own animation frames: the map must draw them.
    heatmap.on("time", () => this.#onFrame());
    heatmap.on("frame", () => {
      // On WebGPU a frame arrives after `draw` returned: the map must draw again to show it.
      if (this.heatmap.backend === "webgpu") {
        this.#shown = this.#drawing ?? this.#asked;
        this.#drawing = undefined;
        this.#onFrame();
      }
    });
  }

  /**
   * A heatmap on a new `OffscreenCanvas`; `onFrame` is called when a frame drawn outside the
   * map's own frame (WebGPU) is ready to be shown.
   */
  static async create(options: MapHeatOptions, onFrame: () => void): Promise<MapHeat> {
    const { load, rest } = splitLoadOptions(options);
    const { backend = "canvas2d", ...style } = rest;
    const heatmap = await Heatmap.create(new OffscreenCanvas(1, 1), { ...style, backend, interactive: false, center: [0, 0], zoom: 0 });
    // A fall back from WebGPU needs a canvas that never had a WebGPU context.
    heatmap.setCanvasProvider(() => new OffscreenCanvas(1, 1));
    return new MapHeat(heatmap, load, onFrame);
  }

  /** Loads data (any `GeoJSONData`); the map's view is kept (no fit). */
  setData(data: GeoJSONData, options?: LoadOptions): Promise<LoadReport> {
    return this.heatmap.setData(data, { ...this.#loadOptions, ...options, fitBounds: false });
  }

  setStyle(style: StyleOptions): void {
    this.heatmap.setStyle(style);
  }

  addLayer(options: LayerOptions): Promise<LayerInfo> {
    return this.heatmap.addLayer(options);
  }

  /** See the page Heatmap's `setWeight`: the kept properties weigh the points; null restores the load's weight. */
  setWeight(expr: WeightExpression | null): void {
    this.heatmap.setWeight(expr);
  }

  setFilter(expr: FilterExpression | null): void {
    this.heatmap.setFilter(expr);
  }

  setTimeWindow(window: [TimeValue, TimeValue] | null): void {
    this.heatmap.setTimeWindow(window);
  }

  play(options?: PlayOptions): void {
    this.heatmap.play(options);
  }

  pause(): void {
    this.heatmap.pause();
  }

  updateLayer(name: string, update: LayerUpdate): Promise<LayerInfo> {
    return this.heatmap.updateLayer(name, update);
  }

  removeLayer(name: string): void {
    this.heatmap.removeLayer(name);
  }

  legend(): Legend {
    return this.heatmap.legend();
  }

  on<E extends HeatmapEventName>(event: E, callback: (payload: HeatmapEvents[E]) => void): void {
    this.heatmap.on(event, callback);
  }

  off<E extends HeatmapEventName>(event: E, callback: (payload: HeatmapEvents[E]) => void): void {
    this.heatmap.off(event, callback);
  }

  /**
   * Draws the heat for `ground` now (Canvas 2D: before this returns) and hands back the canvas
   * with the ground it shows, or null when nothing has been drawn yet.
   */
  draw(ground: Ground): DrawnHeat | null {
    if (!sameGround(this.#asked, ground)) {
      this.heatmap.setSize(ground.width, ground.height, ground.pixelRatio);
      this.heatmap.setView({ center: ground.center, zoom: ground.zoom });
      this.#asked = ground;
    }
    const wasDrawing = this.#drawing !== undefined;
    const current = this.heatmap.renderNow();
    if (current) {
      this.#shown = ground;
    } else if (!wasDrawing && this.heatmap.backend === "webgpu") {
      this.#drawing = ground;
    }
    if (this.#shown === undefined) return null;
    return { canvas: this.heatmap.canvas, ground: this.#shown, current };
  }

  /**
   * The value (before normalisation: `legend().max` is the value at the ramp's top) at a
   * longitude/latitude, the density or, with `aggregation: "mean"`, the mean weight; null
   * outside the ground drawn or before the first frame.
   */
  valueAtLngLat(lngLat: readonly [number, number]): number | null {
    const ground = this.#shown;
    if (ground === undefined) return null;
    const [[west, north]] = groundCorners(ground);
    const scale = WORLD_PX * 2 ** ground.zoom;
    const [x, y] = lngLatToWorld(lngLat);
    return this.heatmap.valueAt((x - west) * scale, (y - north) * scale) ?? null;
  }

  /**
   * Frees the heatmap (its wasm memory, canvas and listeners) now. The heatmap is the adapter's,
   * so it is freed whole: the object too, rather than when it is collected, since wasm memory
   * that small leftovers split cannot take the next layer's pixels and grows instead.
   */
  destroy(): void {
    const canvas = this.heatmap.canvas;
    this.heatmap.destroy();
    // Its own canvas, or the one that replaced it on a fall back: either is the adapter's.
    releaseCanvas(canvas);
    this.heatmap.free();
    this.#asked = this.#shown = this.#drawing = undefined;
  }
}
