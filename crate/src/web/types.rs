//! TypeScript types of what JavaScript hands to the heatmap (options, data, uniforms) and of its
//! errors, shipped in the package's `.d.ts`. These are read member by member (see
//! [`super::options`]), so that an error names the option; the shapes the heatmap hands back
//! (load report, view, legend, stats, layer info, events) are their serde structs' own
//! interfaces, derived with `tsify`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A colour ramp: a name, a stop string ("0:#00f0,0.5:lime,1:red") or [offset, CSS colour] pairs. */
export type ColorRamp = "classic" | "viridis" | "magma" | "greys" | string | Array<[number, string]>;

/** Style options; every member is optional and `setStyle` changes only those given. */
export interface StyleOptions {
  /** Kernel radius in CSS pixels (default 25). The kernel is a Gaussian, σ = radius / 3, cut at the radius. */
  radius?: number;
  /** Kernel radius in metres on the ground, instead of `radius`. */
  radiusMeters?: number;
  /** Multiplies every weight (default 1). */
  intensity?: number;
  /** Density mapped to the top of the ramp: "stable" (default; fixed while panning), "viewport", or a number. */
  normalize?: "stable" | "viewport" | number;
  colorRamp?: ColorRamp;
  /** 0..1, multiplies the ramp's alpha (default 1). */
  opacity?: number;
  /** Normalised values below this stay transparent (default 0). */
  threshold?: number;
  /**
   * "sum" (default): the density, Σ weight·K. "mean": the kernel-weighted mean weight,
   * Σ weight·K / max(Σ K, 1), in the weight's unit; `valueAt` and `legend()` speak in it.
   */
  aggregation?: "sum" | "mean";
}

export interface ViewOptions {
  /** [longitude, latitude] in degrees. */
  center?: [number, number];
  /** Web Mercator zoom: the world is 512 * 2^zoom CSS pixels wide (MapLibre's convention). */
  zoom?: number;
}

export interface HeatmapOptions extends StyleOptions, ViewOptions {
  /** Drag, wheel, pinch and keyboard pan/zoom (default true). */
  interactive?: boolean;
  /**
   * "auto" (default): WebGPU when an adapter with float32 blending is there, else Canvas 2D.
   * "webgpu": rejects with code "GPU_UNAVAILABLE" without one. "canvas2d": never touches WebGPU.
   */
  backend?: "auto" | "webgpu" | "canvas2d";
  /** Overrides window.devicePixelRatio. */
  devicePixelRatio?: number;
}

/**
 * What `setData` takes: a URL (a string is a URL, resolved against the document, as in MapLibre's
 * GeoJSON source), a `URL`, a `Response`, a `ReadableStream` of bytes or a `Blob` (parsed as
 * they stream), an `ArrayBuffer` or `Uint8Array` of GeoJSON text (parsed in one go), or an
 * already-parsed GeoJSON object (walked in place, never turned back into text).
 */
export type GeoJSONData = string | URL | Response | ReadableStream<Uint8Array> | Blob | ArrayBuffer | Uint8Array | object;

export interface LoadOptions {
  /** Feature property holding the weight; without it every point weighs `defaultWeight`. */
  weightProperty?: string;
  /** Weight when the property is missing or null (default 1). */
  defaultWeight?: number;
  /** Non-numeric or negative weights: "error" (default) or "skip". */
  invalidWeight?: "error" | "skip";
  /** Coordinates outside longitude [-180, 180] / latitude [-90, 90]: "error" (default) or "skip". */
  outOfRange?: "error" | "skip";
  /** LineString/Polygon geometries: "skip" (default) or "vertices". */
  linesAndPolygons?: "skip" | "vertices";
  /**
   * Most points the load may make (default 50,000,000, 600 MB as stored): past it the load fails
   * with `GEOJSON_TOO_MANY_POINTS` before storing them, and the data loaded before stays.
   */
  maxPoints?: number;
  /**
   * Numeric properties kept beside the points (4 bytes per point each), for `setWeight`,
   * `setFilter` and time windows chosen later without loading again. A feature without one gets
   * a missing value (MapLibre's `null`).
   */
  properties?: string[];
  /**
   * The property holding each feature's time, epoch milliseconds or an ISO 8601 string; kept as
   * a column (added to `properties` if absent) for `setTimeWindow` and `play`.
   */
  timeProperty?: string;
  /** Fit the view to the data (default: only while the page has not set a view). */
  fitBounds?: boolean;
  /** Padding in CSS pixels when fitting (default 20). */
  padding?: number;
}

/**
 * A weight: a kept property's name (`"mag"`), a number, `["get", name]`, arithmetic
 * (`["*", ["get", "mag"], 2]`, `+`, `-`, `/`) or `["coalesce", a, b, ...]`, as in MapLibre.
 */
export type WeightExpression = string | number | unknown[];

/**
 * A filter, as MapLibre's: `true`/`false`, `["all", ...]`, `["any", ...]`, `["!", f]`,
 * `["has", name]`, `==`, `!=`, `<`, `<=`, `>`, `>=` of two weights, or
 * `["in", weight, ["literal", [numbers]]]`.
 */
export type FilterExpression = boolean | unknown[];

/** An instant: epoch milliseconds, or an ISO 8601 date or date-time with a zone. */
export type TimeValue = number | string;

/** `play`: the window `[t, t + window)` moves from `from` to `to` at `speed`. */
export interface PlayOptions {
  /** Start of the first window (default: the earliest time loaded). */
  from?: TimeValue;
  /** End of the last window (default: just after the latest time loaded). */
  to?: TimeValue;
  /** Width of the window in milliseconds (default: a tenth of `to - from`). */
  window?: number;
  /** Milliseconds of data per second of playback (default: `to - from` over 10 seconds). */
  speed?: number;
  /** Start again at `from` after the last window (default false: pause there). */
  loop?: boolean;
}

/** A uniform: `f32` for a number, `vecN<f32>` for an array of N = 2..4 numbers. */
export type UniformValue =
  | number
  | [number, number]
  | [number, number, number]
  | [number, number, number, number];

/** How a layer combines with those below: source-over, additive, or multiplying their colour. */
export type BlendMode = "normal" | "add" | "multiply";

/** Changes to a layer (`updateLayer`); members left out keep their values. */
export interface LayerUpdate {
  /**
   * Custom layers: WGSL defining `fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32>`
   * (straight RGBA in 0..1). It can read `geoheat.size`, `geoheat.time` (seconds; reading it
   * animates the layer), `geoheat.zoom`, `geoheat.pixel_ratio`, `geoheat.radius`, its uniforms as
   * `u.NAME`, and call `density_at(px)`, `value_at(px)`, `max_density()`, `ramp(value)`. Validated
   * before use: on error the call throws and the old shader keeps drawing.
   */
  wgsl?: string;
  /**
   * Built-ins: values for their uniforms (points: `radius` in CSS px, `color` [r, g, b, a] in 0..1;
   * contours: `interval`, `width` in CSS px, `color`, `fill` 0..1). Custom layers: with `wgsl`, the
   * declaration of all uniforms in order (their WGSL `Uniforms` struct); without, new values.
   */
  uniforms?: Record<string, UniformValue>;
  /** Default "normal". */
  blend?: BlendMode;
  /** 0..1, default 1. */
  opacity?: number;
  /** Default true. */
  visible?: boolean;
}

export interface LayerOptions extends LayerUpdate {
  /** Unique in the heatmap; the default stack has one layer, "heat". */
  name: string;
  /** A built-in layer; leave out (or "custom") when giving `wgsl`. */
  kind?: "heat" | "points" | "contours" | "custom";
  /** Put the layer below this one (default: on top). */
  before?: string;
}

/** Thrown (and passed to "error" listeners) for every failure. */
export interface GeoheatError extends Error {
  name: "GeoheatError";
  /**
   * Machine-readable kind (`Error::code` in the crate), e.g. "GEOJSON_SYNTAX", "FETCH_FAILED",
   * "STREAM_FAILED", "LOAD_SUPERSEDED", "INVALID_OPTION", "UNKNOWN_OPTION", "INVALID_ARGUMENT",
   * "UNKNOWN_EVENT", "GPU_UNAVAILABLE", "CANVAS_UNAVAILABLE", "WGSL_SYNTAX", "WGSL_INVALID",
   * "WGSL_ENTRY", "WGSL_BINDING", "LAYER", "LAYER_NON_FINITE".
   */
  code: string;
  /** One-based line: in the GeoJSON input, or in a layer's WGSL (null when it has no place). */
  line?: number | null;
  column?: number | null;
  /** The layer a "WGSL_*" or "LAYER*" error is about. */
  layer?: string;
  byteOffset?: number;
  featureIndex?: number | null;
  option?: string;
  pointIndex?: number;
  /** FETCH_FAILED: the URL fetched and the HTTP status (null when no response came). */
  url?: string;
  status?: number | null;
  /** INVALID_EXPRESSION: the path of the wrong part, such as "filter[2][1]". */
  path?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "HeatmapOptions")]
    pub type HeatmapOptions;
    #[wasm_bindgen(typescript_type = "StyleOptions")]
    pub type StyleOptions;
    #[wasm_bindgen(typescript_type = "ViewOptions")]
    pub type ViewOptions;
    #[wasm_bindgen(typescript_type = "LoadOptions")]
    pub type LoadOptions;
    #[wasm_bindgen(typescript_type = "LayerOptions")]
    pub type LayerOptions;
    #[wasm_bindgen(typescript_type = "LayerUpdate")]
    pub type LayerUpdate;
    #[wasm_bindgen(typescript_type = "PlayOptions")]
    pub type PlayOptions;
}
