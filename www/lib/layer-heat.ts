// What the Leaflet and OpenLayers layers share beyond MapHeat: a map layer is made before it is on a
// map and can be added and removed many times, so it keeps its data and options itself, holds a
// MapHeat only while on a map (made on add, destroyed on remove) and asks the map to draw again
// when the heat changed outside the map's own drawing (a load, a style or layer change).

import { LOAD_KEYS, MapHeat, type DrawnHeat, type Ground, type MapHeatOptions, type MapLoadOptions } from "./map-layer.js";
import type { GeoJSONData, LayerInfo, LayerOptions, LayerUpdate, Legend, LoadReport, StyleOptions } from "../pkg/geoheat.js";

/** The options of a map layer that `setOptions` changes: the style and how data loads. */
export type LayerHeatOptions = StyleOptions & MapLoadOptions;

const STYLE_KEYS = ["radius", "radiusMeters", "intensity", "normalize", "colorRamp", "opacity", "threshold", "aggregation"] as const;

/** The members of `options` named in `keys` that are present. */
function pick<T extends object, K extends keyof T>(options: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) if (options[key] !== undefined) picked[key] = options[key];
  return picked;
}

/** The heat of one map layer: its data and options always, its MapHeat while on a map. */
export class LayerHeat {
  #data: GeoJSONData;
  #options: MapHeatOptions;
  #repaint: () => void;
  /** Set while the layer is on a map; each add makes a new one. */
  #attachment: { heat: Promise<MapHeat>; loaded: Promise<LoadReport> } | undefined;
  /** The MapHeat once made, while on the map. */
  #heat: MapHeat | undefined;
  /** True while the map draws (the heat's own frame events then need no repaint). */
  #drawing = false;

  /**
   * `repaint` asks the map to draw the layer again: it is called when the heat changed outside
   * the map's drawing (a frame of the heatmap's own, or a WebGPU frame arriving), never from
   * within `draw`.
   */
  constructor(data: GeoJSONData, options: MapHeatOptions, repaint: () => void) {
    this.#data = data;
    this.#options = { ...options };
    this.#repaint = repaint;
  }

  /** The heatmap while the layer is on a map and it has been made. */
  get heat(): MapHeat | undefined {
    return this.#heat;
  }

  /** Makes the heatmap and loads the data: the layer was added to a map. */
  attach(): void {
    if (this.#attachment !== undefined) return;
    const repaintOutsideDraw = () => {
      if (!this.#drawing) this.#repaint();
    };
    const heat = MapHeat.create(this.#options, repaintOutsideDraw).then((made) => {
      if (this.#attachment?.heat !== heat) {
        // Removed from the map while it was being made.
        made.destroy();
        throw new Error("geoheat map layer: removed from the map before its heatmap was made");
      }
      made.on("frame", repaintOutsideDraw);
      this.#heat = made;
      return made;
    });
    const attachment = { heat, loaded: heat.then((made) => this.#load(made)) };
    // Whoever wants these results awaits `loaded()`; an error nobody asked for is not unhandled.
    attachment.loaded.catch(() => {});
    this.#attachment = attachment;
  }

  /** Frees the heatmap (its wasm memory and canvas): the layer was removed from its map. */
  detach(): void {
    this.#attachment = undefined;
    this.#heat?.destroy();
    this.#heat = undefined;
  }

  /**
   * The load of the current data: resolves once it is in the heatmap (the map shows it from its
   * next frame on). Rejects when the layer is not on a map or the data is invalid.
   */
  loaded(): Promise<LoadReport> {
    if (this.#attachment === undefined) return Promise.reject(new Error("geoheat map layer: not on a map; add it to one first"));
    return this.#attachment.loaded;
  }

  /** Draws the heat for `ground` (see MapHeat.draw); null before the heatmap is made. */
  draw(ground: Ground): DrawnHeat | null {
    if (this.#heat === undefined) return null;
    this.#drawing = true;
    try {
      return this.#heat.draw(ground);
    } finally {
      this.#drawing = false;
    }
  }

  /** Replaces the data; on a map, resolves with its load report, else with null (it loads on add). */
  async setData(data: GeoJSONData, options?: LayerHeatOptions): Promise<LoadReport | null> {
    const previous = { data: this.#data, load: pick(this.#options, LOAD_KEYS) };
    this.#data = data;
    if (options !== undefined) this.#apply(options);
    try {
      return await this.#reload();
    } catch (error) {
      // The heatmap kept the data it had; so does the layer, so that a later load (added to a
      // map again, `setOptions`) loads what the map shows rather than what was refused.
      if (this.#data === data) {
        this.#data = previous.data;
        for (const key of LOAD_KEYS) delete this.#options[key];
        Object.assign(this.#options, previous.load);
      }
      throw error;
    }
  }

  /**
   * Changes the style (at once) and how data loads (the data is loaded again); members left out
   * keep their value.
   */
  setOptions(options: LayerHeatOptions): void {
    if (this.#apply(options)) this.#reload().catch(() => {});
    this.#repaint();
  }

  /** Takes `options` in and gives the style to the heatmap; true when how data loads changed. */
  #apply(options: LayerHeatOptions): boolean {
    const style = pick(options, STYLE_KEYS);
    const load = pick(options, LOAD_KEYS);
    if (Object.keys(style).length > 0) {
      this.#heat?.setStyle(style);
      // radius and radiusMeters exclude each other: the one given replaces the other.
      if (style.radius !== undefined) delete this.#options.radiusMeters;
      if (style.radiusMeters !== undefined) delete this.#options.radius;
    }
    Object.assign(this.#options, style, load);
    return Object.keys(load).length > 0;
  }

  /** The normalised heat (0..1) at a longitude/latitude, or null (no heat there, or off a map). */
  valueAt(lngLat: readonly [number, number]): number | null {
    return this.#heat?.valueAtLngLat(lngLat) ?? null;
  }

  /** The legend, or null while the layer is not on a map. */
  legend(): Legend | null {
    return this.#heat?.legend() ?? null;
  }

  /** Adds a heatmap layer (contours, points, custom WGSL); the layer must be on a map. */
  async addLayer(options: LayerOptions): Promise<LayerInfo> {
    const info = await (await this.#onMap()).addLayer(options);
    this.#repaint();
    return info;
  }

  async updateLayer(name: string, update: LayerUpdate): Promise<void> {
    await (await this.#onMap()).updateLayer(name, update);
    this.#repaint();
  }

  async removeLayer(name: string): Promise<void> {
    (await this.#onMap()).removeLayer(name);
    this.#repaint();
  }

  /**
   * Applies a change of weight, filter or time window (see the page Heatmap's `setWeight`,
   * `setFilter`, `setTimeWindow`, `play`, `pause`) to the heatmap on the map, then draws. The
   * layer must be on a map and its data loaded with the properties the change reads; on error
   * the previous selection stays.
   */
  async select(change: (heat: MapHeat) => void): Promise<void> {
    const heat = await this.#onMap();
    await this.#attachment?.loaded;
    change(heat);
    this.#repaint();
  }

  #onMap(): Promise<MapHeat> {
    if (this.#attachment === undefined) return Promise.reject(new Error("geoheat map layer: not on a map; add it to one before changing its layers"));
    return this.#attachment.heat;
  }

  async #load(heat: MapHeat): Promise<LoadReport> {
    const report = await heat.setData(this.#data, pick(this.#options, LOAD_KEYS));
    this.#repaint();
    return report;
  }

  /** Loads the current data again into the heatmap on the map, if there is one. */
  #reload(): Promise<LoadReport | null> {
    const attachment = this.#attachment;
    if (attachment === undefined) return Promise.resolve(null);
    attachment.loaded = attachment.heat.then((heat) => this.#load(heat));
    attachment.loaded.catch(() => {});
    return attachment.loaded;
  }
}
