// The legend box of the map pages: what is shown, the colour ramp and the density it spans.
import type { Legend } from "../geoheat/index.js";

/** Fills #legend with `caption` and the layer's ramp (a CSS gradient of its stops). */
export function showLegend(layer: { legend(): Legend | null }, caption: string): void {
  const box = document.getElementById("legend");
  const legend = layer.legend();
  if (box === null || legend === null) return;
  const stops = legend.stops.map((s) => `${s.color} ${(s.offset * 100).toFixed(1)}%`).join(", ");
  box.replaceChildren();
  const text = document.createElement("div");
  text.textContent = `${caption}, weighted by magnitude`;
  const bar = document.createElement("div");
  bar.className = "ramp";
  bar.style.backgroundImage = `linear-gradient(to right, ${stops})`;
  box.append(text, bar);
}
