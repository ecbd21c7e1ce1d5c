// Shortens the names by which a wasm-bindgen module and its JavaScript glue find each other.
//
//   node www/minify-wasm-names.mjs www/pkg/geoheat
//
// wasm-bindgen names every import after the JavaScript it calls plus a hash
// (`__wbg_maxInterStageShaderVariables_821096d4b3020715`), and the module's ~460 imports and 60
// exports carry those names in the wasm file: 26 KB of mostly random characters, which gzip can
// barely shrink. binaryen's `--minify-imports-and-exports-and-modules` renames them to one or
// two characters and prints the mapping; this script applies that mapping to the glue (the keys
// of the import object handed to `WebAssembly.instantiate`, and the exports it reads), so that
// the pair keeps working and the glue's API (`init()` resolving to the exports, `memory` among
// them) stays as wasm-bindgen wrote it. It fails, leaving both files as they were, if any name is
// not found exactly where the glue is expected to use it.
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, writeFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const base = process.argv[2];
if (!base) {
  console.error("usage: node www/minify-wasm-names.mjs PKG_DIR/NAME (for NAME.js and NAME_bg.wasm)");
  process.exit(2);
}
const wasmOpt = fileURLToPath(new URL("node_modules/.bin/wasm-opt", import.meta.url));
const wasmPath = `${base}_bg.wasm`;
const gluePath = `${base}.js`;
const renamedWasm = `${wasmPath}.renamed`;

// The features the optimised module uses (www/build.sh's wasm-opt flags), so that binaryen
// accepts it; no optimisation pass runs here, only the renaming.
const features = ["--enable-simd", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];
const printed = execFileSync(wasmOpt, [wasmPath, ...features, "--minify-imports-and-exports-and-modules", "-o", renamedWasm],
  { encoding: "utf8", maxBuffer: 1 << 26 });
/** @type {{ imports: [string, string, string][], exports: [string, string][] }} */
const mapping = JSON.parse(printed);

let glue = readFileSync(gluePath, "utf8");
const problems = [];

/** Replaces the one match of `find` (a RegExp with the `g` flag) by `replace(...groups)`. */
function replaceOnce(find, replace, what) {
  const found = glue.match(find)?.length ?? 0;
  if (found !== 1) problems.push(`${what}: expected once in the glue, found ${found} times`);
  else glue = glue.replace(find, (_, ...groups) => replace(...groups));
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// The import object: `return { __proto__: null, "MODULE": importN, … }`, where each importN is
// either an object literal of wasm-bindgen's own imports (`NAME: function(…) {…}`), whose keys are
// renamed in place, or a snippet's ES module namespace (`#[wasm_bindgen(inline_js)]`), whose names
// are fixed, so that its fields are listed under their new names. binaryen renames the modules
// too (it may merge them into one) without printing how: that is read back from the import section.
const renamedModules = importModules(readFileSync(renamedWasm));
/** Renamed module → the JavaScript that builds its object, in parts. */
const parts = new Map();
const importObject = /^(\s*)return \{\n\s*__proto__: null,\n((?:\s*"[^"\n]+": \w+,\n)+)\s*\};$/m;
const entries = [...(glue.match(importObject)?.[2] ?? "").matchAll(/"([^"\n]+)": (\w+),/g)];
if (entries.length === 0) problems.push("the import object (`return { __proto__: null, \"MODULE\": importN, … }`) was not found");
for (const [, module, variable] of entries) {
  const fields = mapping.imports.filter(([m]) => m === module);
  if (fields.length === 0) continue; // a module the wasm does not import from
  const renamed = renamedModules.get(fields[0][2]);
  if (!parts.has(renamed)) parts.set(renamed, []);
  if (new RegExp(`^import \\* as ${variable} from `, "m").test(glue)) {
    parts.get(renamed).push(...fields.map(([, name, short]) => `${JSON.stringify(short)}: ${variable}.${name}`));
  } else {
    for (const [, name, short] of fields) {
      replaceOnce(new RegExp(`^(\\s*)${escape(name)}: `, "gm"), (indent) => `${indent}${JSON.stringify(short)}: `, `import ${name}`);
    }
    parts.get(renamed).push(`...${variable}`);
  }
}
const modulesSeen = new Set(entries.map(([, module]) => module));
for (const [module] of mapping.imports) {
  if (!modulesSeen.has(module)) problems.push(`module ${module}: not in the import object`);
  modulesSeen.add(module);
}
glue = glue.replace(importObject, (_, indent) => {
  const objects = [...parts].map(([module, fields]) => `${indent}    ${JSON.stringify(module)}: { __proto__: null, ${fields.join(", ")} },`);
  return `${indent}return {\n${indent}    __proto__: null,\n${objects.join("\n")}\n${indent}};`;
});

// The exports: the glue keeps `wasm` (its calls `wasm.NAME`, and what `init()` resolves to, whose
// `memory` pages read) under the long names, as an object built once from the short ones.
const exportsByName = mapping.exports.map(([name, short]) => `${JSON.stringify(name)}: exports[${JSON.stringify(short)}]`);
replaceOnce(/^(\s*)wasm = instance\.exports;$/gm,
  (indent) => `${indent}const exports = instance.exports;\n${indent}wasm = { __proto__: null, ${exportsByName.join(", ")} };`,
  "`wasm = instance.exports;`");

if (problems.length > 0) {
  rmSync(renamedWasm);
  console.error(`${gluePath} does not have the shape this script knows; nothing was renamed:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
writeFileSync(gluePath, glue);
renameSync(renamedWasm, wasmPath);

/** Maps each import's (renamed) field name to its (renamed) module name, from the import section. */
function importModules(bytes) {
  let at = 8; // magic and version
  const u32 = () => {
    let result = 0, shift = 0, byte;
    do { byte = bytes[at++]; result |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80);
    return result >>> 0;
  };
  const name = () => { const length = u32(); const text = new TextDecoder().decode(bytes.subarray(at, at + length)); at += length; return text; };
  const byField = new Map();
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id === 2) {
      for (let count = u32(); count > 0; count--) {
        const module = name();
        const field = name();
        byField.set(field, module);
        const kind = bytes[at++];
        if (kind === 0) u32(); // function: type index
        else if (kind === 1) { at++; const flags = u32(); u32(); if (flags & 1) u32(); } // table
        else if (kind === 2) { const flags = u32(); u32(); if (flags & 1) u32(); } // memory
        else if (kind === 3) { at++; at++; } // global: value type, mutability
        else if (kind === 4) { at++; u32(); } // tag
        else throw new Error(`import of unknown kind ${kind}`);
      }
      return byField;
    }
    at = end;
  }
  return byField;
}
