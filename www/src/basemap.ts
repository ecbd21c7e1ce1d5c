// An offline basemap for MapLibre: the world-atlas land and borders of ./atlas.ts (shared with the
// Leaflet and OpenLayers pages) as a MapLibre style; no tiles, no glyphs, no network beyond this
// server.
import type { StyleSpecification } from "maplibre-gl";
import { ATLAS_COLORS, loadAtlas } from "./atlas.js";

/**
 * A MapLibre style with a background, land (`land` layer) and country borders (`borders`), read
 * from world-atlas under `nodeModules` (a URL prefix ending in "/").
 */
export async function basemapStyle(nodeModules: string, colors = ATLAS_COLORS): Promise<StyleSpecification> {
  const { land, borders } = await loadAtlas(nodeModules);
  return {
    version: 8,
    sources: {
      land: { type: "geojson", data: land },
      borders: { type: "geojson", data: borders },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": colors.sea } },
      { id: "land", type: "fill", source: "land", paint: { "fill-color": colors.land } },
      { id: "borders", type: "line", source: "borders", paint: { "line-color": colors.borders, "line-width": 0.8 } },
    ],
  };
}
