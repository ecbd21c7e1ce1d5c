// The demo page: earthquakes as a geoheat layer on a MapLibre map (offline basemap), with style
// controls, weight by magnitude or count, a time slider with play/pause, the heatmap's layer stack
// and WGSL editor, a legend, the density under the cursor, frame timings, and loading of the
// visitor's own GeoJSON.
import type { BackendEvent, FrameEvent, GeoheatError, ProgressEvent, TimeEvent } from "../pkg/geoheat.js";
import type { Heatmap } from "../geoheat/index.js";
import { GeoheatLayer } from "../geoheat/maplibre.js";
import { basemapStyle } from "./basemap.js";
import { setupLayersPanel } from "./layers-panel.js";

// MapLibre's npm build is UMD: index.html loads it with a classic <script> from node_modules.
declare const maplibregl: typeof import("maplibre-gl");

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showError(error: unknown): void {
  const box = $("error");
  const e = error as Partial<GeoheatError>;
  const where = e.line ? ` (line ${e.line}, column ${e.column}${e.featureIndex != null ? `, feature ${e.featureIndex}` : ""})` : "";
  box.textContent = `${e.code ?? "ERROR"}: ${e.message ?? String(error)}${where}\nThe previous heatmap is still shown.`;
  box.style.display = "block";
}

function clearError(): void {
  $("error").style.display = "none";
}

/** The backend from ?backend=auto|webgpu|canvas2d; changing the select reloads the page with it. */
function chosenBackend(): "auto" | "webgpu" | "canvas2d" {
  const select = $<HTMLSelectElement>("backend");
  const asked = new URLSearchParams(location.search).get("backend");
  const backend = asked === "webgpu" || asked === "canvas2d" ? asked : "auto";
  select.value = backend;
  select.addEventListener("change", () => {
    const params = new URLSearchParams(location.search);
    params.set("backend", select.value);
    location.search = params.toString();
  });
  return backend;
}

async function main() {
  const map = new maplibregl.Map({ container: "map", style: await basemapStyle("node_modules/"), center: [-150, 30], zoom: 1.3, attributionControl: false });
  const heat = new GeoheatLayer({ id: "earthquakes", radius: 25, opacity: 0.9, normalize: "stable", backend: chosenBackend(), onError: showError });
  await new Promise((resolve) => map.once("load", resolve));
  // Under the country borders, over the land.
  map.addLayer(heat, "borders");
  const heatmap = (await heat.ready()).heatmap;
  Object.assign(window, { map, heat, heatmap });

  heatmap.on("progress", (p: ProgressEvent) => {
    const bar = $<HTMLProgressElement>("progress");
    bar.value = p.totalBytes ? p.bytes / p.totalBytes : 0;
    $("status").textContent = `${p.phase === "stream" ? "loading" : "parsing"} ${(p.bytes / 1e6).toFixed(1)} MB, ${p.features.toLocaleString()} features…`;
  });
  const frameTimes: number[] = [];
  heatmap.on("frame", (f: FrameEvent) => {
    frameTimes.push(f.renderMs + f.presentMs);
    if (frameTimes.length > 30) frameTimes.shift();
    const avg = frameTimes.reduce((a, b) => a + b, 0) / frameTimes.length;
    const adapter = heatmap.adapter ? ` on ${heatmap.adapter}` : "";
    $("frame").textContent =
      `${f.backend}${adapter}: render ${f.renderMs.toFixed(1)} ms + present ${f.presentMs.toFixed(1)} ms (avg ${avg.toFixed(1)} ms), ` +
      `${f.width}×${f.height} device px, r = ${f.radiusPx.toFixed(1)} px, ${f.points.toLocaleString()} points`;
    updateLegend();
  });
  heatmap.on("error", showError);
  heatmap.on("backend", (e: BackendEvent) => showError({ code: "BACKEND", message: `switched from ${e.from} to ${e.to}: ${e.reason}` }));
  setupLayersPanel(heat);

  const updateLegend = () => {
    const legend = heatmap.legend();
    const stops = legend.stops.map((s) => `${s.color} ${(s.offset * 100).toFixed(1)}%`).join(", ");
    $("legend-gradient").style.background = `linear-gradient(to right, ${stops})`;
    $("legend-max").textContent = legend.max == null ? "–" : `${legend.max.toPrecision(3)} ${legend.label} (${legend.normalize})`;
  };

  map.on("mousemove", (e) => {
    const value = heat.valueAt(e.lngLat);
    $("value").textContent = value === null ? "–" : `value ${value.toPrecision(4)}`;
  });

  const bindRange = (id: string, format: (v: number) => string, apply: (v: number) => void) => {
    const input = $<HTMLInputElement>(id);
    const update = () => {
      const v = Number(input.value);
      $(`${id}-value`).textContent = format(v);
      try {
        apply(v);
        clearError();
      } catch (e) {
        showError(e);
      }
    };
    input.addEventListener("input", update);
    update();
  };
  bindRange("radius", (v) => String(v), (v) => heat.setOptions({ radius: v }));
  bindRange("intensity", (v) => (10 ** v).toPrecision(2), (v) => heat.setOptions({ intensity: 10 ** v }));
  bindRange("opacity", (v) => v.toFixed(2), (v) => heat.setOptions({ opacity: v }));
  $<HTMLSelectElement>("ramp").addEventListener("change", (e) => heat.setOptions({ colorRamp: (e.target as HTMLSelectElement).value }));
  $<HTMLSelectElement>("normalize").addEventListener("change", (e) => {
    const mode = (e.target as HTMLSelectElement).value;
    heat.setOptions({ normalize: mode === "fixed" ? 10 : (mode as "stable" | "viewport") });
  });

  /** Loads `data` into the layer and fits the map to what loaded. */
  const load = async (data: Blob | string, weightProperty: string | undefined) => {
    const report = await heat.setData(data, { weightProperty, invalidWeight: "skip" });
    if (report.bbox) {
      const [west, south, east, north] = report.bbox;
      map.fitBounds([[west, south], [east, north]], { padding: 20, animate: false });
    }
    return report;
  };
  const loadUserFile = async (file: File) => {
    try {
      clearError();
      // The earthquakes' weight and time window mean nothing for another file.
      await heat.setTimeWindow(null);
      await heat.setWeight(null);
      $<HTMLSelectElement>("weight-by").value = "count";
      $<HTMLInputElement>("time").value = "-1";
      $("time-value").textContent = "all";
      // A File is a Blob: read as it streams, with progress events.
      const report = await load(file, $<HTMLInputElement>("weight").value.trim() || undefined);
      $("status").textContent = `${file.name}: ${report.points.toLocaleString()} points in ${report.ms.toFixed(0)} ms`;
    } catch (e) {
      showError(e);
    }
  };
  $<HTMLInputElement>("file").addEventListener("change", (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void loadUserFile(file);
  });
  const container = map.getContainer();
  container.addEventListener("dragover", (e) => e.preventDefault());
  container.addEventListener("drop", (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) void loadUserFile(file);
  });

  // Magnitude and time are kept beside the points: the weight, filter and time window then
  // change without loading again.
  const report = await heat.setData("data/earthquakes.geojson", { properties: ["mag"], timeProperty: "time" });
  await heat.setWeight("mag");
  $<HTMLProgressElement>("progress").value = 1;
  $("status").textContent = `${report.points.toLocaleString()} earthquakes loaded in ${report.ms.toFixed(0)} ms`;
  setupTimeControls(heat, heatmap);
}

/** The earthquakes' week (UTC days) and the time window's width. */
const WEEK_START = Date.parse("2018-01-31T00:00:00Z");
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The weight selector, the time slider (a day-wide window, or all times) and play/pause. */
function setupTimeControls(heat: GeoheatLayer, heatmap: Heatmap) {
  const slider = $<HTMLInputElement>("time");
  const button = $<HTMLButtonElement>("play");
  let playing = false;
  const show = (start: number | null) => {
    $("time-value").textContent = start === null ? "all" : `${new Date(start).toISOString().slice(0, 13)}h UTC + 1 day`;
  };
  const stop = () => {
    playing = false;
    button.textContent = "play";
  };
  heatmap.on("time", ({ window: [start] }: TimeEvent) => {
    slider.value = String(Math.round((start - WEEK_START) / HOUR_MS));
    show(start);
  });
  $<HTMLSelectElement>("weight-by").addEventListener("change", (e) => {
    const by = (e.target as HTMLSelectElement).value;
    heat.setWeight(by === "mag" ? "mag" : null).then(clearError, showError);
  });
  $<HTMLSelectElement>("aggregation").addEventListener("change", (e) => {
    const aggregation = (e.target as HTMLSelectElement).value === "mean" ? "mean" : "sum";
    heat.setOptions({ aggregation });
  });
  slider.addEventListener("input", () => {
    stop();
    const hours = Number(slider.value);
    const start = hours < 0 ? null : WEEK_START + hours * HOUR_MS;
    show(start);
    heat.setTimeWindow(start === null ? null : [start, start + DAY_MS]).then(clearError, showError);
  });
  button.addEventListener("click", () => {
    playing = !playing;
    button.textContent = playing ? "pause" : "play";
    const done = playing ? heat.play({ from: WEEK_START, to: WEEK_START + 8 * DAY_MS, window: DAY_MS, speed: DAY_MS, loop: true }) : heat.pause();
    done.then(clearError, showError);
  });
}

main().catch(showError);
