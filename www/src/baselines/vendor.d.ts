// Types for the two npm baselines, which are loaded as classic scripts (globals) on the bench page.

/** simpleheat 0.4.0: `[x, y, value]` points in canvas pixels. */
interface SimpleHeat {
  data(points: Array<[number, number, number]>): SimpleHeat;
  max(max: number): SimpleHeat;
  radius(r: number, blur?: number): SimpleHeat;
  gradient(stops: Record<number, string>): SimpleHeat;
  resize(): void;
  draw(minOpacity?: number): SimpleHeat;
}
declare function simpleheat(canvas: HTMLCanvasElement): SimpleHeat;

/** heatmap.js 2.0.5 (global `h337`): integer `{x, y, value}` points in container pixels. */
interface Heatmap2 {
  setData(data: { min?: number; max: number; data: Array<{ x: number; y: number; value: number }> }): Heatmap2;
  _renderer: { canvas: HTMLCanvasElement };
}
declare const h337: {
  create(config: {
    container: HTMLElement;
    radius?: number;
    blur?: number;
    maxOpacity?: number;
    minOpacity?: number;
    gradient?: Record<string, string>;
  }): Heatmap2;
};
