// playbook serve in a real browser: a save reloads the page, and the reader
// keeps their scroll position and their place in a decision tree; a tab
// refused its live-reload stream tries again later; serve's notices show in
// a banner apart from the error overlay.
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

test("a tab refused its live-reload stream asks again, from its place in the log, and reloads on the next save", async () => {
  const context = await browser.newContext();
  // Refuse the first two streams as serve does when too many tabs are
  // open, then let the tab through to the real serve.
  const asked = [];
  await context.route("**/__playbook/events*", async (route) => {
    asked.push(route.request().url());
    if (asked.length <= 2) {
      await route.fulfill({
        status: 503,
        headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "10" },
        body: "too many live-reload connections\n",
      });
    } else {
      await route.continue();
    }
  });
  const tab = await context.newPage();
  const opened = tab.waitForResponse((res) => res.url().includes("/__playbook/events") && res.status() === 200, { timeout: 30000 });
  await tab.goto(url + "agencies.html");
  await tab.evaluate(() => { window.stillOld = true; });
  await opened;
  assert.equal(asked.length, 3, `two refusals, then one stream: ${JSON.stringify(asked)}`);
  // Chromium keeps server timings on 127.0.0.1, so the page knows its place
  // and every attempt, the retries too, names it.
  const place = await tab.evaluate(
    () => performance.getEntriesByType("navigation")[0].serverTiming.find((t) => t.name === "pb-update")?.description
  );
  assert.match(place ?? "", /^\d+\.\d+$/, "the page's place in serve's log");
  assert.deepEqual(asked.map((u) => new URL(u).searchParams.get("since")), [place, place, place]);

  appendFileSync(path.join(project, "content", "agencies.md"), "\nA line saved once the stream was let through.\n");
  const settled = (probe) => () => probe().catch(() => undefined);
  await eventually(settled(() => tab.evaluate(() => window.stillOld === undefined)), true, "the tab reloaded", 20000);
  await eventually(settled(() => tab.locator("text=A line saved once the stream was let through.").count()), 1, "the new line shows");
  await context.close();
});

test("a notice shows as text in a status banner over the page, without a reload, and stays while a build error comes and goes", async () => {
  const context = await browser.newContext();
  const notice = "File watching failed: <b>too many open files</b>";
  const sse = (...events) => "retry: 50\n" + events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("");
  // Each stream the tab opens gets the next body, once its gate opens; the
  // browser opens the next stream when one ends.
  const bodies = [
    sse({ type: "notice", text: notice }),
    sse({ type: "notice", text: notice }, { type: "error", text: "a link to a missing page" }),
    sse({ type: "ok" }),
  ];
  const gates = bodies.map(() => {
    let open;
    const gate = new Promise((resolve) => { open = resolve; });
    return { gate, open };
  });
  let asked = 0;
  await context.route("**/__playbook/events*", async (route) => {
    const n = asked++;
    if (n >= bodies.length) return; // left unanswered: no more events
    await gates[n].gate;
    await route.fulfill({ status: 200, headers: { "content-type": "text/event-stream" }, body: bodies[n] });
  });
  const tab = await context.newPage();
  let loads = 0;
  tab.on("load", () => { loads += 1; });
  await tab.goto(url + "finnish-law.html");
  await tab.evaluate(() => { window.stillHere = true; });
  gates[0].open();

  const banner = tab.locator(".pb-reload-notice");
  const overlay = tab.locator(".pb-reload-overlay");
  await eventually(() => banner.count(), 1, "the notice banner", 10000);
  assert.equal(await banner.getAttribute("role"), "status");
  assert.equal(await banner.textContent(), `playbook: ${notice}`);
  assert.equal(await banner.locator("b").count(), 0, "the notice's markup is shown as text");
  assert.equal(await overlay.count(), 0, "a notice is not a build error");
  // Fixed over the page: what is at its middle is the banner.
  const placed = await banner.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {
      position: getComputedStyle(el).position,
      onTop: el.contains(top),
      atBottom: Math.abs(box.bottom - window.innerHeight) < 1,
      scrolls: document.documentElement.scrollHeight > window.innerHeight,
    };
  });
  assert.deepEqual(placed, { position: "fixed", onTop: true, atBottom: true, scrolls: true });

  gates[1].open();
  await eventually(() => overlay.count(), 1, "the error overlay", 10000);
  assert.equal(await overlay.getAttribute("role"), "alert");
  assert.match(await overlay.textContent(), /a link to a missing page/);
  assert.equal(await banner.count(), 1, "one banner");
  assert.equal(await banner.textContent(), `playbook: ${notice}`);

  gates[2].open();
  await eventually(() => overlay.count(), 0, "the overlay clears", 10000);
  assert.equal(await banner.count(), 1, "the notice stays");
  assert.equal(await banner.textContent(), `playbook: ${notice}`);
  assert.equal(await tab.evaluate(() => window.stillHere), true, "no reload");
  assert.equal(loads, 1, "one load");
  await context.unroute("**/__playbook/events*");
  await context.close();
});

test("a refused tab waits 2 s, twice as long after each refusal up to a minute, and 2 s again once a stream has opened", async () => {
  const context = await browser.newContext();
  // Count the streams the page makes and those refused, so that the test
  // moves the page's clock only once it has scheduled its next attempt.
  await context.addInitScript(() => {
    const Native = window.EventSource;
    window.pbStreams = { made: 0, refused: 0 };
    window.EventSource = class extends Native {
      constructor(...args) {
        super(...args);
        window.pbStreams.made += 1;
        this.addEventListener("error", () => {
          if (this.readyState === Native.CLOSED) window.pbStreams.refused += 1;
        });
      }
    };
  });
  // Seven refusals, one stream that opens and ends (the browser opens it
  // again by itself), then refusals again.
  let asked = 0;
  await context.route("**/__playbook/events*", async (route) => {
    asked += 1;
    if (asked === 8) {
      await route.fulfill({ status: 200, headers: { "content-type": "text/event-stream" }, body: "retry: 10\n: open\n\n" });
    } else {
      await route.fulfill({ status: 503, headers: { "content-type": "text/plain; charset=utf-8" }, body: "too many\n" });
    }
  });
  const tab = await context.newPage();
  await tab.clock.install({ time: new Date("2026-01-01T00:00:00Z") });
  await tab.clock.pauseAt(new Date("2026-01-01T00:00:01Z"));
  await tab.goto(url + "index.html");
  const streams = () => tab.evaluate(() => ({ ...window.pbStreams }));
  const waits = [2000, 4000, 8000, 16000, 32000, 60000, 60000, 2000, 4000];
  for (const [i, wait] of waits.entries()) {
    const made = i + 1;
    await eventually(streams, { made, refused: made }, `refusal ${made} seen`, 10000);
    // The stream that opened and ended was asked for again by the browser.
    assert.equal(asked, made < 8 ? made : made + 1, "requests so far");
    await tab.clock.runFor(wait - 1);
    assert.deepEqual(await streams(), { made, refused: made }, `no attempt ${made + 1} before ${wait} ms`);
    await tab.clock.runFor(1);
    assert.equal((await streams()).made, made + 1, `attempt ${made + 1} after ${wait} ms`);
  }
  await context.unroute("**/__playbook/events*");
  await context.close();
});
