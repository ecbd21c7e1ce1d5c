// An offline basemap for MapLibre: land and country borders from world-atlas (TopoJSON, turned
// into GeoJSON with topojson-client), no tiles, no glyphs, no network beyond this server.
import type { StyleSpecification } from "maplibre-gl";
import type { GeometryCollection, Topology } from "topojson-specification";

// Both libraries are loaded by classic <script> tags (their npm builds are UMD): globals.
declare const topojson: typeof import("topojson-client");

export interface BasemapColors {
  background: string;
  land: string;
  borders: string;
}

export const DARK: BasemapColors = { background: "#0d1117", land: "#1c2430", borders: "#3d4b5c" };

type Position = number[];

/**
 * A ring or line made continuous in longitude: each step of more than 180° is taken as a
 * crossing of the antimeridian and the points after it move by 360°, so that MapLibre draws it
 * across the antimeridian, not the long way round the world (Fiji, Chukotka). Rings reaching a
 * pole (Antarctica) run along ±180° on purpose: they stay.
 */
function unwrap(line: Position[]): Position[] {
  if (line.some((p) => Math.abs(p[1]) > 85)) return line;
  let offset = 0;
  return line.map(([lng, lat], i) => {
    if (i > 0) {
      const step = lng - line[i - 1][0];
      if (step > 180) offset -= 360;
      else if (step < -180) offset += 360;
    }
    return [lng + offset, lat];
  });
}

/** `geometry` with every ring or line unwrapped (see `unwrap`). */
function acrossAntimeridian(geometry: GeoJSON.Geometry): GeoJSON.Geometry {
  switch (geometry.type) {
    case "LineString":
      return { ...geometry, coordinates: unwrap(geometry.coordinates) };
    case "MultiLineString":
    case "Polygon":
      return { ...geometry, coordinates: geometry.coordinates.map(unwrap) } as GeoJSON.Geometry;
    case "MultiPolygon":
      return { ...geometry, coordinates: geometry.coordinates.map((polygon) => polygon.map(unwrap)) };
    default:
      return geometry;
  }
}

function featureCollection(geometries: GeoJSON.Geometry[]): GeoJSON.FeatureCollection {
  return { type: "FeatureCollection", features: geometries.map((geometry) => ({ type: "Feature", properties: {}, geometry: acrossAntimeridian(geometry) })) };
}

async function topology(url: string): Promise<Topology> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`basemap: ${url} answered ${response.status}`);
  return (await response.json()) as Topology;
}

/**
 * A MapLibre style with a background, land (`land` layer) and country borders (`borders`), read
 * from world-atlas under `nodeModules` (a URL prefix ending in "/").
 */
export async function basemapStyle(nodeModules: string, colors: BasemapColors = DARK): Promise<StyleSpecification> {
  const [land, countries] = await Promise.all([topology(`${nodeModules}world-atlas/land-110m.json`), topology(`${nodeModules}world-atlas/countries-110m.json`)]);
  const landCollection = land.objects.land as GeometryCollection;
  const countryCollection = countries.objects.countries as GeometryCollection;
  return {
    version: 8,
    sources: {
      land: { type: "geojson", data: featureCollection(topojson.feature(land, landCollection).features.map((f) => f.geometry)) },
      // Borders between two countries only: coasts are the land's edge already.
      borders: { type: "geojson", data: featureCollection([topojson.mesh(countries, countryCollection, (a, b) => a !== b)]) },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": colors.background } },
      { id: "land", type: "fill", source: "land", paint: { "fill-color": colors.land } },
      { id: "borders", type: "line", source: "borders", paint: { "line-color": colors.borders, "line-width": 0.8 } },
    ],
  };
}
