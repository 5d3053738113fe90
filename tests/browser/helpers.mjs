// Shared set-up for the browser tests: build the site once per test file,
// serve it on 127.0.0.1, and drive Debian's Chromium with playwright-core.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".pdf": "application/pdf",
  ".wasm": "application/wasm",
};

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 << 20, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(" ")}\` failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`
    );
  }
  return result;
}

/**
 * Builds the playbook binary and a site (the repository's, or the project
 * at `project`) into a temporary folder.
 */
// A project in a new temporary folder, named after `prefix`, and a way to
// write its files (folders are made as needed).
export function tempProject(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `playbook-${prefix}-`));
  const write = (file, text) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  return { dir, write };
}

export function buildSite(project = REPO) {
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(REPO, process.env.CARGO_TARGET_DIR)
    : path.join(REPO, "target");
  run("cargo", ["build", "--release", "--quiet"], { cwd: REPO });
  const bin = path.join(target, "release", "playbook");
  assert.ok(existsSync(bin), `cargo build did not produce ${bin}`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "playbook-browser-"));
  const out = path.join(tmp, "site");
  run(bin, ["build", project, "-o", out, "--quiet"], { cwd: REPO });
  assert.ok(existsSync(path.join(out, "index.html")), "the build wrote no index.html");
  return { dir: out, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** A static file server for `dir` on 127.0.0.1, on a free port. */
export async function serve(dir) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    let file;
    try {
      const pathname = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
      file = path.join(root, path.normalize(pathname));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
    let status = 200;
    if (!existsSync(file) || !statSync(file).isFile()) {
      status = 404;
      file = path.join(root, "404.html");
      if (!existsSync(file)) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
        return;
      }
    }
    res.writeHead(status, {
      "content-type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream",
      "cache-control": "no-store",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Debian's Chromium; a missing browser is a failure, never a skip. */
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. The browser tests need it: apt-get install -y chromium`
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Every .html file of the built site, as site-relative paths. */
export function htmlPages(dir) {
  const out = [];
  (function walk(sub) {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".html")) out.push(rel);
    }
  })("");
  return out.sort();
}

/**
 * The whole environment for one test file: site, server and browser.
 * `open(path, options)` gives a page in a fresh context (fresh storage)
 * unless `options.context` is given; uncaught page errors fail the test
 * through `env.errors`. `options.project` builds that project instead of
 * the repository's.
 */
export async function startEnv(options = {}) {
  const site = buildSite(options.project);
  const server = await serve(site.dir);
  const browser = await launch();
  const env = {
    site: site.dir,
    url: server.url,
    browser,
    errors: [],
    async context(options = {}) {
      const context = await browser.newContext({ reducedMotion: "reduce", ...options });
      return context;
    },
    async open(page, options = {}) {
      const { context: given, ...rest } = options;
      const context = given || (await env.context(rest));
      const tab = await context.newPage();
      tab.on("pageerror", (error) => env.errors.push(`${page}: ${error.message}`));
      tab.on("console", (msg) => {
        // Failed loads are reported below, with their address.
        if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) {
          env.errors.push(`${page}: console: ${msg.text()}`);
        }
      });
      tab.on("response", (res) => {
        // Browsers ask for /favicon.ico on pages without an icon link.
        if (res.status() >= 400 && !res.url().endsWith("/favicon.ico")) {
          env.errors.push(`${page}: ${res.status()} ${res.url()}`);
        }
      });
      await tab.goto(new URL(page, server.url).href);
      return tab;
    },
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      site.cleanup();
    },
  };
  return env;
}

/** Polls `probe` until `check(value)` holds; fails with the last value. */
export async function eventually(probe, check, message = "condition", timeout = 15000) {
  const until = Date.now() + timeout;
  let value;
  for (;;) {
    value = await probe();
    try {
      if (typeof check === "function" ? check(value) : Object.is(value, check) || deepEqual(value, check)) {
        return value;
      }
    } catch {}
    if (Date.now() > until) {
      assert.fail(`${message}: timed out; last value ${JSON.stringify(value)}, wanted ${typeof check === "function" ? check.toString() : JSON.stringify(check)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function deepEqual(a, b) {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/** The strings the page's theme shows (the same JSON the JS reads). */
export function strings(page) {
  return page.evaluate(() => JSON.parse(document.getElementById("pb-strings").textContent));
}

export function format(text, vars) {
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}
