// Serves www/ on 127.0.0.1 with the cross-origin isolation headers (COOP/COEP) that
// SharedArrayBuffer and precise timers need. `node www/serve.mjs [--port N] [--host H]` prints
// the URL. Only files under the root are served: `..`, encoded or not, and symbolic links that
// lead out of the tree are refused (403); a directory serves its index.html; ranges are not
// served (a Range header gets the whole file).
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
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

/**
 * Whether `file` (normalised) is `root` or under it, as written and once symbolic links are
 * followed. A file that does not exist is judged as written (it answers 404).
 */
async function inside(root, file) {
  const under = (dir, path) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  if (!under(normalize(root), file)) return false;
  const real = await realpath(file).catch(() => null);
  return real === null || under(await realpath(root), real);
}

/** Starts the server; resolves to `{ url, close }`. Port 0 picks a free port. */
export function startServer({ port = 8080, host = "127.0.0.1", root = WWW } = {}) {
  const server = createServer(async (req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400, headers).end("bad request");
      return;
    }
    try {
      let file = normalize(join(root, path));
      if (!(await inside(root, file))) {
        res.writeHead(403, headers).end("forbidden");
        return;
      }
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        if (!(await inside(root, file))) {
          res.writeHead(403, headers).end("forbidden");
          return;
        }
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
  const arg = (name) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const port = Number(arg("--port") ?? process.env.PORT ?? 8080);
  // Loopback unless told otherwise: the demo serves the working tree.
  const host = arg("--host") ?? "127.0.0.1";
  try {
    const { url } = await startServer({ port, host });
    console.log(`geoheat demo: ${url}  (Ctrl-C to stop)`);
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    const why = code === "EADDRINUSE" ? "is in use (pick another with --port N)" : `cannot be opened (${code ?? String(err)})`;
    console.error(`geoheat demo: ${host}:${port} ${why}`);
    process.exit(1);
  }
}
