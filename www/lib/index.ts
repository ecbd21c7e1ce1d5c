// geoheat's entry module: `Heatmap.create(canvas, options)` on the page, or with `worker: true`
// in a dedicated worker behind a same-shaped proxy. The wasm is initialised here, from this
// module's URL: callers never call `init()`.

import init, { Heatmap as WasmHeatmap, type HeatmapOptions } from "../pkg/geoheat.js";
import { WorkerHeatmap, type HeatmapEventName, type HeatmapEvents } from "./proxy.js";

export type {
  BackendEvent, BlendMode, ColorRamp, FilterExpression, FrameEvent, GeoJSONData, GeoJsonLoader, HeatmapOptions, HeatmapStats, LayerInfo, LayerOptions,
  LayerUpdate, Legend, LegendStop, LoadOptions, LoadReport, PlayOptions, ProgressEvent, StyleOptions, TimeEvent, TimeValue, UniformValue, ViewOptions,
  ViewState, WeightExpression,
} from "../pkg/geoheat.js";
export { GeoheatError, type GeoheatErrorFields } from "./errors.js";
export { WorkerHeatmap, type HeatmapEvents, type HeatmapEventName } from "./proxy.js";
export type { InputEvent } from "./protocol.js";

export interface WorkerOptions extends HeatmapOptions {
  /**
   * Run fetching, parsing and rendering in a dedicated worker: the canvas is transferred to it
   * (`transferControlToOffscreen`) and `create` resolves to a `WorkerHeatmap`, whose methods
   * return Promises. The page keeps only input and size forwarding.
   */
  worker: true;
  /** The worker script (default: worker.js next to this module). */
  workerUrl?: string | URL;
}

export interface PageOptions extends HeatmapOptions {
  worker?: false;
}

/**
 * A heatmap drawn on the page's main thread: the wasm class itself, its events typed (the
 * generated declaration takes any string and any function).
 */
export interface Heatmap extends Omit<WasmHeatmap, "on" | "off"> {
  /** Listens to an event; `HeatmapEvents` names each one's payload. */
  on<E extends HeatmapEventName>(event: E, callback: (payload: HeatmapEvents[E]) => void): void;
  /** Removes a listener added with `on`. */
  off<E extends HeatmapEventName>(event: E, callback: (payload: HeatmapEvents[E]) => void): void;
}

let ready: Promise<unknown> | undefined;

/** Loads and instantiates the wasm module once (from next to the generated glue). */
export function initialise(): Promise<unknown> {
  ready ??= init();
  return ready;
}

function create(canvas: HTMLCanvasElement, options: WorkerOptions): Promise<WorkerHeatmap>;
function create(canvas: HTMLCanvasElement | OffscreenCanvas, options?: PageOptions): Promise<Heatmap>;
async function create(canvas: HTMLCanvasElement | OffscreenCanvas, options?: WorkerOptions | PageOptions): Promise<Heatmap | WorkerHeatmap> {
  const { worker, workerUrl, ...heatmapOptions } = (options ?? {}) as Partial<WorkerOptions> & HeatmapOptions;
  if (worker) {
    if (!(canvas instanceof HTMLCanvasElement)) throw new TypeError("worker: true takes the page's HTMLCanvasElement");
    const url = workerUrl === undefined ? undefined : new URL(workerUrl, document.baseURI);
    return WorkerHeatmap.create(canvas, heatmapOptions as Record<string, unknown>, url);
  }
  await initialise();
  return WasmHeatmap.create(canvas, options === undefined ? undefined : heatmapOptions);
}

/** `Heatmap.create(canvas, options)`; see `WorkerOptions` for `worker: true`. */
export const Heatmap = { create };
