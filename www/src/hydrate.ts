// Server-side render, then hydration: the page first shows a PNG rendered ahead of time by the
// harness or the CLI (same view, style and size), and the live heatmap replaces it once its first
// frame is on the canvas. The two are the same pixels, so nothing moves or changes colour.
//
// The view and style come from data/hydrate-views.json, the file that also renders the PNG:
//   node www/harness/snapshot.mjs www/data/earthquakes.geojson --views www/data/hydrate-views.json \
//     --weight-property mag --invalid-weight skip
import init, { Heatmap, type StyleOptions } from "../pkg/geoheat.js";

interface HydrateView {
  center: [number, number];
  zoom: number;
  width: number;
  height: number;
  style: StyleOptions;
  out: string;
}

async function main(): Promise<void> {
  const placeholder = document.getElementById("placeholder") as HTMLImageElement;
  const canvas = document.getElementById("heat") as HTMLCanvasElement;
  // The page is laid out at the PNG's size from the start (see hydrate.html), so there is no reflow.
  const [[view], quakes] = await Promise.all([
    fetch("data/hydrate-views.json").then((r) => r.json() as Promise<HydrateView[]>),
    fetch("data/earthquakes.geojson").then((r) => r.arrayBuffer()),
    init(),
  ]);
  const heatmap = await Heatmap.create(canvas, {
    ...view.style,
    center: view.center,
    zoom: view.zoom,
    interactive: true,
    // The CPU path, whose first frame is the server-rendered PNG byte for byte.
    backend: "canvas2d",
  });
  (window as unknown as { heatmap: Heatmap }).heatmap = heatmap;
  const swap = () => {
    heatmap.off("frame", swap);
    // The frame event fires after the frame was put on the canvas, in the same animation frame,
    // so hiding the image now shows the live frame in the very next paint.
    placeholder.hidden = true;
    document.body.dataset.hydrated = "true";
  };
  heatmap.on("frame", swap);
  heatmap.loadGeoJSON(new Uint8Array(quakes), { weightProperty: "mag", invalidWeight: "skip", fitBounds: false });
}

main().catch((e: unknown) => {
  // The server-rendered image stays: the page still shows the heatmap, only not a live one.
  console.error(e);
});
