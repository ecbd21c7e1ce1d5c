// WorkerHeatmap: the page side of a heatmap that runs in a dedicated worker. It owns the
// placeholder canvas (its DOM listeners, its ResizeObserver), forwards input, size and method
// calls to the worker, and re-emits the worker's events. Methods that return a value return a
// Promise of it; so do the others, so that their errors can be awaited.

import type {
  FilterExpression, FrameEvent, GeoJSONData, LayerInfo, LayerOptions, LayerUpdate, Legend, LoadOptions, LoadReport, HeatmapStats,
  PlayOptions, StyleOptions, TimeEvent, TimeValue, UniformValue, ViewOptions, ViewState, WeightExpression,
} from "../pkg/geoheat.js";
import { deserializeError, GeoheatError } from "./errors.js";
import type { Callable, DataSource, FromWorker, HostSize, HostState, InputEvent, ToWorker } from "./protocol.js";


/** Payloads of the events a heatmap emits. */
export interface HeatmapEvents {
  frame: FrameEvent;
  progress: { phase: "stream" | "parse"; bytes: number; totalBytes: number | null; features: number };
  load: LoadReport;
  view: ViewState;
  error: GeoheatError;
  backend: { from: "webgpu" | "canvas2d"; to: "webgpu" | "canvas2d"; reason: string };
  layer: LayerInfo;
  time: TimeEvent;
}
export type HeatmapEventName = keyof HeatmapEvents;

const EVENT_NAMES: readonly string[] = ["frame", "progress", "load", "view", "error", "backend", "layer", "time"];
/** Keys the heatmap binds (see crate/src/web/input.rs); the page must prevent their default action synchronously. */
const HEATMAP_KEYS = new Set(["+", "=", "-", "_", "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"]);
/** Attributes a replacement placeholder copies, so that it lays out and reads the same. */
const CANVAS_ATTRIBUTES = ["id", "class", "style", "tabindex", "role", "aria-label", "title", "width", "height"];

type Pending = { resolve: (value: unknown) => void; reject: (error: GeoheatError) => void };

export class WorkerHeatmap {
  #worker: Worker;
  #canvas: HTMLCanvasElement;
  #interactive: boolean;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #listeners = new Map<string, Set<(payload: never) => void>>();
  #state: HostState = { backend: "canvas2d", adapter: null, pointCount: 0 };
  #dom: Array<[string, EventListener]> = [];
  #pointersDown = new Set<number>();
  #resizeObserver: ResizeObserver;
  #attached = false;
  #destroyed = false;

  private constructor(worker: Worker, canvas: HTMLCanvasElement, interactive: boolean) {
    this.#worker = worker;
    this.#canvas = canvas;
    this.#interactive = interactive;
    this.#resizeObserver = new ResizeObserver(() => this.#post({ type: "size", size: this.#size() }));
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(event.data);
    // A script that fails to load (a 404, a bundler that did not emit it) gives a plain Event.
    worker.onerror = (event: Event) => {
      const reason = event instanceof ErrorEvent && event.message ? event.message : "its script did not load";
      this.#failAll(new GeoheatError(`the geoheat worker failed: ${reason}`, { code: "WORKER_ERROR" }));
    };
  }

  /**
   * Starts the worker (`workerUrl`, else worker.js next to this module), transfers the canvas to it
   * and creates the heatmap there. On failure the canvas is replaced by a fresh copy (a transferred
   * canvas cannot be drawn on again).
   */
  static async create(canvas: HTMLCanvasElement, options: Record<string, unknown>, workerUrl?: URL): Promise<WorkerHeatmap> {
    // Written out as `new Worker(new URL("./worker.js", import.meta.url), …)`: the form that
    // bundlers (Vite, webpack, Parcel) recognise, emitting the worker and its wasm as a chunk.
    const worker = workerUrl
      ? new Worker(workerUrl, { type: "module", name: "geoheat" })
      : new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "geoheat" });
    const proxy = new WorkerHeatmap(worker, canvas, options.interactive !== false);
    const offscreen = canvas.transferControlToOffscreen();
    try {
      await proxy.#request({ type: "create", id: 0, canvas: offscreen, options, size: proxy.#size() }, [offscreen]);
    } catch (error) {
      worker.terminate();
      proxy.#replaceCanvas();
      throw error;
    }
    proxy.#attach();
    return proxy;
  }

  /** The placeholder canvas on the page (a new element after a change of backend). */
  get canvas(): HTMLCanvasElement {
    return this.#canvas;
  }
  /** "webgpu" or "canvas2d", as of the last message from the worker. */
  get backend(): "webgpu" | "canvas2d" {
    return this.#state.backend;
  }
  get adapter(): string | undefined {
    return this.#state.adapter ?? undefined;
  }
  /** Points drawn (loaded and selected), as of the last message from the worker. */
  get pointCount(): number {
    return this.#state.pointCount;
  }

  /**
   * Replaces the data (see the wasm `setData`). A string is resolved against the page's URL. The
   * input crosses to the worker without a copy: an `ArrayBuffer`, or a `Uint8Array`'s whole
   * buffer, is transferred (detached here), as are a stream and a Response's body.
   */
  setData(data: GeoJSONData, options?: LoadOptions): Promise<LoadReport> {
    const [source, transfer] = dataSource(data);
    return this.#request({ type: "setData", id: 0, source, options }, transfer) as Promise<LoadReport>;
  }
  /** `[lon, lat, weight]` triples; a typed array's buffer is transferred. */
  setPoints(triples: Float64Array | Float32Array | number[], options?: LoadOptions): Promise<LoadReport> {
    const transfer = ArrayBuffer.isView(triples) && triples.buffer instanceof ArrayBuffer ? [triples.buffer] : [];
    return this.#call("setPoints", [triples, options], transfer) as Promise<LoadReport>;
  }
  setView(view: ViewOptions): Promise<void> {
    return this.#call("setView", [view]) as Promise<void>;
  }
  view(): Promise<ViewState> {
    return this.#call("view", []) as Promise<ViewState>;
  }
  fitBounds(bbox: [number, number, number, number], padding?: number): Promise<void> {
    return this.#call("fitBounds", [bbox, padding]) as Promise<void>;
  }
  setStyle(style: StyleOptions): Promise<void> {
    return this.#call("setStyle", [style]) as Promise<void>;
  }
  /** Weights the points by an expression over the kept properties, or as loaded for null (see the wasm `setWeight`). */
  setWeight(expr: WeightExpression | null): Promise<void> {
    return this.#call("setWeight", [expr]) as Promise<void>;
  }
  /** Draws only the points that pass a filter, or all for null (see the wasm `setFilter`). */
  setFilter(expr: FilterExpression | null): Promise<void> {
    return this.#call("setFilter", [expr]) as Promise<void>;
  }
  /** Draws only the points whose time is in `[t0, t1)`, or all for null; stops `play`. */
  setTimeWindow(window: [TimeValue, TimeValue] | null): Promise<void> {
    return this.#call("setTimeWindow", [window]) as Promise<void>;
  }
  /** Moves the time window on the worker's animation frames, emitting "time" events. */
  play(options?: PlayOptions): Promise<void> {
    return this.#call("play", [options]) as Promise<void>;
  }
  pause(): Promise<void> {
    return this.#call("pause", []) as Promise<void>;
  }
  /** Sends the placeholder's CSS size and devicePixelRatio again (a ResizeObserver does this already). */
  resize(): void {
    this.#post({ type: "size", size: this.#size() });
  }
  /** Forwards one plain input event (the placeholder's own listeners do this already). */
  input(event: InputEvent): void {
    this.#post({ type: "input", event });
  }
  valueAt(x: number, y: number): Promise<number | undefined> {
    return this.#call("valueAt", [x, y]) as Promise<number | undefined>;
  }
  legend(): Promise<Legend> {
    return this.#call("legend", []) as Promise<Legend>;
  }
  /** PNG bytes of the frame on screen, transferred from the worker. */
  snapshot(): Promise<Uint8Array> {
    return this.#call("snapshot", []) as Promise<Uint8Array>;
  }
  /** A copy of the points (`[x, y, weight]`, see the wasm `points()`), transferred from the worker. */
  points(): Promise<Float32Array> {
    return this.#call("points", []) as Promise<Float32Array>;
  }
  pointsOrigin(): Promise<number[]> {
    return this.#call("pointsOrigin", []) as Promise<number[]>;
  }
  stats(): Promise<HeatmapStats> {
    return this.#call("stats", []) as Promise<HeatmapStats>;
  }
  setBackend(backend: "webgpu" | "canvas2d"): Promise<void> {
    return this.#call("setBackend", [backend]) as Promise<void>;
  }
  loseDevice(): Promise<boolean> {
    return this.#call("loseDevice", []) as Promise<boolean>;
  }
  addLayer(layer: LayerOptions): Promise<LayerInfo> {
    return this.#call("addLayer", [layer]) as Promise<LayerInfo>;
  }
  updateLayer(name: string, update: LayerUpdate): Promise<LayerInfo> {
    return this.#call("updateLayer", [name, update]) as Promise<LayerInfo>;
  }
  removeLayer(name: string): Promise<void> {
    return this.#call("removeLayer", [name]) as Promise<void>;
  }
  setUniform(layer: string, name: string, value: UniformValue): Promise<LayerInfo> {
    return this.#call("setUniform", [layer, name, value]) as Promise<LayerInfo>;
  }
  layers(): Promise<LayerInfo[]> {
    return this.#call("layers", []) as Promise<LayerInfo[]>;
  }

  on<E extends HeatmapEventName>(event: E, callback: (payload: HeatmapEvents[E]) => void): void {
    if (!EVENT_NAMES.includes(event)) {
      throw new GeoheatError(`unknown event ${JSON.stringify(event)}; events are: ${EVENT_NAMES.join(", ")}`, { code: "UNKNOWN_EVENT" });
    }
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
      this.#post({ type: "listen", event, on: true });
    }
    set.add(callback as (payload: never) => void);
  }
  off<E extends HeatmapEventName>(event: E, callback: (payload: HeatmapEvents[E]) => void): void {
    const set = this.#listeners.get(event);
    if (!set?.delete(callback as (payload: never) => void) || set.size > 0) return;
    this.#listeners.delete(event);
    this.#post({ type: "listen", event, on: false });
  }

  /** Destroys the heatmap in the worker, ends the worker and removes the placeholder's listeners. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    try {
      await this.#request({ type: "destroy", id: 0 });
    } finally {
      this.#destroyed = true;
      this.#detach();
      this.#listeners.clear();
      this.#worker.terminate();
      this.#failAll(new GeoheatError("the heatmap was destroyed", { code: "DESTROYED" }));
    }
  }

  #call(method: Callable, args: unknown[], transfer: Transferable[] = []): Promise<unknown> {
    return this.#request({ type: "call", id: 0, method, args }, transfer);
  }

  #request(message: ToWorker & { id: number }, transfer: Transferable[] = []): Promise<unknown> {
    if (this.#destroyed) return Promise.reject(new GeoheatError("the heatmap was destroyed", { code: "DESTROYED" }));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  #post(message: ToWorker): void {
    if (!this.#destroyed) this.#worker.postMessage(message);
  }

  #receive(message: FromWorker): void {
    if ("state" in message && message.state) this.#state = message.state;
    switch (message.type) {
      case "reply": {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(deserializeError(message.error));
        break;
      }
      case "event": {
        const payload = message.name === "error" ? deserializeError(message.payload as Parameters<typeof deserializeError>[0]) : message.payload;
        for (const callback of [...(this.#listeners.get(message.name) ?? [])]) {
          try {
            (callback as (payload: unknown) => void)(payload);
          } catch (error) {
            console.error(`geoheat: a "${message.name}" listener threw`, error);
          }
        }
        break;
      }
      case "canvas-needed": {
        const offscreen = this.#replaceCanvas().transferControlToOffscreen();
        this.#worker.postMessage({ type: "canvas", id: message.id, canvas: offscreen } satisfies ToWorker, [offscreen]);
        break;
      }
    }
  }

  #failAll(error: GeoheatError): void {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }

  #size(): HostSize {
    const c = this.#canvas;
    const laidOut = c.clientWidth > 0 && c.clientHeight > 0;
    return {
      width: laidOut ? c.clientWidth : Math.max(1, c.width),
      height: laidOut ? c.clientHeight : Math.max(1, c.height),
      devicePixelRatio: globalThis.devicePixelRatio ?? 1,
    };
  }

  /** A fresh placeholder in the current one's place (same attributes), with the listeners moved to it. */
  #replaceCanvas(): HTMLCanvasElement {
    const old = this.#canvas;
    const fresh = old.ownerDocument.createElement("canvas");
    for (const name of CANVAS_ATTRIBUTES) {
      const value = old.getAttribute(name);
      if (value !== null) fresh.setAttribute(name, value);
    }
    const attached = this.#attached;
    this.#detach();
    old.replaceWith(fresh);
    this.#canvas = fresh;
    if (attached) this.#attach();
    return fresh;
  }

  #attach(): void {
    const canvas = this.#canvas;
    this.#attached = true;
    this.#resizeObserver.observe(canvas);
    if (!this.#interactive) return;
    // Touch gestures belong to the heatmap, not to page scrolling; keys need focus.
    canvas.style.touchAction = "none";
    if (!canvas.hasAttribute("tabindex")) canvas.tabIndex = 0;
    const position = (e: MouseEvent) => {
      const rect = canvas.getBoundingClientRect();
      return { x: e.clientX - rect.left, y: e.clientY - rect.top };
    };
    const listen = <K extends keyof HTMLElementEventMap>(name: K, handler: (e: HTMLElementEventMap[K]) => void) => {
      const listener = handler as EventListener;
      canvas.addEventListener(name, listener, { passive: false });
      this.#dom.push([name, listener]);
    };
    listen("pointerdown", (e) => {
      if (this.#pointersDown.size >= 2) return;
      this.#pointersDown.add(e.pointerId);
      canvas.setPointerCapture(e.pointerId);
      this.input({ type: "pointerdown", pointerId: e.pointerId, ...position(e) });
    });
    // Moves of pointers that are not down do nothing in the heatmap: they stay on the page.
    listen("pointermove", (e) => {
      if (this.#pointersDown.has(e.pointerId)) this.input({ type: "pointermove", pointerId: e.pointerId, ...position(e) });
    });
    for (const name of ["pointerup", "pointercancel"] as const) {
      listen(name, (e) => {
        if (this.#pointersDown.delete(e.pointerId)) this.input({ type: name, pointerId: e.pointerId, ...position(e) });
      });
    }
    listen("wheel", (e) => {
      e.preventDefault();
      this.input({ type: "wheel", deltaY: e.deltaY, deltaMode: e.deltaMode, ...position(e) });
    });
    listen("keydown", (e) => {
      if (!HEATMAP_KEYS.has(e.key)) return;
      e.preventDefault();
      this.input({ type: "keydown", key: e.key });
    });
  }

  #detach(): void {
    for (const [name, listener] of this.#dom) this.#canvas.removeEventListener(name, listener);
    this.#dom = [];
    this.#attached = false;
    this.#pointersDown.clear();
    this.#resizeObserver.disconnect();
  }
}

/** How `data` crosses to the worker, and what is transferred with it. */
function dataSource(data: GeoJSONData): [DataSource, Transferable[]] {
  if (typeof data === "string") return [{ kind: "url", url: new URL(data, document.baseURI).href }, []];
  if (data instanceof URL) return [{ kind: "url", url: data.href }, []];
  if (data instanceof Response) {
    const body = data.body;
    const headers = [...data.headers.entries()];
    return [{ kind: "response", body, status: data.status, statusText: data.statusText, headers }, body ? [body] : []];
  }
  if (data instanceof ReadableStream) return [{ kind: "stream", stream: data }, [data]];
  if (data instanceof Blob) return [{ kind: "blob", blob: data }, []];
  if (data instanceof ArrayBuffer) return [{ kind: "bytes", buffer: data, byteOffset: 0, byteLength: data.byteLength }, [data]];
  if (data instanceof Uint8Array) {
    const { buffer, byteOffset, byteLength } = data;
    return [{ kind: "bytes", buffer, byteOffset, byteLength }, buffer instanceof ArrayBuffer ? [buffer] : []];
  }
  // An already-parsed GeoJSON object: structured clone is the only way across (no buffer to transfer).
  return [{ kind: "object", value: data }, []];
}
