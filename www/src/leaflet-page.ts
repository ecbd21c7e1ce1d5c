// The Leaflet page: the bundled earthquakes (weight: magnitude) as a geoheat layer over an offline
// basemap. `?quakes=0` leaves the heat layer out (the browser tests add their own).
import * as L from "leaflet";
import { geoheatLayer, type GeoheatLayer } from "../geoheat/leaflet.js";
import { ATLAS_COLORS, loadAtlas } from "./atlas.js";
import { showLegend } from "./legend.js";

declare global {
  interface Window {
    /** What the tests reach: the map, the earthquakes layer (if shown), and readiness. */
    leafletPage?: { map: L.Map; heat: GeoheatLayer | undefined };
  }
}

const container = document.getElementById("map");
if (container === null) throw new Error("leaflet.html has no #map element");
container.style.background = ATLAS_COLORS.sea;
const map = L.map(container, { center: [20, 0], zoom: 2, minZoom: 1 });
const atlas = await loadAtlas("node_modules/");
L.geoJSON(atlas.land, { interactive: false, style: { stroke: false, fillColor: ATLAS_COLORS.land, fillOpacity: 1 } }).addTo(map);
L.geoJSON(atlas.borders, { interactive: false, style: { color: ATLAS_COLORS.borders, weight: 0.8, opacity: 1, fill: false } }).addTo(map);

let heat: GeoheatLayer | undefined;
if (new URLSearchParams(location.search).get("quakes") !== "0") {
  heat = geoheatLayer("data/earthquakes.geojson", { weightProperty: "mag", invalidWeight: "skip", radius: 20 }).addTo(map);
  const report = await heat.loaded();
  showLegend(heat, `${report.points} earthquakes`);
}
window.leafletPage = { map, heat };
document.body.dataset.ready = "true";
