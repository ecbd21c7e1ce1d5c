// The demo page: earthquakes as a heatmap over a land outline, with style controls, a legend,
// the density under the cursor, frame timings, and loading of the visitor's own GeoJSON.
import init, { Heatmap, type BackendEvent, type FrameEvent, type GeoheatError, type ProgressEvent, type ViewState } from "../pkg/geoheat.js";
import { setupLayersPanel } from "./layers-panel.js";
import { drawOutline, type Polygons } from "./outline.js";

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

/** Streams a GeoJSON response into the heatmap with a progress bar. */
async function loadFromResponse(map: Heatmap, response: Response, weightProperty?: string) {
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} for ${response.url}`);
  const loader = map.geoJSONLoader({ weightProperty, invalidWeight: "skip", fitBounds: true });
  const length = Number(response.headers.get("Content-Length"));
  if (length > 0) loader.totalBytes = length;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loader.push(value);
  }
  return loader.finish();
}

async function main() {
  await init();
  const canvas = $<HTMLCanvasElement>("heat");
  const outlineCanvas = $<HTMLCanvasElement>("outline");
  // The backend comes from ?backend=auto|webgpu|canvas2d; changing it reloads the page.
  const backendSelect = $<HTMLSelectElement>("backend");
  const asked = new URLSearchParams(location.search).get("backend");
  const backend = asked === "webgpu" || asked === "canvas2d" ? asked : "auto";
  backendSelect.value = backend;
  backendSelect.addEventListener("change", () => {
    const params = new URLSearchParams(location.search);
    params.set("backend", backendSelect.value);
    location.search = params.toString();
  });
  const map = await Heatmap.create(canvas, { radius: 25, opacity: 0.9, normalize: "stable", backend });
  (window as unknown as { heatmap: Heatmap }).heatmap = map;

  let land: Polygons = [];
  const redrawOutline = (view: ViewState) => drawOutline(outlineCanvas, land, view);

  map.on("progress", (p: ProgressEvent) => {
    const bar = $<HTMLProgressElement>("progress");
    bar.value = p.totalBytes ? p.bytes / p.totalBytes : 0;
    $("status").textContent = `${p.phase === "stream" ? "loading" : "parsing"} ${(p.bytes / 1e6).toFixed(1)} MB, ${p.features.toLocaleString()} features…`;
  });
  const frameTimes: number[] = [];
  map.on("frame", (f: FrameEvent) => {
    frameTimes.push(f.renderMs + f.presentMs);
    if (frameTimes.length > 30) frameTimes.shift();
    const avg = frameTimes.reduce((a, b) => a + b, 0) / frameTimes.length;
    const adapter = map.adapter ? ` on ${map.adapter}` : "";
    $("frame").textContent =
      `${f.backend}${adapter}: render ${f.renderMs.toFixed(1)} ms + present ${f.presentMs.toFixed(1)} ms (avg ${avg.toFixed(1)} ms), ` +
      `${f.width}×${f.height} device px, r = ${f.radiusPx.toFixed(1)} px, ${f.points.toLocaleString()} points`;
    updateLegend();
    redrawOutline(map.view());
  });
  map.on("error", showError);
  setupLayersPanel(map);
  // After a lost WebGPU device the heatmap draws on a new canvas (map.canvas) in the old one's place.
  map.on("backend", (e: BackendEvent) => showError({ code: "BACKEND", message: `switched from ${e.from} to ${e.to}: ${e.reason}` }));

  const updateLegend = () => {
    const legend = map.legend();
    const stops = legend.stops.map((s) => `${s.color} ${(s.offset * 100).toFixed(1)}%`).join(", ");
    $("legend-gradient").style.background = `linear-gradient(to right, ${stops})`;
    $("legend-max").textContent = legend.max == null ? "–" : `${legend.max.toPrecision(3)} (${legend.normalize})`;
  };

  // Listeners on the container, so they survive the canvas being replaced on a fall back.
  const container = canvas.parentElement ?? canvas;
  container.addEventListener("pointermove", (e) => {
    // The demo's heatmap draws on a page, so its canvas is an element (never an OffscreenCanvas).
    const rect = (map.canvas as HTMLCanvasElement).getBoundingClientRect();
    const value = map.valueAt(e.clientX - rect.left, e.clientY - rect.top);
    $("value").textContent = value === undefined ? "–" : `density ${value.toPrecision(4)}`;
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
  bindRange("radius", (v) => String(v), (v) => map.setStyle({ radius: v }));
  bindRange("intensity", (v) => (10 ** v).toPrecision(2), (v) => map.setStyle({ intensity: 10 ** v }));
  bindRange("opacity", (v) => v.toFixed(2), (v) => map.setStyle({ opacity: v }));
  $<HTMLSelectElement>("ramp").addEventListener("change", (e) => map.setStyle({ colorRamp: (e.target as HTMLSelectElement).value }));
  $<HTMLSelectElement>("normalize").addEventListener("change", (e) => {
    const mode = (e.target as HTMLSelectElement).value;
    map.setStyle({ normalize: mode === "fixed" ? 10 : (mode as "stable" | "viewport") });
  });

  const loadUserFile = async (file: File) => {
    try {
      clearError();
      const weightProperty = $<HTMLInputElement>("weight").value.trim() || undefined;
      const report = await loadFromResponse(map, new Response(file.stream(), { headers: { "Content-Length": String(file.size) } }), weightProperty);
      $("status").textContent = `${file.name}: ${report.points.toLocaleString()} points in ${report.ms.toFixed(0)} ms`;
    } catch (e) {
      showError(e);
    }
  };
  $<HTMLInputElement>("file").addEventListener("change", (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void loadUserFile(file);
  });
  container.addEventListener("dragover", (e) => e.preventDefault());
  container.addEventListener("drop", (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) void loadUserFile(file);
  });

  const [landResponse, quakes] = await Promise.all([fetch("data/land-110m.geojson"), fetch("data/earthquakes.geojson")]);
  land = (await landResponse.json()).features.flatMap((f: { geometry: { type: string; coordinates: unknown } }) =>
    f.geometry.type === "Polygon" ? [f.geometry.coordinates] : (f.geometry.coordinates as Polygons[number][]),
  );
  const report = await loadFromResponse(map, quakes, "mag");
  $<HTMLProgressElement>("progress").value = 1;
  $("status").textContent =
    `${report.points.toLocaleString()} earthquakes (${report.skippedByPolicy} with negative magnitude left out) ` +
    `loaded in ${report.ms.toFixed(0)} ms`;
  redrawOutline(map.view());
}

main().catch(showError);
