// The OpenLayers page: the bundled earthquakes (weight: magnitude) as a geoheat layer over an
// offline basemap. `?quakes=0` leaves the heat layer out (the browser tests add their own).
import Map from "ol/Map.js";
import View from "ol/View.js";
import VectorLayer from "ol/layer/Vector.js";
import VectorSource from "ol/source/Vector.js";
import GeoJSON from "ol/format/GeoJSON.js";
import { Fill, Stroke, Style } from "ol/style.js";
import { fromLonLat } from "ol/proj.js";
import { GeoheatLayer } from "../geoheat/openlayers.js";
import { ATLAS_COLORS, loadAtlas } from "./atlas.js";
import { showLegend } from "./legend.js";

declare global {
  interface Window {
    /** What the tests reach: the map and the earthquakes layer (if shown). */
    openlayersPage?: { map: Map; heat: GeoheatLayer | undefined };
  }
}

const atlas = await loadAtlas("node_modules/");
const format = new GeoJSON({ featureProjection: "EPSG:3857" });
const vector = (data: GeoJSON.GeoJsonObject, style: Style) => new VectorLayer({ source: new VectorSource({ features: format.readFeatures(data) }), style });
const map = new Map({
  target: "map",
  layers: [
    vector(atlas.land, new Style({ fill: new Fill({ color: ATLAS_COLORS.land }) })),
    vector(atlas.borders, new Style({ stroke: new Stroke({ color: ATLAS_COLORS.borders, width: 0.8 }) })),
  ],
  view: new View({ center: fromLonLat([0, 20]), zoom: 2 }),
});

let heat: GeoheatLayer | undefined;
if (new URLSearchParams(location.search).get("quakes") !== "0") {
  heat = new GeoheatLayer("data/earthquakes.geojson", { weightProperty: "mag", invalidWeight: "skip", radius: 20 });
  map.addLayer(heat);
  const report = await heat.loaded();
  showLegend(heat, `${report.points} earthquakes`);
}
window.openlayersPage = { map, heat };
document.body.dataset.ready = "true";
