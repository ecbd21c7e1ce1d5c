// Writes a GeoJSON FeatureCollection of Point features to a file, for timing the CLI and its
// memory on inputs of a chosen size: `node bench/geojson-file.mjs OUT.geojson SIZE [SEED]`,
// SIZE in bytes with an optional K, M or G suffix (powers of 1024), SEED an integer [1].
// Each feature is about 110 bytes (a `mag` property and a point in one of 64 clusters), so
// 1M features make about 110 MB. The same size and seed give the same bytes.
import { openSync, writeSync, closeSync } from "node:fs";

const [out, sizeText, seedText = "1"] = process.argv.slice(2);
const size = parseSize(sizeText);
if (!out || !Number.isFinite(size) || !/^\d+$/.test(seedText)) {
  console.error("usage: node bench/geojson-file.mjs OUT.geojson SIZE[K|M|G] [SEED]");
  process.exit(2);
}

function parseSize(text) {
  const match = /^(\d+)([KMG]?)$/i.exec(text ?? "");
  if (!match) return NaN;
  const shift = { "": 0, K: 10, M: 20, G: 30 }[match[2].toUpperCase()];
  return Number(match[1]) * 2 ** shift;
}

// mulberry32: a small seeded generator, so the file is reproducible.
let state = Number(seedText) >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const clusters = Array.from({ length: 64 }, () => [random() * 300 - 150, random() * 120 - 60]);
function feature() {
  const [lon, lat] = clusters[Math.floor(random() * clusters.length)];
  // Sum of three uniforms: a rough bell around the cluster's centre, a few degrees wide.
  const spread = () => (random() + random() + random() - 1.5) * 4;
  const x = Math.max(-180, Math.min(180, lon + spread())).toFixed(5);
  const y = Math.max(-85, Math.min(85, lat + spread())).toFixed(5);
  const mag = (random() * 6).toFixed(2);
  return `{"type":"Feature","properties":{"mag":${mag}},"geometry":{"type":"Point","coordinates":[${x},${y}]}}`;
}

const head = '{"type":"FeatureCollection","features":[\n';
const tail = "\n]}\n";
const fd = openSync(out, "w");
let written = head.length;
let features = 0;
writeSync(fd, head);
// Pieces of about 8 MB: few writes, little memory.
while (written + tail.length < size) {
  const lines = [];
  let length = 0;
  while (length < 8 << 20 && written + length + tail.length < size) {
    const line = (features > 0 ? ",\n" : "") + feature();
    lines.push(line);
    length += line.length;
    features += 1;
  }
  writeSync(fd, lines.join(""));
  written += length;
}
writeSync(fd, tail);
closeSync(fd);
console.log(`${out}: ${features} features, ${written + tail.length} bytes`);
