// The demo's layer panel: built-in contour and point layers, and a custom WGSL layer with an
// editor. Edits are applied as you type (hot swap); a WGSL error is shown under the editor at its
// line and column while the last valid shader keeps drawing.
import type { BlendMode, GeoheatError, LayerInfo, LayerOptions, LayerUpdate, UniformValue } from "../pkg/geoheat.js";

/**
 * What holds the layer stack: a heatmap, or a map layer drawing one (whose changes must reach
 * the map, so they go through it); each call may return a Promise.
 */
export interface LayerStack {
  layers(): LayerInfo[] | Promise<LayerInfo[]>;
  addLayer(options: LayerOptions): unknown;
  updateLayer(name: string, update: LayerUpdate): unknown;
  removeLayer(name: string): unknown;
  on(event: "layer", callback: (layer: LayerInfo) => void): unknown;
}

interface Example {
  label: string;
  file: string;
  uniforms: Record<string, UniformValue>;
  blend: BlendMode;
}

/** The examples in shaders/examples/, copied to dist/examples/ by www/build.sh. */
const EXAMPLES: Record<string, Example> = {
  bands: { label: "Banded colours", file: "bands.wgsl", uniforms: { bands: 6 }, blend: "normal" },
  pulse: { label: "Pulsing hot-spots", file: "pulse.wgsl", uniforms: { level: 0.3, speed: 3 }, blend: "add" },
  mask: { label: "Threshold mask", file: "mask.wgsl", uniforms: { threshold: 0.25, veil: [0.02, 0.03, 0.06, 0.7] }, blend: "normal" },
};

const CUSTOM = "custom";
/** Bottom to top: built-ins go above the custom layer, points above contours. */
const ORDER = ["heat", CUSTOM, "contours", "points"];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** `message` with the offending source line and a caret under the column, as compilers print. */
export function formatWgslError(error: Partial<GeoheatError>, source: string): string {
  const head = `${error.code ?? "ERROR"}${error.line ? ` at line ${error.line}, column ${error.column}` : ""}`;
  const lines = [head, error.message ?? String(error)];
  if (error.line) {
    const text = source.split("\n")[error.line - 1] ?? "";
    lines.push("", `${String(error.line).padStart(4)} | ${text}`, `${" ".repeat(7 + Math.max(0, (error.column ?? 1) - 1))}^`);
  }
  lines.push("", "The last valid shader keeps drawing.");
  return lines.join("\n");
}

/** The name of the first existing layer above `name` in ORDER, to insert below it. */
async function insertionPoint(map: LayerStack, name: string): Promise<string | undefined> {
  const existing = new Set((await map.layers()).map((l) => l.name));
  return ORDER.slice(ORDER.indexOf(name) + 1).find((n) => existing.has(n));
}

function describe(layer: LayerInfo): string {
  const state = layer.active ? "" : ` (inactive: ${layer.reason})`;
  const animated = layer.animated ? ", animated" : "";
  return `${layer.name}: ${layer.kind}, ${layer.blend}, opacity ${layer.opacity}${animated}${layer.visible ? "" : ", hidden"}${state}`;
}

const hasLayer = async (map: LayerStack, name: string) => (await map.layers()).some((l) => l.name === name);

export function setupLayersPanel(map: LayerStack): void {
  const editor = $<HTMLTextAreaElement>("wgsl");
  const uniformsInput = $<HTMLInputElement>("wgsl-uniforms");
  const errorBox = $("wgsl-error");
  const exampleSelect = $<HTMLSelectElement>("wgsl-example");
  let blend: BlendMode = "normal";

  const refreshList = async () => {
    $("layer-list").textContent = (await map.layers()).map(describe).join("\n");
  };
  void map.on("layer", () => void refreshList());

  const toggle = (id: string, name: string, kind: "contours" | "points", uniforms: Record<string, UniformValue>) => {
    $<HTMLInputElement>(id).addEventListener("change", async (e) => {
      if ((e.target as HTMLInputElement).checked) {
        await map.addLayer({ name, kind, uniforms, before: await insertionPoint(map, name) });
      } else {
        await map.removeLayer(name);
      }
      await refreshList();
    });
  };
  toggle("layer-contours", "contours", "contours", { interval: 0.2, width: 1.2, color: [1, 1, 1, 0.8], fill: 0 });
  toggle("layer-points", "points", "points", { radius: 1.5, color: [1, 1, 1, 0.85] });
  $<HTMLInputElement>("layer-heat").addEventListener("change", async (e) => {
    await map.updateLayer("heat", { visible: (e.target as HTMLInputElement).checked });
    await refreshList();
  });

  /**
   * Adds or hot-swaps the custom layer with the editor's source; shows errors inline. The first
   * custom layer waits for the WGSL validator to load.
   */
  const apply = async () => {
    const wgsl = editor.value;
    try {
      const uniforms = JSON.parse(uniformsInput.value || "{}") as Record<string, UniformValue>;
      if (await hasLayer(map, CUSTOM)) {
        await map.updateLayer(CUSTOM, { wgsl, uniforms, blend, visible: true });
      } else {
        await map.addLayer({ name: CUSTOM, wgsl, uniforms, blend, before: await insertionPoint(map, CUSTOM) });
      }
      errorBox.textContent = "";
      errorBox.hidden = true;
    } catch (e) {
      errorBox.textContent = e instanceof SyntaxError ? `uniforms: ${e.message}` : formatWgslError(e as GeoheatError, wgsl);
      errorBox.hidden = false;
    }
    await refreshList();
  };

  let pending: number | undefined;
  const applySoon = () => {
    clearTimeout(pending);
    pending = window.setTimeout(() => void apply(), 300);
  };
  editor.addEventListener("input", applySoon);
  uniformsInput.addEventListener("input", applySoon);
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void apply();
    }
  });

  for (const [key, example] of Object.entries(EXAMPLES)) exampleSelect.add(new Option(example.label, key));
  exampleSelect.addEventListener("change", async () => {
    const example = EXAMPLES[exampleSelect.value];
    if (!example) {
      if (await hasLayer(map, CUSTOM)) await map.removeLayer(CUSTOM);
      editor.value = "";
      await refreshList();
      return;
    }
    editor.value = await (await fetch(`dist/examples/${example.file}`)).text();
    uniformsInput.value = JSON.stringify(example.uniforms);
    blend = example.blend;
    await apply();
  });
  void refreshList();
}
