// geoheat/maplibre: a heatmap as a MapLibre GL JS custom layer. Each frame MapLibre renders, the
// heat is drawn for the ground in view (Canvas 2D: in that same frame), copied into a texture and
// drawn as a quad at that ground's corners through MapLibre's matrix, in the map's layer order.
// maplibre-gl is a peer dependency: only its types are imported here.

import type { CustomLayerInterface } from "maplibre-gl";
import { GeoheatError } from "./errors.js";
import { MapHeat, splitLoadOptions, groundCorners, groundFor, lngLatToWorld, type Ground, type MapHeatOptions } from "./map-layer.js";
import { GroundQuad } from "./maplibre-gl-quad.js";
import { dependsOnZoom, evaluatePaint, weightExpression, type HeatmapPaint, type HeatmapPaintName, type PaintResult } from "./maplibre-paint.js";
import type {
  FilterExpression, GeoJSONData, LayerInfo, LayerOptions, LayerUpdate, Legend, LoadOptions, LoadReport, PlayOptions, StyleOptions, TimeValue, WeightExpression,
} from "../pkg/geoheat.js";
import type { HeatmapEventName, HeatmapEvents } from "./proxy.js";

export { MAPLIBRE_NORMALIZE, type HeatmapPaint, type HeatmapPaintName, type Expression } from "./maplibre-paint.js";
// The types this module's API shows, so that a user can name them from "geoheat/maplibre".
export type { DrawnHeat, Ground, MapHeat, MapHeatOptions, MapLoadOptions } from "./map-layer.js";
export type {
  FilterExpression, GeoJSONData, LayerInfo, LayerOptions, LayerUpdate, Legend, LoadOptions, LoadReport, PlayOptions, StyleOptions, TimeValue, WeightExpression,
} from "../pkg/geoheat.js";
export type { HeatmapEventName, HeatmapEvents } from "./proxy.js";

/** The WebGL context MapLibre draws with. */
export type GL = WebGLRenderingContext | WebGL2RenderingContext;
/** A longitude/latitude as MapLibre takes it: `[lng, lat]` or `{ lng, lat }`. */
export type LngLatLike = [number, number] | { lng: number; lat: number };

/**
 * The part of a MapLibre `Map` the layer uses (maplibre-gl 4 and 5 both have it): the layer
 * works with any map that has these.
 */
export interface MapLike {
  getZoom(): number;
  getPixelRatio(): number;
  getCanvas(): HTMLCanvasElement;
  getCenter(): { lng: number; lat: number };
  unproject(point: [number, number]): { lng: number; lat: number };
  triggerRepaint(): void;
}

/** MapLibre 5 passes an object with the matrices; MapLibre 4 the matrix itself. */
export type RenderArgument = ArrayLike<number> | { defaultProjectionData?: { mainMatrix: ArrayLike<number>; projectionTransition?: number } };

export interface GeoheatLayerOptions extends MapHeatOptions {
  /** The layer's id in the map's style. */
  id: string;
  /** Loaded when the layer is added (any `GeoJSONData`: a URL, an object, a Blob, a stream…). */
  data?: GeoJSONData;
  /**
   * MapLibre heatmap paint (`heatmap-radius`, `-weight`, `-intensity`, `-color`, `-opacity`), as on
   * a `type: "heatmap"` layer. With it, left-out properties take MapLibre's defaults and the
   * density is on MapLibre's scale (`normalize: MAPLIBRE_NORMALIZE`); geoheat's own style options
   * given next to it win over what the paint sets.
   */
  paint?: HeatmapPaint;
  /** Failures outside a returned Promise (the first load, a zoom-dependent paint); default `console.error`. */
  onError?: (error: unknown) => void;
}

/** The map's north-up world rectangle in view: the viewport's corners, unprojected, bounded. */
function groundInView(map: MapLike): [[number, number], [number, number]] {
  const canvas = map.getCanvas();
  const [width, height] = [canvas.clientWidth || canvas.width / map.getPixelRatio(), canvas.clientHeight || canvas.height / map.getPixelRatio()];
  const center = map.getCenter();
  const [cx] = lngLatToWorld([center.lng, center.lat]);
  const scale = 512 * 2 ** map.getZoom();
  const xs: number[] = [];
  const ys: number[] = [];
  for (const point of [[0, 0], [width, 0], [0, height], [width, height]] as Array<[number, number]>) {
    const { lng, lat } = map.unproject(point);
    let [x, y] = lngLatToWorld([lng, lat]);
    // Longitudes come back wrapped: put each corner on the world copy next to the centre.
    x -= Math.round(x - cx);
    xs.push(x);
    ys.push(y);
  }
  // Pitched towards the horizon, the far corners lie very far away: heat there is a few pixels
  // high on screen, so the ground is cut at a few viewports from the centre (its resolution
  // would otherwise drop for the whole view, see groundFor's maxDevicePixels).
  const reach = (4 * Math.max(width, height)) / scale;
  const [, cy] = lngLatToWorld([center.lng, center.lat]);
  const west = Math.max(Math.min(...xs), cx - reach);
  const east = Math.min(Math.max(...xs), cx + reach);
  // No heat beyond the poles of Web Mercator (and groundFor's centre must stay inside them).
  const north = Math.max(Math.min(...ys), cy - reach, 0);
  const south = Math.min(Math.max(...ys), cy + reach, 1);
  return [
    [west, north],
    [east, south],
  ];
}

/**
 * A geoheat heatmap as a MapLibre custom layer:
 * `map.addLayer(new GeoheatLayer({ id: "heat", data, paint: { "heatmap-radius": 20 } }), "labels")`.
 *
 * Web Mercator only: on the globe projection the layer draws nothing. Input, size and pixel ratio
 * stay with the map. Canvas 2D (the default) draws in the frame MapLibre renders; with
 * `backend: "webgpu"` (custom WGSL layers) a frame shows when the GPU has drawn it, placed on the
 * ground it was drawn for.
 */
export class GeoheatLayer implements CustomLayerInterface {
  readonly id: string;
  readonly type = "custom" as const;
  readonly renderingMode = "2d" as const;
  #options: Omit<GeoheatLayerOptions, "id" | "data" | "paint" | "onError">;
  #paint: HeatmapPaint | undefined;
  /** The style and weight the paint gave at the zoom last evaluated (JSON, to see changes). */
  #applied: { zoom: number; style: string; weight: string } | undefined;
  #data: GeoJSONData | undefined;
  #loadOptions: LoadOptions = {};
  /** The properties kept by the last load: a paint weight over one of them needs no new load. */
  #kept: readonly string[] = [];
  #onError: (error: unknown) => void;
  #map: MapLike | undefined;
  #quad: GroundQuad | undefined;
  #heat: MapHeat | undefined;
  #created: Promise<MapHeat> | undefined;
  /** Frames the heatmap has rendered, and how many of them are in the texture. */
  #frames = 0;
  #uploaded = -1;
  #warnedGlobe = false;

  constructor({ id, data, paint, onError, ...options }: GeoheatLayerOptions) {
    if (typeof id !== "string" || id === "") throw new GeoheatError("GeoheatLayer needs an id (a non-empty string)", { code: "INVALID_OPTION", option: "id" });
    this.id = id;
    this.#options = options;
    this.#data = data;
    this.#onError = onError ?? ((error) => console.error(error));
    if (paint !== undefined) {
      // Errors in the paint show here, not in a frame.
      evaluatePaint(paint, 0);
      this.#paint = { ...paint };
    }
  }

  /** The heat style for `zoom`: the paint's (when there is one) under geoheat's own options. */
  #styleAt(zoom: number): { style: StyleOptions; weight: PaintResult["weight"] | undefined } {
    const { backend: _backend, ...own } = splitLoadOptions(this.#options).rest;
    if (this.#paint === undefined) return { style: own, weight: undefined };
    const { style, weight } = evaluatePaint(this.#paint, zoom);
    return { style: { ...style, ...own }, weight };
  }

  /** Called by MapLibre when the layer is added to `map` (`map.addLayer`): creates the heatmap. */
  onAdd(map: MapLike, gl: GL): void {
    this.#map = map;
    this.#quad = new GroundQuad(gl);
    const { style, weight } = this.#styleAt(map.getZoom());
    // The paint's weight is applied with setWeight after each load (see `setData`).
    this.#created = MapHeat.create({ ...this.#options, ...style }, () => this.#map?.triggerRepaint());
    this.#applied = { zoom: map.getZoom(), style: JSON.stringify(style), weight: JSON.stringify(weight) };
    const created = this.#created;
    created
      .then(async (heat) => {
        if (this.#created !== created) {
          heat.destroy(); // removed while it was being created
          return;
        }
        this.#heat = heat;
        heat.on("frame", () => this.#frames++);
        map.triggerRepaint();
        if (this.#data !== undefined) await this.setData(this.#data, this.#loadOptions);
      })
      .catch(this.#onError);
  }

  /**
   * Called by MapLibre when the layer is removed (`map.removeLayer`): frees the heatmap and
   * its GL objects.
   */
  onRemove(): void {
    this.#quad?.destroy();
    this.#heat?.destroy();
    this.#quad = this.#heat = this.#created = this.#map = this.#applied = undefined;
    this.#uploaded = -1;
  }

  /** Resolves once the heatmap exists (after `map.addLayer`); rejects when it cannot be created. */
  async ready(): Promise<MapHeat> {
    if (this.#created === undefined) throw new GeoheatError(`GeoheatLayer "${this.id}" is not on a map`, { code: "NOT_ADDED" });
    return this.#created;
  }

  /**
   * Applies the style for `zoom` when it differs from what was applied: zoom-dependent paint as
   * the zoom changes, everything after `setOptions`/`setPaintProperty` (`force`). A changed
   * weight is set on the kept columns without loading again (see `#reweigh`).
   */
  #restyle(heat: MapHeat, zoom: number, force = false): void {
    const applied = this.#applied;
    if (!applied || (!force && (applied.zoom === zoom || this.#paint === undefined || !dependsOnZoom(this.#paint)))) return;
    const { style, weight } = this.#styleAt(zoom);
    const [styleJson, weightJson] = [JSON.stringify(style), JSON.stringify(weight)];
    if (styleJson !== applied.style) heat.setStyle(style);
    this.#applied = { zoom, style: styleJson, weight: weightJson };
    if (weightJson !== applied.weight && this.#data !== undefined && weight !== undefined) this.#reweigh(heat, weight);
  }

  /**
   * Weighs the loaded points as the paint's `heatmap-weight` says: a number, or a property that
   * the last load kept, by `setWeight` (no fetch, no parse); a property it did not keep by
   * loading again, keeping it.
   */
  #reweigh(heat: MapHeat, weight: PaintResult["weight"]): void {
    const { weightProperty, defaultWeight } = this.#loadOptions;
    // A weight the caller gave with the data wins over the paint's, as in the load.
    if (weightProperty !== undefined || defaultWeight !== undefined) return;
    if (weight.weightProperty !== undefined && !this.#kept.includes(weight.weightProperty)) {
      if (this.#data !== undefined) this.setData(this.#data, this.#loadOptions).catch(this.#onError);
      return;
    }
    try {
      heat.setWeight(weightExpression(weight));
    } catch (error) {
      this.#onError(error);
    }
  }

  render(_gl: GL, argument: RenderArgument): void {
    const [map, heat, quad] = [this.#map, this.#heat, this.#quad];
    if (!map || !heat || !quad) return;
    const matrix = "defaultProjectionData" in argument ? argument.defaultProjectionData?.mainMatrix : (argument as ArrayLike<number>);
    const globe = "defaultProjectionData" in argument && (argument.defaultProjectionData?.projectionTransition ?? 0) > 0;
    if (matrix === undefined || globe) {
      if (!this.#warnedGlobe) console.warn(`GeoheatLayer "${this.id}" draws on Web Mercator only, not on the globe`);
      this.#warnedGlobe = true;
      return;
    }
    try {
      this.#restyle(heat, map.getZoom());
      const ground: Ground = groundFor(groundInView(map), map.getZoom(), map.getPixelRatio(), Math.min(4096, quad.maxTextureSize));
      const drawn = heat.draw(ground);
      if (drawn === null) return;
      if (this.#uploaded !== this.#frames) {
        quad.upload(drawn.canvas);
        this.#uploaded = this.#frames;
      }
      quad.draw(matrix, groundCorners(drawn.ground));
    } catch (error) {
      this.#onError(error);
    }
  }

  /** Loads data in place of what is there; the map's view is kept. */
  async setData(data: GeoJSONData, options: LoadOptions = {}): Promise<LoadReport> {
    const previous = { data: this.#data, options: this.#loadOptions };
    this.#data = data;
    this.#loadOptions = options;
    const heat = await this.ready();
    const load = this.#paintLoad(options);
    try {
      const report = await heat.setData(data, load);
      this.#kept = load.properties ?? [];
      if (this.#paint !== undefined) this.#reweigh(heat, evaluatePaint(this.#paint, this.#map?.getZoom() ?? 0).weight);
      this.#map?.triggerRepaint();
      return report;
    } catch (error) {
      // The heatmap kept the data it had; so does the layer, so that a later load (a changed
      // weight, added to a map again) loads what the map shows rather than what was refused.
      if (this.#data === data && this.#loadOptions === options) [this.#data, this.#loadOptions] = [previous.data, previous.options];
      throw error;
    }
  }

  /**
   * The load options for `options`. With a paint, the property of its `heatmap-weight` is kept as
   * a column (weighed by `#reweigh`, so a new weight needs no new load), and features whose
   * weight is negative or not a number are left out, as MapLibre draws nothing for them, unless
   * the options say otherwise.
   */
  #paintLoad(options: LoadOptions): LoadOptions {
    if (this.#paint === undefined) return options;
    const property = evaluatePaint(this.#paint, this.#map?.getZoom() ?? 0).weight.weightProperty;
    const properties = [...(options.properties ?? this.#options.properties ?? [])];
    if (property !== undefined && !properties.includes(property)) properties.push(property);
    return { invalidWeight: this.#options.invalidWeight ?? "skip", ...options, properties };
  }

  /** Changes geoheat style options (radius, colorRamp, normalize, …); they win over the paint. */
  setOptions(options: StyleOptions): void {
    this.#options = { ...this.#options, ...options };
    this.#restyled();
  }

  /**
   * Sets one MapLibre heatmap paint property (`undefined` returns it to MapLibre's default), as
   * `map.setPaintProperty` does for a `type: "heatmap"` layer. A new `heatmap-weight` (a number,
   * or `["get", property]` of a property the load kept) changes the weight without loading again.
   */
  setPaintProperty<N extends HeatmapPaintName>(name: N, value: HeatmapPaint[N] | undefined): void {
    const paint: HeatmapPaint = { ...this.#paint, [name]: value };
    if (value === undefined) delete paint[name];
    evaluatePaint(paint, this.#map?.getZoom() ?? 0);
    this.#paint = paint;
    this.#restyled();
  }

  /** The paint properties set (a copy). */
  getPaint(): HeatmapPaint {
    return { ...this.#paint };
  }

  #restyled(): void {
    if (!this.#heat || !this.#map) return;
    this.#restyle(this.#heat, this.#map.getZoom(), true);
    this.#map.triggerRepaint();
  }

  /**
   * The heat at a longitude/latitude, or at a map pixel given as `{x, y}` (CSS px from the map's
   * top left): the value (density, or mean weight with `aggregation: "mean"`) over the one the
   * ramp's top stands for (`legend().max`), so 0..1
   * along the ramp and above 1 where it saturates; with a paint, MapLibre's `heatmap-density`.
   * Null where nothing is drawn yet or outside the ground drawn.
   */
  valueAt(at: LngLatLike | { x: number; y: number }): number | null {
    const map = this.#map;
    if (!map || !this.#heat) return null;
    let lngLat: [number, number];
    if (Array.isArray(at)) lngLat = at;
    else if ("lng" in at) lngLat = [at.lng, at.lat];
    else {
      const { lng, lat } = map.unproject([at.x, at.y]);
      lngLat = [lng, lat];
    }
    // MapLibre wraps longitudes; the ground drawn is on the world copy of the map's centre.
    const centerLng = map.getCenter().lng;
    lngLat = [lngLat[0] + 360 * Math.round((centerLng - lngLat[0]) / 360), lngLat[1]];
    const density = this.#heat.valueAtLngLat(lngLat);
    const max = this.#heat.legend().max;
    return density === null || max === null ? null : density / max;
  }

  /** The colour ramp and the values it spans (`label`: density, or mean weight). */
  async legend(): Promise<Legend> {
    return (await this.ready()).legend();
  }

  /** Adds a layer to the heatmap's own stack (contours, points, custom WGSL). */
  async addLayer(options: LayerOptions): Promise<LayerInfo> {
    const info = await (await this.ready()).addLayer(options);
    this.#map?.triggerRepaint();
    return info;
  }

  async updateLayer(name: string, update: LayerUpdate): Promise<void> {
    await (await this.ready()).updateLayer(name, update);
    this.#map?.triggerRepaint();
  }

  async removeLayer(name: string): Promise<void> {
    (await this.ready()).removeLayer(name);
    this.#map?.triggerRepaint();
  }

  /**
   * Weights the heat by an expression over the kept `properties` (`"mag"`, `["get", "mag"]`,
   * arithmetic), or as loaded for null, without loading again (see `Heatmap.setWeight`).
   */
  async setWeight(expr: WeightExpression | null): Promise<void> {
    (await this.ready()).setWeight(expr);
    this.#map?.triggerRepaint();
  }

  /** Draws only the points that pass a filter (MapLibre's expressions), or all for null. */
  async setFilter(expr: FilterExpression | null): Promise<void> {
    (await this.ready()).setFilter(expr);
    this.#map?.triggerRepaint();
  }

  /** Draws only the points whose `timeProperty` is in `[t0, t1)`, or all for null; stops `play`. */
  async setTimeWindow(window: [TimeValue, TimeValue] | null): Promise<void> {
    (await this.ready()).setTimeWindow(window);
    this.#map?.triggerRepaint();
  }

  /** Moves the time window on animation frames; the heatmap emits "time" events and the map draws each. */
  async play(options?: PlayOptions): Promise<void> {
    (await this.ready()).play(options);
  }

  async pause(): Promise<void> {
    (await this.ready()).pause();
  }

  /** The heatmap's layers, bottom to top. */
  async layers(): Promise<LayerInfo[]> {
    return (await this.ready()).heatmap.layers();
  }

  /** Listens to the heatmap's events ("frame", "progress", "layer", "error", "backend"). */
  async on<E extends HeatmapEventName>(event: E, callback: (payload: HeatmapEvents[E]) => void): Promise<void> {
    (await this.ready()).on(event, callback);
  }

  async off<E extends HeatmapEventName>(event: E, callback: (payload: HeatmapEvents[E]) => void): Promise<void> {
    (await this.ready()).off(event, callback);
  }
}
