// geoheat/leaflet: a heatmap as a Leaflet 1.9 layer. Its canvas lies in a map pane over the map's
// container and takes no input; whenever the map moves, the heat is drawn for the visible ground
// (MapHeat.draw, synchronously on Canvas 2D) and copied into it. During Leaflet's zoom animation
// the canvas is scaled with CSS like the map's own layers, and drawn again when it ends.
//
// Leaflet is a peer dependency, imported as the ES module "leaflet": a bundler resolves it to the
// application's copy; a page without one maps it to leaflet/dist/leaflet-src.esm.js in an import
// map. Only Leaflet's public API is used.

import * as L from "leaflet";
import { LayerHeat, type LayerHeatOptions } from "./layer-heat.js";
import { groundCorners, groundFor, releaseCanvas, type MapHeatOptions } from "./map-layer.js";
import type { Heatmap } from "./index.js";
import type {
  FilterExpression, GeoJSONData, LayerInfo, LayerOptions, LayerUpdate, Legend, LoadReport, PlayOptions, TimeValue, WeightExpression,
} from "../pkg/geoheat.js";

export type { LayerHeatOptions } from "./layer-heat.js";
export type { MapLoadOptions } from "./map-layer.js";

/** CSS pixels across the world at Leaflet's zoom 0 (geoheat's zoom is Leaflet's − 1). */
const LEAFLET_WORLD_PX = 256;

/** Options of `geoheatLayer`: geoheat's style, how data loads, the backend, and the pane. */
export interface GeoheatLayerOptions extends MapHeatOptions {
  /** The map pane that holds the heat's canvas (default "overlayPane"). */
  pane?: string;
}

/** A density heatmap of GeoJSON points as a Leaflet layer. */
export class GeoheatLayer extends L.Layer {
  readonly #heat: LayerHeat;
  #canvas: HTMLCanvasElement | undefined;
  /** The requested animation frame of a repaint, or 0. */
  #frame = 0;

  constructor(data: GeoJSONData, options: GeoheatLayerOptions = {}) {
    super();
    const { pane = "overlayPane", ...heatOptions } = options;
    // Leaflet's layers keep their own options in `this.options` (set by `initialize` in Leaflet's
    // class system, which a JavaScript class does not run).
    L.Util.setOptions(this, { pane });
    this.#heat = new LayerHeat(data, heatOptions, () => this.#repaintSoon());
  }

  override onAdd(map: L.Map): this {
    const crs = map.options.crs?.code ?? "EPSG:3857";
    if (crs !== "EPSG:3857" && crs !== "EPSG:900913") {
      throw new Error(`geoheat/leaflet: the map's CRS is ${crs}; the heat is drawn in Web Mercator (EPSG:3857)`);
    }
    const animated = map.options.zoomAnimation !== false && L.Browser.any3d;
    const canvas = L.DomUtil.create("canvas", `geoheat-layer leaflet-zoom-${animated ? "animated" : "hide"}`);
    canvas.style.pointerEvents = "none";
    // Leaflet's CSS puts a pane's canvases (z-index 100) under its SVG (200), the renderer of
    // vector layers: at 200, the heat lies over the vector layers added before it in its pane.
    canvas.style.zIndex = "200";
    const pane = this.getPane();
    if (pane === undefined) throw new Error(`geoheat/leaflet: the map has no pane named ${JSON.stringify(this.options.pane)}`);
    pane.appendChild(canvas);
    this.#canvas = canvas;
    this.#heat.attach();
    this.#redraw();
    return this;
  }

  override onRemove(): this {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    if (this.#canvas !== undefined) {
      this.#canvas.remove();
      releaseCanvas(this.#canvas);
      this.#canvas = undefined;
    }
    this.#heat.detach();
    return this;
  }

  // Leaflet adds these listeners on add and removes them on remove. `move` follows every change of
  // the view, zooms included (Leaflet fires it after each `zoom`).
  override getEvents(): { [name: string]: L.LeafletEventHandlerFn } {
    return { move: this.#redraw, viewreset: this.#redraw, resize: this.#redraw, zoomanim: this.#animateZoom };
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

  /** The normalised heat (0..1) at `latlng`, or null where there is none or off a map. */
  valueAt(latlng: L.LatLngExpression): number | null {
    const { lat, lng } = L.latLng(latlng);
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

  #repaintSoon(): void {
    if (this.#frame !== 0 || this.#canvas === undefined) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#redraw();
    });
  }

  /** Puts the canvas over the map's container and draws the heat of the ground it shows. */
  #redraw = (): void => {
    const map = this._map;
    const canvas = this.#canvas;
    if (map === undefined || map === null || canvas === undefined) return;
    const size = map.getSize();
    const pixelRatio = window.devicePixelRatio || 1;
    // The container's top-left corner as a layer point (whole pixels: the map pane's offset).
    const topLeft = map.containerPointToLayerPoint([0, 0]);
    L.DomUtil.setPosition(canvas, topLeft); // also ends a zoom animation's scale
    const width = Math.round(size.x * pixelRatio);
    const height = Math.round(size.y * pixelRatio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
      canvas.style.width = `${size.x}px`;
      canvas.style.height = `${size.y}px`;
    }
    const context = canvas.getContext("2d");
    if (context === null) throw new Error("geoheat/leaflet: no 2D context on the layer's canvas");
    context.clearRect(0, 0, width, height);
    if (size.x === 0 || size.y === 0) return;

    // Leaflet's pixels at this zoom are Web Mercator's world scaled to 256 · 2^zoom.
    const zoom = map.getZoom();
    const worldPx = LEAFLET_WORLD_PX * 2 ** zoom;
    const origin = map.getPixelOrigin();
    const west = (origin.x + topLeft.x) / worldPx;
    const north = (origin.y + topLeft.y) / worldPx;
    const ground = groundFor([[west, north], [west + size.x / worldPx, north + size.y / worldPx]], zoom - 1, pixelRatio);
    const drawn = this.#heat.draw(ground);
    if (drawn === null) return;
    // Placed by the corners of the ground it shows, which differs from the one asked for while a
    // WebGPU frame is on its way.
    const [[w, n], [e, s]] = groundCorners(drawn.ground);
    context.imageSmoothingEnabled = true;
    context.drawImage(drawn.canvas, (w - west) * worldPx * pixelRatio, (n - north) * worldPx * pixelRatio, (e - w) * worldPx * pixelRatio, (s - n) * worldPx * pixelRatio);
  };

  /** Scales and moves the canvas as Leaflet's zoom animation does the map's layers. */
  #animateZoom = (event: L.LeafletEvent): void => {
    const map = this._map;
    const canvas = this.#canvas;
    const mapPane = map?.getPane("mapPane");
    if (map === undefined || map === null || canvas === undefined || mapPane === undefined) return;
    const { center, zoom } = event as L.ZoomAnimEvent;
    const scale = map.getZoomScale(zoom, map.getZoom());
    // The canvas's top-left corner in Leaflet's pixels at the current zoom, then at the new one,
    // less the pixel origin Leaflet will have there.
    const corner = map.getPixelOrigin().add(map.containerPointToLayerPoint([0, 0]));
    const newOrigin = map.project(center, zoom).subtract(map.getSize().divideBy(2)).add(L.DomUtil.getPosition(mapPane)).round();
    L.DomUtil.setTransform(canvas, corner.multiplyBy(scale).subtract(newOrigin), scale);
  };
}

/** `new GeoheatLayer(data, options)`: a heatmap layer, `.addTo(map)` to show it. */
export function geoheatLayer(data: GeoJSONData, options?: GeoheatLayerOptions): GeoheatLayer {
  return new GeoheatLayer(data, options);
}
