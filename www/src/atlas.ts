// The offline basemap of the Leaflet and OpenLayers pages: land and the borders between countries
// from world-atlas (TopoJSON at 1:110m, turned into GeoJSON with topojson-client), served from
// www/node_modules; no tiles, no network beyond this server.
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

/** Land and borders, read from world-atlas under `nodeModules` (a URL prefix ending in "/"). */
export async function loadAtlas(nodeModules: string): Promise<Atlas> {
  const [land, countries] = await Promise.all([topology(`${nodeModules}world-atlas/land-110m.json`), topology(`${nodeModules}world-atlas/countries-110m.json`)]);
  return {
    land: feature(land, land.objects.land as GeometryCollection),
    // Borders between two countries only: coasts are the land's edge already.
    borders: mesh(countries, countries.objects.countries as GeometryCollection, (a, b) => a !== b),
  };
}
