// GeoheatError: what every failure of geoheat is, on a page or across a worker.

/** The fields a GeoheatError may carry besides its message (see the README for each code). */
export interface GeoheatErrorFields {
  /** Machine-readable kind, e.g. "GEOJSON_SYNTAX", "FETCH_FAILED", "INVALID_OPTION", "WGSL_SYNTAX". */
  code: string;
  /** One-based line: in the GeoJSON input, or in a layer's WGSL (null when it has no place). */
  line?: number | null;
  column?: number | null;
  byteOffset?: number;
  featureIndex?: number | null;
  option?: string;
  /** The layer a "WGSL_*" or "LAYER*" error is about. */
  layer?: string;
  pointIndex?: number;
  /** FETCH_FAILED: the URL and the HTTP status (null when no response came). */
  url?: string;
  status?: number | null;
  /** INVALID_EXPRESSION: the path of the wrong part, such as "filter[2][1]". */
  path?: string;
}

const FIELDS = ["code", "line", "column", "byteOffset", "featureIndex", "option", "layer", "pointIndex", "url", "status", "path"] as const;

/**
 * Thrown, rejected with and passed to "error" listeners for every failure. The wasm heatmap
 * throws plain `Error`s named "GeoheatError"; `instanceof GeoheatError` is true for those too.
 */
export class GeoheatError extends Error implements GeoheatErrorFields {
  declare code: string;
  declare line?: number | null;
  declare column?: number | null;
  declare byteOffset?: number;
  declare featureIndex?: number | null;
  declare option?: string;
  declare layer?: string;
  declare pointIndex?: number;
  declare url?: string;
  declare status?: number | null;
  declare path?: string;

  constructor(message: string, fields: GeoheatErrorFields) {
    super(message);
    this.name = "GeoheatError";
    for (const key of FIELDS) {
      if (fields[key] !== undefined) Object.assign(this, { [key]: fields[key] });
    }
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === "GeoheatError" && typeof (value as { code?: unknown }).code === "string";
  }
}

/** A GeoheatError as plain data, for postMessage (structured clone drops an Error's own fields). */
export interface SerializedError extends GeoheatErrorFields {
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { message: error.message, code: "UNKNOWN", stack: error.stack };
    const fields = error as unknown as Record<string, unknown>;
    for (const key of FIELDS) {
      if (fields[key] !== undefined) Object.assign(out, { [key]: fields[key] });
    }
    if (error.name !== "GeoheatError") out.code = "WORKER_ERROR";
    return out;
  }
  return { message: String(error), code: "WORKER_ERROR" };
}

export function deserializeError(data: SerializedError): GeoheatError {
  const error = new GeoheatError(data.message, data);
  if (data.stack) error.stack = `${error.stack ?? ""}\n  in the worker:\n${data.stack}`;
  return error;
}
