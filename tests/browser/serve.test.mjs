// The static server (www/serve.mjs, also the harness's server) at its edges: it serves only its
// own tree (`..` plain and encoded, absolute paths, symbolic links out of it), answers missing
// files with 404, serves a directory's index.html, answers HEAD without a body, does not serve
// ranges, binds to loopback by default, and says in one line that a port is busy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../www/serve.mjs";

const SERVE = fileURLToPath(new URL("../../www/serve.mjs", import.meta.url));
const SECRET = "secret outside the root";

/** @type {string} */ let dir;
/** @type {{ url: string, close: () => Promise<unknown> }} */ let server;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "geoheat-serve-"));
  const root = join(dir, "www");
  await mkdir(join(root, "sub"), { recursive: true });
  await mkdir(join(root, "empty"));
  await mkdir(join(dir, "www-private"));
  await writeFile(join(root, "a.json"), '{"a":1}');
  await writeFile(join(root, "sub", "index.html"), "<p>index</p>");
  await writeFile(join(dir, "secret.txt"), SECRET);
  await writeFile(join(dir, "www-private", "secret.txt"), SECRET);
  await symlink(dir, join(root, "out"));
  await symlink(join(dir, "secret.txt"), join(root, "secret-link.txt"));
  await symlink(join(root, "a.json"), join(root, "inner-link.json"));
  server = await startServer({ port: 0, root });
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Sends `path` exactly as written (fetch would resolve `..` before sending).
 * @param {string} path
 * @param {{ method?: string, headers?: Record<string, string> }} [init]
 * @returns {Promise<{ status: number, headers: import("node:http").IncomingHttpHeaders, body: string }>}
 */
function get(path, { method = "GET", headers = {} } = {}) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("a file is served with its type, length and the isolation headers", async () => {
  const res = await get("/a.json");
  assert.equal(res.status, 200);
  assert.equal(res.body, '{"a":1}');
  assert.equal(res.headers["content-type"], "application/json");
  assert.equal(res.headers["content-length"], "7");
  assert.equal(res.headers["cross-origin-opener-policy"], "same-origin");
  assert.equal(res.headers["cross-origin-embedder-policy"], "require-corp");
});

test("nothing outside the root is served, however the path is written", async () => {
  for (const path of [
    "/../secret.txt",
    "/sub/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/sub/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/..%5csecret.txt",
    "/..%2fwww-private/secret.txt",
    "/%2f" + encodeURIComponent(join(dir, "secret.txt")),
    "//" + join(dir, "secret.txt"),
    "/out/secret.txt",
    "/secret-link.txt",
    "/out/",
  ]) {
    const res = await get(path);
    assert.ok([403, 404].includes(res.status), `${path}: ${res.status}`);
    assert.ok(!res.body.includes(SECRET), path);
  }
  // A link that stays inside the tree is followed.
  assert.equal((await get("/inner-link.json")).body, '{"a":1}');
});

test("missing files are 404, a directory serves its index.html, bad encodings are 400", async () => {
  assert.equal((await get("/missing.json")).status, 404);
  assert.equal((await get("/sub/missing/")).status, 404);
  assert.equal((await get("/a.json%00")).status, 404);
  const index = await get("/sub/");
  assert.equal(index.status, 200);
  assert.equal(index.body, "<p>index</p>");
  assert.match(String(index.headers["content-type"]), /^text\/html/);
  assert.equal((await get("/sub")).body, "<p>index</p>");
  assert.equal((await get("/empty/")).status, 404);
  assert.equal((await get("/%E0%A4%A")).status, 400);
  // The server is still there after all of that.
  assert.equal((await get("/a.json")).status, 200);
});

test("HEAD answers the headers without a body; ranges are not served", async () => {
  const head = await get("/a.json", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers["content-length"], "7");
  assert.equal(head.body, "");
  const ranged = await get("/a.json", { headers: { Range: "bytes=0-1" } });
  assert.equal(ranged.status, 200);
  assert.equal(ranged.body, '{"a":1}');
});

test("it binds to loopback by default", async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test("a busy port is reported in one line, without a stack trace", async () => {
  const port = new URL(server.url).port;
  const child = spawn(process.execPath, [SERVE, "--port", port], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.equal(code, 1);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.match(stderr, new RegExp(`127\\.0\\.0\\.1:${port} is in use`));
});
