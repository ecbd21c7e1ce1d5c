// The messages between a page's WorkerHeatmap (proxy.ts) and its worker (worker.ts).
//
// page → worker
//   create   {canvas: OffscreenCanvas (transferred), options, size}      → reply {state}
//   call     {id, method, args}   a Heatmap method run in the worker       → reply {value, state}
//   setData  {id, source, options}   source: see DataSource               → reply {value: LoadReport}
//   input    {event}              a plain input event (CSS px on the canvas), no reply
//   size     {size}               CSS size and devicePixelRatio of the placeholder, no reply
//   listen   {event, on}          forward this event (or stop), no reply
//   canvas   {id, canvas}         answer to canvas-needed: a fresh OffscreenCanvas (transferred)
//   destroy  {id}                 → reply, then the page terminates the worker
// worker → page
//   reply          {id, ok, value | error, state}   a result; big buffers (snapshot PNG, points) transferred
//   event          {name, payload, state}           a forwarded event; "error" payloads are SerializedError
//   canvas-needed  {id, reason}                     the heatmap changes backend and needs a new canvas
//
// `state` keeps the page's synchronous getters (backend, adapter, pointCount) current.

import type { SerializedError } from "./errors.js";

export interface HostSize {
  width: number;
  height: number;
  devicePixelRatio: number;
}

/** How setData's input crosses to the worker: URLs as absolute strings, bodies as transferred streams, bytes as transferred buffers. */
export type DataSource =
  | { kind: "url"; url: string }
  | { kind: "response"; body: ReadableStream<Uint8Array> | null; status: number; statusText: string; headers: Array<[string, string]> }
  | { kind: "stream"; stream: ReadableStream<Uint8Array> }
  | { kind: "blob"; blob: Blob }
  | { kind: "bytes"; buffer: ArrayBufferLike; byteOffset: number; byteLength: number }
  | { kind: "object"; value: unknown };

/** A plain input event, as `Heatmap.input` takes it. */
export interface InputEvent {
  type: "pointerdown" | "pointermove" | "pointerup" | "pointercancel" | "wheel" | "keydown";
  x?: number;
  y?: number;
  pointerId?: number;
  deltaY?: number;
  deltaMode?: number;
  key?: string;
}

export interface HostState {
  backend: "webgpu" | "canvas2d";
  adapter: string | null;
  pointCount: number;
}

export type ToWorker =
  | { type: "create"; id: number; canvas: OffscreenCanvas; options: Record<string, unknown>; size: HostSize }
  | { type: "call"; id: number; method: string; args: unknown[] }
  | { type: "setData"; id: number; source: DataSource; options: unknown }
  | { type: "input"; event: InputEvent }
  | { type: "size"; size: HostSize }
  | { type: "listen"; event: string; on: boolean }
  | { type: "canvas"; id: number; canvas: OffscreenCanvas }
  | { type: "destroy"; id: number };

export type FromWorker =
  | { type: "reply"; id: number; ok: true; value: unknown; state?: HostState }
  | { type: "reply"; id: number; ok: false; error: SerializedError; state?: HostState }
  | { type: "event"; name: string; payload: unknown; state?: HostState }
  | { type: "canvas-needed"; id: number; reason: string };

/** Methods of the worker's heatmap that a page may call through `call`. */
export const CALLABLE = [
  "setView", "view", "fitBounds", "setStyle", "valueAt", "legend", "snapshot", "stats", "points", "pointsOrigin",
  "setPoints", "setBackend", "loseDevice", "addLayer", "updateLayer", "removeLayer", "setUniform", "layers",
  "setWeight", "setFilter", "setTimeWindow", "play", "pause",
] as const;
export type Callable = (typeof CALLABLE)[number];
