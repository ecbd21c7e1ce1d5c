// geoheat/openlayers: a heatmap as an OpenLayers (≥ 9) layer with a renderer of its own. In each
// map frame the heat is drawn (MapHeat.draw, synchronously on Canvas 2D) for the north-up ground
// covering the view's extent at the view's resolution, and painted onto the layer's canvas through
// the frame's coordinate-to-pixel transform, which carries the view's rotation.
//
// OpenLayers is a peer dependency, imported from "ol/…" modules: a bundler resolves them to the
// application's copy; a page without one maps "ol/" to the package's folder in an import map.

import Layer from "ol/layer/Layer.js";
import type { FrameState } from "ol/Map.js";
import type { Options as OlLayerOptions } from "ol/layer/Layer.js";
import type { Coordinate } from "ol/coordinate.js";
import { equivalent, get as getProjection, toLonLat } from "ol/proj.js";
import { LayerHeat, type LayerHeatOptions } from "./layer-heat.js";
import { groundCorners, groundFor, releaseCanvas, zoomOfResolution, type MapHeatOptions } from "./map-layer.js";
import type { Heatmap } from "./index.js";
import type {
  FilterExpression, GeoJSONData, LayerInfo, LayerOptions, LayerUpdate, Legend, LoadReport, PlayOptions, TimeValue, WeightExpression,
} from "../pkg/geoheat.js";

export type { LayerHeatOptions } from "./layer-heat.js";
export type { MapLoadOptions } from "./map-layer.js";

/** Web Mercator's world width in metres (EPSG:3857 spans ± half of it). */
const WORLD_M = 2 * Math.PI * 6378137;

/**
 * Options of a `GeoheatLayer`: geoheat's style (its `opacity` is the heat's; OpenLayers' layer
 * opacity is `setOpacity`), how data loads, the backend, and OpenLayers' layer options. Here
 * `properties` is OpenLayers' own (the layer's property bag): name the GeoJSON properties to keep
 * with `setData(data, { properties })` or `setOptions({ properties })`.
 */
export interface GeoheatLayerOptions
  extends Omit<MapHeatOptions, "properties">,
    Pick<OlLayerOptions, "className" | "visible" | "extent" | "zIndex" | "minResolution" | "maxResolution" | "minZoom" | "maxZoom" | "map" | "properties"> {}

/** A density heatmap of GeoJSON points as an OpenLayers layer; the view must be in EPSG:3857. */
export class GeoheatLayer extends Layer {
  readonly #heat: LayerHeat;
  #canvas: HTMLCanvasElement | undefined;

  constructor(data: GeoJSONData, options: GeoheatLayerOptions = {}) {
    const { className, visible, extent, zIndex, minResolution, maxResolution, minZoom, maxZoom, map, properties, ...heatOptions } = options;
    // `map` is set below, once the heat exists (the base constructor would call setMap before).
    super({ className, visible, extent, zIndex, minResolution, maxResolution, minZoom, maxZoom, properties });
    this.#heat = new LayerHeat(data, heatOptions, () => this.changed());
    // Added to a map (map.addLayer, the map's `layers`): the heatmap is made and the data loads;
    // removed (map.removeLayer): the heatmap goes.
    this.addChangeListener("map", () => {
      if (this.getMapInternal() === null) this.#detach();
      else this.#heat.attach();
    });
    if (map !== undefined) this.setMap(map);
  }

  /** Shows the layer on `map` outside its layers (OpenLayers' unmanaged layer), or takes it off. */
  override setMap(map: Parameters<Layer["setMap"]>[0]): void {
    super.setMap(map);
    if (map === null) this.#detach();
    else this.#heat.attach();
  }

  override render(frameState: FrameState | null): HTMLElement | null {
    if (frameState === null) return null;
    const { viewState, extent, size, pixelRatio } = frameState;
    const mercator = getProjection("EPSG:3857");
    if (mercator === null || !equivalent(viewState.projection, mercator)) {
      throw new Error(`geoheat/openlayers: the view's projection is ${viewState.projection.getCode()}; the heat is drawn in Web Mercator (EPSG:3857)`);
    }
    const canvas = (this.#canvas ??= this.#makeCanvas());
    const width = Math.round(size[0] * pixelRatio);
    const height = Math.round(size[1] * pixelRatio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    canvas.style.opacity = String(frameState.layerStatesArray[frameState.layerIndex]?.opacity ?? 1);
    const context = canvas.getContext("2d");
    if (context === null) throw new Error("geoheat/openlayers: no 2D context on the layer's canvas");
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, width, height);
    if (extent === null || width === 0 || height === 0) return canvas;

    // The view's extent is the north-up box around the (possibly rotated) viewport, in metres.
    const toWorldX = (x: number) => x / WORLD_M + 0.5;
    const toWorldY = (y: number) => 0.5 - y / WORLD_M;
    const ground = groundFor(
      [[toWorldX(extent[0]), toWorldY(extent[3])], [toWorldX(extent[2]), toWorldY(extent[1])]],
      zoomOfResolution(viewState.resolution),
      pixelRatio,
    );
    const drawn = this.#heat.draw(ground);
    if (drawn === null) return canvas;

    // The drawn canvas's pixel (u, v) → metres → the frame's CSS pixels → this canvas's pixels:
    // one affine transform, the view's rotation included.
    const [[w, n], [e, s]] = groundCorners(drawn.ground);
    const [a, b, c, d, tx, ty] = frameState.coordinateToPixelTransform;
    const metresPerU = (WORLD_M * (e - w)) / drawn.canvas.width;
    const metresPerV = (WORLD_M * (s - n)) / drawn.canvas.height;
    const left = WORLD_M * (w - 0.5);
    const top = WORLD_M * (0.5 - n);
    context.setTransform(
      pixelRatio * a * metresPerU,
      pixelRatio * b * metresPerU,
      -pixelRatio * c * metresPerV,
      -pixelRatio * d * metresPerV,
      pixelRatio * (a * left + c * top + tx),
      pixelRatio * (b * left + d * top + ty),
    );
    context.imageSmoothingEnabled = true;
    context.drawImage(drawn.canvas, 0, 0);
    return canvas;
  }

  protected override disposeInternal(): void {
    this.#detach();
    super.disposeInternal();
  }

  /** Replaces the data; resolves with the load report on a map, with null off one (it loads on add). */
  setData(data: GeoJSONData, options?: LayerHeatOptions): Promise<LoadReport | null> {
    return this.#heat.setData(data, options);
  }

  /** Changes the style and how data loads (the data loads again); members left out are kept. */
  setOptions(options: LayerHeatOptions): this {
    this.#heat.setOptions(options);
    return this;
  }

  /** The load of the current data; rejects when the layer is not on a map or the data is invalid. */
  loaded(): Promise<LoadReport> {
    return this.#heat.loaded();
  }

  /** The normalised heat (0..1) at a coordinate of the view (EPSG:3857), or null where there is none. */
  valueAt(coordinate: Coordinate): number | null {
    const [lng, lat] = toLonLat(coordinate);
    return this.#heat.valueAt([lng, lat]);
  }

  /** The colour ramp and the values it spans (`label`: density, or mean weight); null while the layer is not on a map. */
  legend(): Legend | null {
    return this.#heat.legend();
  }

  /** The heatmap while the layer is on a map (stats, events, snapshot); made on add. */
  get heatmap(): Heatmap | undefined {
    return this.#heat.heat?.heatmap;
  }

  /** Adds a heatmap layer (contours, points, custom WGSL) to the heat; the layer must be on a map. */
  addHeatmapLayer(options: LayerOptions): Promise<LayerInfo> {
    return this.#heat.addLayer(options);
  }

  updateHeatmapLayer(name: string, update: LayerUpdate): Promise<void> {
    return this.#heat.updateLayer(name, update);
  }

  removeHeatmapLayer(name: string): Promise<void> {
    return this.#heat.removeLayer(name);
  }

  /** Weights the heat by an expression over the kept `properties`, or as loaded for null (see `Heatmap.setWeight`); on a map. */
  setWeight(expr: WeightExpression | null): Promise<void> {
    return this.#heat.select((heat) => heat.setWeight(expr));
  }

  /** Draws only the points that pass a MapLibre-style filter, or all for null; on a map. */
  setFilter(expr: FilterExpression | null): Promise<void> {
    return this.#heat.select((heat) => heat.setFilter(expr));
  }

  /** Draws only the points whose `timeProperty` is in `[t0, t1)`, or all for null; stops `play`. */
  setTimeWindow(window: [TimeValue, TimeValue] | null): Promise<void> {
    return this.#heat.select((heat) => heat.setTimeWindow(window));
  }

  /** Moves the time window on animation frames; the heatmap emits "time" events. */
  play(options?: PlayOptions): Promise<void> {
    return this.#heat.select((heat) => heat.play(options));
  }

  pause(): Promise<void> {
    return this.#heat.select((heat) => heat.pause());
  }

  #makeCanvas(): HTMLCanvasElement {
    const canvas = document.createElement("canvas");
    // Not OpenLayers' own class, so that the next canvas layer does not take this one as its container.
    canvas.className = `${this.getClassName()}-geoheat`;
    canvas.style.cssText = "position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none";
    return canvas;
  }

  #detach(): void {
    this.#heat.detach();
    if (this.#canvas !== undefined) {
      this.#canvas.remove();
      releaseCanvas(this.#canvas);
      this.#canvas = undefined;
    }
  }
}
