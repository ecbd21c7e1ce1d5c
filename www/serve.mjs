// Serves www/ on 127.0.0.1 with the cross-origin isolation headers (COOP/COEP) that
// SharedArrayBuffer and precise timers need. `node www/serve.mjs [--port N]` prints the URL.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const WWW = fileURLToPath(new URL(".", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".geojson": "application/geo+json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".map": "application/json",
  ".ts": "text/plain; charset=utf-8",
  ".wgsl": "text/plain; charset=utf-8",
};

/** Starts the server; resolves to `{ url, close }`. Port 0 picks a free port. */
export function startServer({ port = 8080, host = "127.0.0.1", root = WWW } = {}) {
  const server = createServer(async (req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    try {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      let file = normalize(join(root, path));
      if (!file.startsWith(normalize(root + sep)) && file !== normalize(root)) {
        res.writeHead(403, headers).end("forbidden");
        return;
      }
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file);
      }
      // Streamed with its length, so that large files arrive in chunks with a known total.
      res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": info.size });
      createReadStream(file).on("error", () => res.destroy()).pipe(res);
    } catch {
      res.writeHead(404, headers).end("not found");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = /** @type {import("node:net").AddressInfo} */ (server.address());
      resolve({ url: `http://${host}:${actual}/`, close: () => new Promise((done) => server.close(() => done(undefined))) });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--port");
  const port = at > 0 ? Number(process.argv[at + 1]) : Number(process.env.PORT ?? 8080);
  const { url } = await startServer({ port });
  console.log(`geoheat demo: ${url}  (Ctrl-C to stop)`);
}
