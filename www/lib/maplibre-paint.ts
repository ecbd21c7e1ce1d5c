// MapLibre's `type: "heatmap"` paint properties read into geoheat's style and load options, so
// that moving from MapLibre's heatmap layer to GeoheatLayer keeps the paint object as it is.

import { GeoheatError } from "./errors.js";
import type { ColorRamp, LoadOptions, StyleOptions, WeightExpression } from "../pkg/geoheat.js";

/** An expression as MapLibre's style spec writes it (checked when evaluated, not by type). */
export type Expression = readonly unknown[];

/**
 * The heatmap paint properties GeoheatLayer understands, with MapLibre's names and meaning:
 * - `heatmap-radius` (CSS px, default 30), `heatmap-intensity` (default 1) and `heatmap-opacity`
 *   (default 1): a number or `["interpolate", ["linear"] | ["exponential", base], ["zoom"], z0, v0, …]`;
 * - `heatmap-weight` (default 1): a number or `["get", property]`;
 * - `heatmap-color`: `["interpolate", ["linear"] | ["exponential", base], ["heatmap-density"], d0, color0, …]`.
 */
export interface HeatmapPaint {
  "heatmap-radius"?: number | Expression;
  "heatmap-weight"?: number | Expression;
  "heatmap-intensity"?: number | Expression;
  "heatmap-color"?: Expression;
  "heatmap-opacity"?: number | Expression;
}

export type HeatmapPaintName = keyof HeatmapPaint;

const SUPPORTED: Record<HeatmapPaintName, string> = {
  "heatmap-radius": 'a number or ["interpolate", ["linear"] | ["exponential", base], ["zoom"], zoom, value, …]',
  "heatmap-weight": 'a number or ["get", property]',
  "heatmap-intensity": 'a number or ["interpolate", ["linear"] | ["exponential", base], ["zoom"], zoom, value, …]',
  "heatmap-color": '["interpolate", ["linear"] | ["exponential", base], ["heatmap-density"], density, color, …]',
  "heatmap-opacity": 'a number or ["interpolate", ["linear"] | ["exponential", base], ["zoom"], zoom, value, …]',
};

/** MapLibre's default `heatmap-color`. */
const DEFAULT_COLOR: Expression = [
  "interpolate", ["linear"], ["heatmap-density"],
  0, "rgba(0, 0, 255, 0)", 0.1, "royalblue", 0.3, "cyan", 0.5, "lime", 0.7, "yellow", 1, "red",
];

/**
 * The `normalize` that makes geoheat's 0..1 value equal MapLibre's `heatmap-density`.
 *
 * MapLibre's heatmap shaders (src/shaders/heatmap.{vertex,fragment}.glsl) add, for each point,
 * `weight · intensity · GAUSS_COEF · exp(−d² / 2σ²)` with GAUSS_COEF = 1/√(2π) and σ = radius / 3
 * (the fragment's `exp(−0.5 · 3² · |v_extrude|²)`, v_extrude in radii), into a float texture; the
 * sum is not scaled by the view, and `heatmap-color` is looked up at that sum clamped to [0, 1].
 * geoheat's density (crate/src/raster/reference.rs) is `intensity · Σ weight · exp(−d² / 2σ²)`
 * with the same σ = radius / 3, and its value is `clamp(density / normalize, 0, 1)`
 * (crate/src/style.rs, `Normalize::Fixed`). The two sums differ by the constant 1/√(2π), so with
 * `normalize = √(2π)` geoheat's value is MapLibre's density, for every radius, zoom and pixel
 * ratio (both kernels are in CSS pixels on the ground). What remains different: MapLibre cuts
 * each kernel where it falls below 1/(255·16) (beyond the radius for weights above ~0.4), geoheat
 * at the radius, a difference below 0.03 in density at the rim of one point of weight 5.
 */
export const MAPLIBRE_NORMALIZE = Math.sqrt(2 * Math.PI);

/** What a paint sets: the style at a zoom, and how weights are read. */
export interface PaintResult {
  style: StyleOptions;
  weight: Pick<LoadOptions, "weightProperty" | "defaultWeight">;
}

function paintError(name: string, problem: string): GeoheatError {
  const supported = Object.hasOwn(SUPPORTED, name)
    ? `; supported: ${SUPPORTED[name as HeatmapPaintName]}`
    : `; GeoheatLayer supports ${Object.keys(SUPPORTED).join(", ")}`;
  return new GeoheatError(`paint property "${name}": ${problem}${supported}`, { code: "INVALID_OPTION", option: name });
}

/** Checks that `paint` has only supported names (a clear error otherwise). */
function checkPaintNames(paint: object): void {
  for (const name of Object.keys(paint)) {
    if (!Object.hasOwn(SUPPORTED, name)) throw paintError(name, "is not supported by GeoheatLayer");
  }
}

/** The curve of an `interpolate`: [input, output] stops and the base of its exponential. */
interface Curve<T> {
  base: number;
  stops: Array<[number, T]>;
}

function parseInterpolate<T>(name: string, value: Expression, input: string, output: (v: unknown) => T | undefined): Curve<T> {
  const [op, type, over, ...rest] = value;
  if (op !== "interpolate") throw paintError(name, `the expression ${JSON.stringify(op)} is not supported`);
  let base = 1;
  if (Array.isArray(type) && type[0] === "exponential" && typeof type[1] === "number" && type[1] > 0) base = type[1];
  else if (!(Array.isArray(type) && type[0] === "linear" && type.length === 1)) {
    throw paintError(name, `the interpolation ${JSON.stringify(type)} is not supported`);
  }
  if (!(Array.isArray(over) && over.length === 1 && over[0] === input)) {
    throw paintError(name, `interpolates over ${JSON.stringify(over)}, not ["${input}"]`);
  }
  if (rest.length < 2 || rest.length % 2 !== 0) throw paintError(name, "needs input/output pairs after the input");
  const stops: Array<[number, T]> = [];
  for (let i = 0; i < rest.length; i += 2) {
    const at = rest[i];
    const out = output(rest[i + 1]);
    if (typeof at !== "number" || !Number.isFinite(at) || (stops.length > 0 && at <= stops[stops.length - 1][0])) {
      throw paintError(name, `stop input ${JSON.stringify(at)} is not a number above the previous one`);
    }
    if (out === undefined) throw paintError(name, `stop output ${JSON.stringify(rest[i + 1])} is not valid here`);
    stops.push([at, out]);
  }
  return { base, stops };
}

/** Where `x` falls on the curve: the stops around it and the interpolation factor (MapLibre's). */
function locate<T>({ base, stops }: Curve<T>, x: number): [T, T, number] {
  if (x <= stops[0][0]) return [stops[0][1], stops[0][1], 0];
  const last = stops[stops.length - 1];
  if (x >= last[0]) return [last[1], last[1], 0];
  let i = 0;
  while (x > stops[i + 1][0]) i++;
  const [[x0, v0], [x1, v1]] = [stops[i], stops[i + 1]];
  const t = base === 1 ? (x - x0) / (x1 - x0) : (base ** (x - x0) - 1) / (base ** (x1 - x0) - 1);
  return [v0, v1, t];
}

const finite = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A number or a zoom `interpolate`, at `zoom`. */
function evaluateNumber(name: string, value: unknown, zoom: number): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw paintError(name, `${value} is not a finite number`);
    return value;
  }
  if (!Array.isArray(value)) throw paintError(name, `${JSON.stringify(value)} is neither a number nor an expression`);
  const [a, b, t] = locate(parseInterpolate(name, value, "zoom", finite), zoom);
  return a + (b - a) * t;
}

type Rgba = [number, number, number, number];

let colorContext: OffscreenCanvasRenderingContext2D | null | undefined;

/** Any CSS colour as straight RGBA (0..255, alpha 0..1), parsed by the browser's Canvas 2D. */
function parseColor(value: unknown): Rgba | undefined {
  if (typeof value !== "string") return undefined;
  colorContext ??= new OffscreenCanvas(1, 1).getContext("2d");
  const context = colorContext;
  if (!context) return undefined;
  // An invalid colour leaves fillStyle as it was: two different sentinels tell it apart.
  const parsed = ["#000000", "#ffffff"].map((sentinel) => {
    context.fillStyle = sentinel;
    context.fillStyle = value;
    return String(context.fillStyle);
  });
  if (parsed[0] !== parsed[1]) return undefined;
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(parsed[0]);
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16), 1];
  const rgba = /^rgba?\(([^)]+)\)$/.exec(parsed[0]);
  const parts = rgba?.[1].split(",").map(Number);
  if (!parts || parts.length < 3 || parts.some((p) => !Number.isFinite(p))) return undefined;
  return [parts[0], parts[1], parts[2], parts[3] ?? 1];
}

const css = ([r, g, b, a]: Rgba) => `rgba(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)}, ${Number(a.toFixed(4))})`;
const mix = (a: Rgba, b: Rgba, t: number): Rgba => [0, 1, 2, 3].map((i) => a[i] + (b[i] - a[i]) * t) as Rgba;

/** Samples of an exponential colour curve: geoheat's ramp is linear between its stops. */
const EXPONENTIAL_SAMPLES = 64;

/**
 * `heatmap-color` as geoheat's colour ramp over [0, 1]: MapLibre looks its colour up at the
 * density clamped to [0, 1], so stops outside are cut at 0 and 1 (with the colour there) and the
 * first and last colours extend to the ends.
 */
function colorRamp(value: unknown): ColorRamp {
  const name = "heatmap-color";
  if (!Array.isArray(value)) throw paintError(name, `${JSON.stringify(value)} is not an expression`);
  const curve = parseInterpolate(name, value, "heatmap-density", parseColor);
  const at = (x: number) => {
    const [a, b, t] = locate(curve, x);
    return mix(a, b, t);
  };
  const offsets =
    curve.base === 1
      ? [0, ...curve.stops.map(([x]) => x).filter((x) => x > 0 && x < 1), 1]
      : Array.from({ length: EXPONENTIAL_SAMPLES + 1 }, (_, i) => i / EXPONENTIAL_SAMPLES);
  return offsets.map((x): [number, string] => [x, css(at(x))]);
}

/** The weight: a number for every point, or a feature property. */
function weight(value: unknown): PaintResult["weight"] {
  const name = "heatmap-weight";
  if (typeof value === "number") {
    if (!(Number.isFinite(value) && value >= 0)) throw paintError(name, `${value} is not a non-negative number`);
    return { weightProperty: undefined, defaultWeight: value };
  }
  if (Array.isArray(value) && value.length === 2 && value[0] === "get" && typeof value[1] === "string") {
    return { weightProperty: value[1], defaultWeight: undefined };
  }
  throw paintError(name, `${JSON.stringify(value)} is not supported`);
}

/**
 * The paint's weight as a `setWeight` expression over the kept property column: a feature without
 * the property weighs MapLibre's default, 1, as in a load with `weightProperty` (whose
 * `defaultWeight` is 1 too).
 */
export function weightExpression({ weightProperty, defaultWeight }: PaintResult["weight"]): WeightExpression {
  return weightProperty === undefined ? (defaultWeight ?? 1) : ["coalesce", ["get", weightProperty], 1];
}

/** Whether any property of `paint` depends on the zoom (then it is evaluated again as it changes). */
export function dependsOnZoom(paint: HeatmapPaint): boolean {
  return Object.values(paint).some((v) => Array.isArray(v) && JSON.stringify(v[2]) === '["zoom"]');
}

/**
 * geoheat's style and weight for `paint` at `zoom`, with MapLibre's defaults for the properties
 * it leaves out and MapLibre's density scale (`MAPLIBRE_NORMALIZE`).
 */
export function evaluatePaint(paint: HeatmapPaint, zoom: number): PaintResult {
  checkPaintNames(paint);
  const radius = evaluateNumber("heatmap-radius", paint["heatmap-radius"] ?? 30, zoom);
  const intensity = evaluateNumber("heatmap-intensity", paint["heatmap-intensity"] ?? 1, zoom);
  const opacity = evaluateNumber("heatmap-opacity", paint["heatmap-opacity"] ?? 1, zoom);
  if (!(radius > 0)) throw paintError("heatmap-radius", `${radius} at zoom ${zoom} is not positive`);
  if (!(intensity > 0)) throw paintError("heatmap-intensity", `${intensity} at zoom ${zoom} is not positive`);
  if (!(opacity >= 0 && opacity <= 1)) throw paintError("heatmap-opacity", `${opacity} at zoom ${zoom} is outside [0, 1]`);
  return {
    style: { radius, intensity, opacity, colorRamp: colorRamp(paint["heatmap-color"] ?? DEFAULT_COLOR), normalize: MAPLIBRE_NORMALIZE },
    weight: weight(paint["heatmap-weight"] ?? 1),
  };
}
