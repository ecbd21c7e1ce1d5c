// Draws land polygons in the heatmap's Web Mercator view, for orientation under the heat.
import type { ViewState } from "../pkg/geoheat.js";

/** Polygons as GeoJSON coordinates: rings of [lon, lat]. */
export type Polygons = number[][][][];

const MAX_LAT = 85.0511287798066;

function worldX(lon: number): number {
  return (lon + 180) / 360;
}

function worldY(lat: number): number {
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  return (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2;
}

/** Draws `polygons` on `canvas` for `view`, at device resolution, repeating across world copies. */
export function drawOutline(canvas: HTMLCanvasElement, polygons: Polygons, view: ViewState): void {
  const dpr = view.devicePixelRatio;
  const [w, h] = [Math.round(view.width * dpr), Math.round(view.height * dpr)];
  if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const scale = 512 * 2 ** view.zoom * dpr;
  const [cx, cy] = [worldX(view.center[0]), worldY(view.center[1])];
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#1c2430";
  ctx.strokeStyle = "#3d4b5c";
  ctx.lineWidth = dpr;
  const halfWorlds = w / 2 / scale;
  for (let copy = Math.floor(cx - halfWorlds); copy <= Math.ceil(cx + halfWorlds) - 1; copy++) {
    ctx.beginPath();
    for (const polygon of polygons) {
      for (const ring of polygon) {
        ring.forEach(([lon, lat], i) => {
          const x = (worldX(lon) + copy - cx) * scale + w / 2;
          const y = (worldY(lat) - cy) * scale + h / 2;
          if (i === 0) ctx.moveTo(x, y);
          else ctx.lineTo(x, y);
        });
        ctx.closePath();
      }
    }
    ctx.fill("evenodd");
    ctx.stroke();
  }
}
