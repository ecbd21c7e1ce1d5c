// The offline basemap of the demo pages (MapLibre, Leaflet, OpenLayers): land and the borders
// between countries from world-atlas (TopoJSON at 1:110m, turned into GeoJSON with topojson-client),
// served from www/node_modules; no tiles, no network beyond this server.
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

/** The page's colours (the demo's): sea, land, borders. */
export const ATLAS_COLORS = Object.freeze({ sea: "#0d1117", land: "#1c2430", borders: "#3d4b5c" });

export interface Atlas {
  land: GeoJSON.FeatureCollection | GeoJSON.Feature;
  borders: GeoJSON.MultiLineString;
}

async function topology(url: string): Promise<Topology> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`basemap: ${url} answered ${response.status}`);
  return (await response.json()) as Topology;
}

/**
 * `line` with each longitude moved by whole turns to within 180° of the one before: world-atlas
 * is drawn on a sphere, where a ring crossing the antimeridian jumps from 180° to −180°; on a flat
 * map that jump would be a line across the world.
 */
function unwrapped(line: GeoJSON.Position[]): GeoJSON.Position[] {
  let previous = line[0]?.[0] ?? 0;
  return line.map(([lng, ...rest]) => {
    const turns = Math.round((previous - lng) / 360);
    previous = lng + 360 * turns;
    return [previous, ...rest];
  });
}

/**
 * A ring unwrapped when it still closes: one around a pole (Antarctica's) crosses the antimeridian
 * once and would not; it keeps its jump, at the map's edge.
 */
function unwrappedRing(ring: GeoJSON.Position[]): GeoJSON.Position[] {
  const moved = unwrapped(ring);
  if (moved[0]?.[0] !== moved[moved.length - 1]?.[0]) return ring;
  // Back into the world that a map without copies draws: the middle of its span within ±180°.
  const longitudes = moved.map(([lng]) => lng);
  const turns = Math.round((Math.min(...longitudes) + Math.max(...longitudes)) / 2 / 360);
  return turns === 0 ? moved : moved.map(([lng, ...rest]) => [lng - 360 * turns, ...rest]);
}

function unwrapGeometry(geometry: GeoJSON.Geometry): GeoJSON.Geometry {
  switch (geometry.type) {
    case "Polygon":
      return { ...geometry, coordinates: geometry.coordinates.map(unwrappedRing) };
    case "MultiLineString":
      return { ...geometry, coordinates: geometry.coordinates.map(unwrapped) };
    case "MultiPolygon":
      return { ...geometry, coordinates: geometry.coordinates.map((polygon) => polygon.map(unwrappedRing)) };
    case "LineString":
      return { ...geometry, coordinates: unwrapped(geometry.coordinates) };
    case "GeometryCollection":
      return { ...geometry, geometries: geometry.geometries.map(unwrapGeometry) };
    default:
      return geometry;
  }
}

function unwrapLand(land: GeoJSON.FeatureCollection | GeoJSON.Feature): GeoJSON.FeatureCollection | GeoJSON.Feature {
  const feature = (f: GeoJSON.Feature): GeoJSON.Feature => ({ ...f, geometry: unwrapGeometry(f.geometry) });
  return land.type === "FeatureCollection" ? { ...land, features: land.features.map(feature) } : feature(land);
}

/** Land and borders, read from world-atlas under `nodeModules` (a URL prefix ending in "/"). */
export async function loadAtlas(nodeModules: string): Promise<Atlas> {
  const [land, countries] = await Promise.all([topology(`${nodeModules}world-atlas/land-110m.json`), topology(`${nodeModules}world-atlas/countries-110m.json`)]);
  return {
    land: unwrapLand(feature(land, land.objects.land as GeometryCollection)),
    // Borders between two countries only: coasts are the land's edge already.
    borders: unwrapGeometry(mesh(countries, countries.objects.countries as GeometryCollection, (a, b) => a !== b)) as GeoJSON.MultiLineString,
  };
}
