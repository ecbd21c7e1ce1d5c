// The worker side of `Heatmap.create(canvas, { worker: true })`: runs the wasm heatmap on the
// transferred OffscreenCanvas and answers the page's proxy (see protocol.ts for the messages).

import init, { Heatmap, type LoadOptions } from "../pkg/geoheat.js";
import { serializeError } from "./errors.js";
import { CALLABLE, type DataSource, type FromWorker, type HostState, type ToWorker } from "./protocol.js";

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

let heatmap: Heatmap | undefined;
/** Resolves once the heatmap exists; messages wait on it in the order they came. */
let created: Promise<Heatmap> | undefined;
const forwarders = new Map<string, (payload: unknown) => void>();
const canvasRequests = new Map<number, (canvas: OffscreenCanvas) => void>();
let nextCanvasRequest = 1;

function state(): HostState | undefined {
  if (!heatmap) return undefined;
  return { backend: heatmap.backend as HostState["backend"], adapter: heatmap.adapter ?? null, pointCount: heatmap.pointCount };
}

/** Buffers to transfer with a result rather than copy: PNG bytes and copied points. */
function transferables(value: unknown): Transferable[] {
  if (value instanceof Uint8Array || value instanceof Float32Array) {
    const buffer = value.buffer;
    return buffer instanceof ArrayBuffer ? [buffer] : [];
  }
  return [];
}

function reply(id: number, run: () => unknown): void {
  void (async () => {
    try {
      let value = await run();
      // points() views wasm memory: send a copy, by transfer.
      if (value instanceof Float32Array) value = value.slice();
      scope.postMessage({ type: "reply", id, ok: true, value, state: state() }, transferables(value));
    } catch (error) {
      scope.postMessage({ type: "reply", id, ok: false, error: serializeError(error), state: state() });
    }
  })();
}

function dataOf(source: DataSource): unknown {
  switch (source.kind) {
    case "url":
      return source.url;
    case "response":
      return new Response(source.body, { status: source.status, statusText: source.statusText, headers: source.headers });
    case "stream":
      return source.stream;
    case "blob":
      return source.blob;
    case "bytes":
      return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    case "object":
      return source.value;
  }
}

function listen(map: Heatmap, event: string, on: boolean): void {
  const existing = forwarders.get(event);
  if (on && !existing) {
    const forward = (payload: unknown) => {
      const data = event === "error" ? serializeError(payload) : payload;
      scope.postMessage({ type: "event", name: event, payload: data, state: state() });
    };
    forwarders.set(event, forward);
    map.on(event, forward as unknown as Function);
  } else if (!on && existing) {
    forwarders.delete(event);
    map.off(event, existing as unknown as Function);
  }
}

scope.onmessage = ({ data: message }) => {
  if (message.type === "create") {
    created = (async () => {
      await init();
      const map = await Heatmap.create(message.canvas, message.options);
      map.setSize(message.size.width, message.size.height, message.size.devicePixelRatio);
      map.setCanvasProvider(
        (reason: string) =>
          new Promise<OffscreenCanvas>((resolve) => {
            const id = nextCanvasRequest++;
            canvasRequests.set(id, resolve);
            scope.postMessage({ type: "canvas-needed", id, reason });
          }),
      );
      // The page's cached backend and adapter follow every switch.
      listen(map, "backend", true);
      heatmap = map;
      return map;
    })();
    reply(message.id, async () => {
      await created;
      return undefined;
    });
    return;
  }
  if (message.type === "canvas") {
    canvasRequests.get(message.id)?.(message.canvas);
    canvasRequests.delete(message.id);
    return;
  }
  if (!created) return;
  const ready = created;
  switch (message.type) {
    case "call":
      reply(message.id, async () => {
        const map = await ready;
        if (!(CALLABLE as readonly string[]).includes(message.method)) throw new TypeError(`${message.method} is not a Heatmap method`);
        const method = (map as unknown as Record<string, (...args: unknown[]) => unknown>)[message.method];
        return method.apply(map, message.args);
      });
      break;
    case "setData":
      reply(message.id, async () => (await ready).setData(dataOf(message.source) as string, (message.options ?? undefined) as LoadOptions | undefined));
      break;
    case "input":
      void ready.then((map) => map.input(message.event));
      break;
    case "size":
      void ready.then((map) => map.setSize(message.size.width, message.size.height, message.size.devicePixelRatio));
      break;
    case "listen":
      // "backend" is always forwarded (the page keeps its getters current with it).
      void ready.then((map) => listen(map, message.event, message.on || message.event === "backend"));
      break;
    case "destroy":
      // Messages already on their way (a size from the page's ResizeObserver, input) would reach
      // a freed heatmap: from here on they are dropped, and the page fails pending calls.
      created = undefined;
      reply(message.id, async () => {
        const map = await ready;
        forwarders.clear();
        map.destroy();
        map.free();
        heatmap = undefined;
      });
      break;
  }
};
