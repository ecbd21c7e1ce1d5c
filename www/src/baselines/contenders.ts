// The contenders of the comparison behind one interface: geoheat (Canvas 2D path), the exact
// TypeScript kernel, simpleheat and heatmap.js, each on its own canvas of the same size.
import { Heatmap } from "../../pkg/geoheat.js";
import { KernelHeatmap } from "./kernel.js";
import { CLASSIC_GRADIENT, type Scene, type WorldPoints, forEachVisible, projectAll } from "./scene.js";

/** An output image: straight RGBA8, or PNG bytes (geoheat's exact front buffer). */
export interface Picture {
  format: "rgba" | "png";
  width: number;
  height: number;
  bytes: Uint8Array;
}

export interface Contender {
  readonly name: string;
  /** How its image relates to geoheat's definition, for the fidelity column. */
  readonly kernel: string;
  /** Takes `[lon, lat, weight]` triples (the data-load step). */
  load(triples: Float64Array): void;
  /** Draws `scene`; resolves to the milliseconds of synchronous work that put the frame on the canvas. */
  draw(scene: Scene): Promise<number>;
  picture(): Promise<Picture>;
  destroy(): void;
}

function addCanvas(host: HTMLElement, scene: Scene): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = scene.width;
  canvas.height = scene.height;
  canvas.style.width = `${scene.width}px`;
  canvas.style.height = `${scene.height}px`;
  host.append(canvas);
  return canvas;
}

/** Reads a canvas back (premultiplied inside the canvas, so translucent colours are rounded). */
function readCanvas(canvas: HTMLCanvasElement): Picture {
  const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
  return { format: "rgba", width: canvas.width, height: canvas.height, bytes: new Uint8Array(data.buffer) };
}

/** geoheat on Canvas 2D; a frame's cost is its `renderMs + presentMs` (the rAF callback's work). */
export async function geoheat(host: HTMLElement, scene: Scene): Promise<Contender> {
  const canvas = addCanvas(host, scene);
  const map = await Heatmap.create(canvas, {
    backend: "canvas2d",
    center: scene.center,
    zoom: scene.zoom,
    radius: scene.radius,
    normalize: "viewport",
    devicePixelRatio: 1,
    interactive: false,
  });
  let pending: ((ms: number) => void) | undefined;
  map.on("frame", (f: { renderMs: number; presentMs: number }) => pending?.(f.renderMs + f.presentMs));
  const nextFrame = () => new Promise<number>((done) => (pending = done));
  let first: Promise<number> | undefined;
  return {
    name: "geoheat (wasm, Canvas 2D)",
    kernel: "geoheat fast path (splat + blur)",
    load(triples) {
      first = nextFrame();
      map.setPoints(triples, { fitBounds: false });
    },
    async draw(next) {
      // The first frame after a load is already scheduled; later ones follow a view change.
      if (first) {
        const ms = await first;
        first = undefined;
        return ms;
      }
      const frame = nextFrame();
      map.setView({ center: next.center, zoom: next.zoom });
      return frame;
    },
    async picture() {
      return { format: "png", width: scene.width, height: scene.height, bytes: await map.snapshot() };
    },
    destroy() {
      map.destroy();
      map.free();
      canvas.remove();
    },
  };
}

/** Times a synchronous draw. */
const timed = (draw: () => void) => {
  const started = performance.now();
  draw();
  return Promise.resolve(performance.now() - started);
};

/** The exact kernel in TypeScript. */
export function kernelTs(host: HTMLElement, scene: Scene): Contender {
  const canvas = addCanvas(host, scene);
  const heat = new KernelHeatmap(canvas);
  return {
    name: "TS exact kernel (ImageData)",
    kernel: "same kernel, exact sum",
    load: (triples) => heat.load(projectAll(triples)),
    draw: (next) => timed(() => heat.draw(next)),
    picture: async () => ({ format: "rgba", width: scene.width, height: scene.height, bytes: new Uint8Array(heat.pixels().buffer) }),
    destroy: () => canvas.remove(),
  };
}

/**
 * simpleheat: a blurred circle per point, alpha-composited, coloured by alpha. The circle
 * (radius r/2.5, shadow blur r - r/2.5) ends at r like geoheat's kernel; `max` is the largest weight.
 */
export function simpleheatTs(host: HTMLElement, scene: Scene): Contender {
  const canvas = addCanvas(host, scene);
  const circle = Math.round(scene.radius / 2.5);
  const heat = simpleheat(canvas).radius(circle, scene.radius - circle).gradient(CLASSIC_GRADIENT);
  let points: WorldPoints | undefined;
  return {
    name: "simpleheat 0.4.0",
    kernel: "different kernel (blurred disc, alpha compositing)",
    load(triples) {
      points = projectAll(triples);
      heat.max(points.maxWeight);
    },
    draw: (next) =>
      timed(() => {
        const visible: Array<[number, number, number]> = [];
        forEachVisible(points!, next, scene.radius, (x, y, w) => visible.push([x, y, w]));
        heat.data(visible).draw(0);
      }),
    picture: async () => readCanvas(canvas),
    destroy: () => canvas.remove(),
  };
}

/**
 * heatmap.js: a radial gradient per integer pixel (values on one pixel add up), alpha-composited,
 * coloured by alpha; `max` is the largest weight.
 */
export function heatmapJs(host: HTMLElement, scene: Scene): Contender {
  const container = document.createElement("div");
  container.style.cssText = `width: ${scene.width}px; height: ${scene.height}px; position: relative`;
  host.append(container);
  const heat = h337.create({ container, radius: scene.radius, maxOpacity: 1, minOpacity: 0, gradient: CLASSIC_GRADIENT });
  let points: WorldPoints | undefined;
  return {
    name: "heatmap.js 2.0.5",
    kernel: "different kernel (radial gradient, alpha compositing)",
    load(triples) {
      points = projectAll(triples);
    },
    draw: (next) =>
      timed(() => {
        const data: Array<{ x: number; y: number; value: number }> = [];
        forEachVisible(points!, next, scene.radius, (x, y, value) => data.push({ x: Math.floor(x), y: Math.floor(y), value }));
        heat.setData({ min: 0, max: points!.maxWeight, data });
      }),
    picture: async () => readCanvas(heat._renderer.canvas),
    destroy: () => container.remove(),
  };
}

export const CONTENDERS = { geoheat, kernelTs, simpleheatTs, heatmapJs };
export type ContenderId = keyof typeof CONTENDERS;
