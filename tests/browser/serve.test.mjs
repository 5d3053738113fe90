// playbook serve in a real browser: a save reloads the page, and the reader
// keeps their scroll position and their place in a decision tree.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { REPO, eventually, launch } from "./helpers.mjs";

let project, child, url, browser;

before(async () => {
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(REPO, process.env.CARGO_TARGET_DIR) : path.join(REPO, "target");
  const built = spawnSync("cargo", ["build", "--release", "--quiet"], { cwd: REPO, encoding: "utf8" });
  assert.equal(built.status, 0, built.stderr);
  project = mkdtempSync(path.join(os.tmpdir(), "playbook-serve-"));
  cpSync(path.join(REPO, "book.yaml"), path.join(project, "book.yaml"));
  cpSync(path.join(REPO, "content"), path.join(project, "content"), { recursive: true });
  child = spawn(path.join(target, "release", "playbook"), ["serve", "--port", "0", project], { stdio: ["ignore", "pipe", "inherit"] });
  url = await new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const match = seen.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) resolve(match[0]);
    });
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${seen}`)));
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  // Stop serve as Ctrl-C would, so it removes its temporary folder.
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await exited;
  }
  if (project) rmSync(project, { recursive: true, force: true });
});

test("a save reloads the page and keeps the scroll position and the tree's progress", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const tab = await context.newPage();
  await tab.goto(url + "decide.html");
  // Walk one step into the tree.
  const app = tab.locator(".pb-tree__app").first();
  await app.locator("button", { hasText: /^No$/ }).first().click();
  const question = await eventually(
    () => app.locator(".pb-tree__heading").first().textContent(),
    (text) => text && !/abusive/i.test(text),
    "the second question"
  );
  await tab.evaluate(() => window.scrollTo(0, 600));
  const scrolled = await tab.evaluate(() => window.scrollY);
  assert.ok(scrolled > 300, `the page scrolls (${scrolled})`);

  await tab.evaluate(() => { window.beforeReload = true; });
  appendFileSync(path.join(project, "content", "decide.md"), "\nA sentence added while the page was open.\n");
  // While the page reloads its context goes away; such probes count as "not yet".
  const settled = (probe) => () => probe().catch(() => undefined);
  await eventually(settled(() => tab.evaluate(() => window.beforeReload === undefined)), true, "the page reloaded", 20000);
  await eventually(settled(() => tab.locator("text=A sentence added while the page was open.").count()), 1, "the new text shows");
  await eventually(settled(() => tab.evaluate(() => window.scrollY)), (y) => Math.abs(y - scrolled) < 5, "scroll position kept");
  const after = await app.locator(".pb-tree__heading").first().textContent();
  assert.equal(after, question, "the tree stays on the same question");
  await context.close();
});

test("a broken save shows the overlay and the fix clears it", async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(url + "prevent.html");
  const file = path.join(project, "content", "prevent.md");
  appendFileSync(file, "\n[broken](nowhere.md)\n");
  const overlay = tab.locator(".pb-reload-overlay");
  await eventually(() => overlay.count(), 1, "the error overlay", 20000);
  assert.match(await overlay.textContent(), /link to a missing page `nowhere\.md`/);
  const { readFileSync, writeFileSync } = await import("node:fs");
  writeFileSync(file, readFileSync(file, "utf8").replace("[broken](nowhere.md)", "fixed"));
  await eventually(() => overlay.count(), 0, "the overlay clears", 20000);
  await context.close();
});

test("a save made while a page loads, before its live-reload stream opens, still reloads it", async () => {
  const context = await browser.newContext();
  // Hold the tab's stream back until the save has been built and sent, as
  // a slow page load would.
  let open;
  const gate = new Promise((resolve) => { open = resolve; });
  await context.route("**/__playbook/events*", async (route) => { await gate; await route.continue(); });
  const tab = await context.newPage();
  await tab.goto(url + "how-to/handover.html");
  await tab.evaluate(() => { window.stillOld = true; });
  appendFileSync(path.join(project, "content", "how-to", "handover.md"), "\nA line saved while the page loaded.\n");
  // serve has built and announced the save: the page it serves now has it.
  await eventually(
    async () => (await (await fetch(url + "how-to/handover.html")).text()).includes("A line saved while the page loaded."),
    true,
    "serve has the new page",
    20000
  );
  open();
  const settled = (probe) => () => probe().catch(() => undefined);
  await eventually(settled(() => tab.evaluate(() => window.stillOld === undefined)), true, "the tab reloaded", 20000);
  await eventually(settled(() => tab.locator("text=A line saved while the page loaded.").count()), 1, "the new line shows");
  await context.close();
});

test("a stylesheet edit swaps the styles without reloading, also in a theme folder made while serving", async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(url + "prevent.html");
  await tab.evaluate(() => { window.stillHere = true; });
  const { mkdirSync, writeFileSync } = await import("node:fs");
  const css = path.join(project, "themes", "default", "css");
  // A new theme folder means a full rebuild and a reload; after it serve
  // watches inside the folder.
  const reloaded = tab.waitForEvent("load", { timeout: 20000 });
  mkdirSync(css, { recursive: true });
  await reloaded;
  writeFileSync(path.join(css, "99-test.css"), "body { outline: 7px solid rgb(1, 2, 3); }\n");
  const settled = (probe) => () => probe().catch(() => undefined);
  await tab.evaluate(() => { window.stillHere = true; }).catch(() => {});
  await eventually(
    settled(() => tab.evaluate(() => getComputedStyle(document.body).outlineWidth)),
    "7px",
    "the new rule applies",
    20000
  );
  assert.equal(await tab.evaluate(() => window.stillHere), true, "no reload for a stylesheet");
  await context.close();
});
