// The smaller components: task lists, clauses, the sidebar and menu, the
// theme switch, the print button and the "/" shortcut.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { eventually, format, startEnv, strings } from "./helpers.mjs";

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});
afterEach(() => {
  const errors = env.errors.splice(0);
  assert.deepEqual(errors, [], "no script errors on the page");
});

describe("task lists", () => {
  const page = "how-to/be-clear.html";

  const read = (tab) =>
    tab.evaluate(() =>
      [...document.querySelectorAll("input.pb-task")].map((i) => ({ id: i.dataset.item, checked: i.checked }))
    );
  const progress = (tab) =>
    tab.evaluate(() => [...document.querySelectorAll(".pb-task-progress [role=status]")].map((s) => s.textContent));
  const saved = (tab) =>
    tab.evaluate((prefix) => {
      const out = {};
      for (let i = 0; i < localStorage.length; i++) {
        const k = localStorage.key(i);
        if (k.startsWith(prefix)) out[k] = JSON.parse(localStorage.getItem(k));
      }
      return out;
    }, `playbook:${page}:tasks:`);

  test("ticks are kept across a reload, with progress, and Reset clears them", async () => {
    const tab = await env.open(page);
    const S = await strings(tab);
    const items = await read(tab);
    assert.ok(items.length >= 3, "the page has a task list");
    assert.deepEqual(await progress(tab), [format(S["tasks.progress"], { done: 0, total: items.length })]);
    const boxes = tab.locator("input.pb-task");
    await boxes.nth(0).check();
    await boxes.nth(2).click();
    await eventually(() => progress(tab), [format(S["tasks.progress"], { done: 2, total: items.length })], "progress");
    const stored = await saved(tab);
    assert.equal(Object.keys(stored).length, 1, "one key for the one list");
    assert.deepEqual(Object.values(stored)[0], [items[0].id, items[2].id]);

    await tab.reload();
    assert.deepEqual(
      (await read(tab)).map((i) => i.checked),
      items.map((_, i) => i === 0 || i === 2)
    );
    assert.deepEqual(await progress(tab), [format(S["tasks.progress"], { done: 2, total: items.length })]);

    // Reset, with the keyboard.
    const reset = tab.getByRole("button", { name: S["tasks.reset"] });
    await reset.focus();
    await tab.keyboard.press("Enter");
    await eventually(
      () => progress(tab),
      [`${S["tasks.reset_done"]} ${format(S["tasks.progress"], { done: 0, total: items.length })}`],
      "reset status"
    );
    assert.ok((await read(tab)).every((i) => !i.checked));
    assert.deepEqual(await saved(tab), {}, "Reset forgets the list");
    await tab.reload();
    assert.ok((await read(tab)).every((i) => !i.checked));
    await tab.context().close();
  });

  test("each task checkbox is labelled by its text", async () => {
    const tab = await env.open(page);
    const labels = await tab.evaluate(() =>
      [...document.querySelectorAll("input.pb-task")].map((i) => [i.getAttribute("aria-label"), i.closest("li").textContent.trim()])
    );
    for (const [label, text] of labels) assert.equal(label, text);
    await tab.context().close();
  });

  test("pre-checked items (- [x]) are the starting state, and Reset returns to it", async () => {
    // The bundled content has no pre-checked item, so serve a copy of a
    // real page with one more list, written the way the markdown renderer
    // writes `- [x] A` / `- [ ] B`, at another address of the same site.
    const context = await env.context();
    const real = await (await context.request.get(new URL(page, env.url).href)).text();
    const list =
      '<ul>\n<li><input type="checkbox" class="pb-task" data-item="a" aria-label="A" checked> A</li>\n' +
      '<li><input type="checkbox" class="pb-task" data-item="b" aria-label="B"> B</li>\n</ul>\n';
    const html = real
      .replace('data-page="how-to/be-clear.html"', 'data-page="how-to/prechecked.html"')
      .replace('<div class="pb-content">', '<div class="pb-content">\n' + list);
    assert.notEqual(html, real);
    const url = new URL("how-to/prechecked.html", env.url).href;
    await context.route(url, (r) => r.fulfill({ contentType: "text/html; charset=utf-8", body: html }));
    const tab = await env.open("how-to/prechecked.html", { context });
    const S = await strings(tab);
    const first = () => tab.evaluate(() => [...document.querySelectorAll(".pb-content ul")[0].querySelectorAll("input")].map((i) => i.checked));
    const status = () => tab.locator(".pb-task-progress [role=status]").first().textContent();
    assert.deepEqual(await first(), [true, false]);
    assert.equal(await status(), format(S["tasks.progress"], { done: 1, total: 2 }));
    await tab.locator(".pb-content ul").first().locator("input").first().uncheck();
    await tab.reload();
    assert.deepEqual(await first(), [false, false], "an unticked pre-checked item stays unticked");
    // The two lists on the page are kept apart.
    const keys = await tab.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("playbook:how-to/prechecked.html:tasks:")));
    assert.equal(keys.length, 1);
    await tab.getByRole("button", { name: S["tasks.reset"] }).first().click();
    assert.deepEqual(await first(), [true, false], "Reset goes back to the pre-checked state");
    await eventually(status, `${S["tasks.reset_done"]} ${format(S["tasks.progress"], { done: 1, total: 2 })}`);
    await context.close();
  });
});

describe("clauses", () => {
  const page = "clauses/notice-and-payment.html";

  const blanks = (tab) =>
    tab.evaluate(() =>
      [...document.querySelectorAll("span.pb-field")].map((s) => ({
        name: s.dataset.field,
        text: s.textContent,
        filled: s.classList.contains("pb-field--filled"),
      }))
    );

  test("a field fills every matching blank and input on the page, and is remembered", async () => {
    const tab = await env.open(page);
    assert.ok(await tab.locator(".pb-clause__fields").first().isVisible(), "the fields are shown");
    assert.ok(await tab.locator(".pb-clause__tools").first().isVisible(), "the tools are shown");
    const providers = tab.locator('input[data-field="Provider name"]');
    assert.ok((await providers.count()) >= 2, "two clauses ask for the provider");
    // Typed like a person, one key at a time, in the second clause.
    await providers.nth(1).pressSequentially("Acme Oy");
    await eventually(() => providers.nth(0).inputValue(), "Acme Oy", "the other Provider name input follows");
    let all = await blanks(tab);
    for (const b of all.filter((b) => b.name === "Provider name")) assert.deepEqual(b, { name: "Provider name", text: "Acme Oy", filled: true });
    for (const b of all.filter((b) => b.name !== "Provider name")) assert.deepEqual(b, { name: b.name, text: `[${b.name}]`, filled: false });

    // Cleared again: the placeholder comes back.
    await providers.nth(0).fill("");
    all = await blanks(tab);
    for (const b of all.filter((b) => b.name === "Provider name")) assert.deepEqual(b, { name: "Provider name", text: "[Provider name]", filled: false });

    await providers.nth(0).fill("Acme Oy");
    await tab.locator('input[data-field="Client name"]').first().fill("Bolt Ltd");
    await tab.reload();
    assert.equal(await providers.nth(1).inputValue(), "Acme Oy");
    assert.equal(await tab.locator('input[data-field="Client name"]').nth(1).inputValue(), "Bolt Ltd");
    all = await blanks(tab);
    assert.ok(all.filter((b) => b.name === "Client name").every((b) => b.text === "Bolt Ltd" && b.filled));
    assert.ok(all.filter((b) => b.name === "Notice period").every((b) => b.text === "[Notice period]"));
    await tab.context().close();
  });

  test("Copy puts the filled clause on the clipboard as plain text", async () => {
    const context = await env.context();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(env.url).origin });
    const tab = await env.open(page, { context });
    const S = await strings(tab);
    await tab.locator('input[data-field="Provider name"]').first().fill("Acme Oy");
    const clause = tab.locator("figure.pb-clause").first();
    await clause.getByRole("button", { name: S["clause.copy"] }).click();
    await eventually(() => clause.locator(".pb-clause__status").textContent(), S["clause.copied"], "copy status");
    const text = await tab.evaluate(() => navigator.clipboard.readText());
    const paragraphs = await clause.locator(".pb-clause__text p").count();
    assert.equal(text.trim().split("\n\n").length, paragraphs, "paragraphs separated by blank lines");
    assert.ok(text.startsWith('This clause applies between Acme Oy (the "Provider")'), text);
    assert.ok(text.includes('and [Client name] (the "Client").'), "an empty field stays a placeholder");
    assert.ok(!text.includes("[Provider name]"));
    assert.ok(!/<|>/.test(text), "plain text, no markup");
    assert.ok(!/\n(?!\n)/.test(text.trim().replace(/\n\n/g, "")), "no line breaks inside a paragraph");
    await context.close();
  });

  test("without the clipboard API the copy falls back to a selection copy", async () => {
    const context = await env.context();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(env.url).origin });
    await context.addInitScript(() => {
      window.__clipboard = navigator.clipboard;
      Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined, configurable: true });
    });
    const tab = await env.open(page, { context });
    const S = await strings(tab);
    const clause = tab.locator("figure.pb-clause").nth(1);
    await clause.locator('input[data-field="Time to pay"]').fill("30 days");
    const button = clause.getByRole("button", { name: S["clause.copy"] });
    await button.click();
    await eventually(() => clause.locator(".pb-clause__status").textContent(), S["clause.copied"], "copy status");
    const text = await tab.evaluate(() => window.__clipboard.readText());
    assert.ok(text.startsWith('This clause applies between [Provider name] (the "Provider")'), text);
    assert.ok(text.includes("The final invoice is due 30 days after its date."), text);
    assert.ok(await button.evaluate((b) => document.activeElement === b), "focus stays on the Copy button");
    await context.close();
  });
});

describe("sidebar and menu", () => {
  test("the contents are injected with links from this page and the current page marked", async () => {
    const tab = await env.open("how-to/wind-down.html");
    const links = await tab.evaluate(() =>
      [...document.querySelectorAll(".pb-sidebar__toc a")].map((a) => ({
        href: a.getAttribute("href"),
        url: a.href,
        current: a.getAttribute("aria-current"),
      }))
    );
    assert.ok(links.length > 10);
    assert.ok(links.every((l) => l.href.startsWith("../")), "every link is prefixed with data-root");
    const current = links.filter((l) => l.current);
    assert.deepEqual(current, [{ href: "../how-to/wind-down.html", url: new URL("how-to/wind-down.html", env.url).href, current: "page" }]);
    // Every link leads to a page that exists.
    for (const { url } of links) {
      const res = await tab.request.get(url);
      assert.equal(res.status(), 200, url);
    }
    await tab.locator(".pb-sidebar__toc a", { hasText: "Thank them" }).click();
    await eventually(() => tab.url(), new URL("how-to/thank-them.html", env.url).href);
    assert.equal(await tab.locator('.pb-sidebar__toc a[aria-current="page"]').getAttribute("href"), "../how-to/thank-them.html");
    await tab.context().close();
  });

  test("the current link is scrolled into view in a long sidebar", async () => {
    const tab = await env.open("how-to/look-after-yourself.html", { viewport: { width: 1200, height: 300 } });
    const visible = await tab.evaluate(() => {
      const a = document.querySelector('.pb-sidebar__toc a[aria-current="page"]');
      let box = a.parentElement;
      while (box && !(getComputedStyle(box).overflowY.match(/auto|scroll/) && box.scrollHeight > box.clientHeight)) box = box.parentElement;
      if (!box || box === document.body || box === document.documentElement) return "no scrolling sidebar";
      const r = a.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      return r.top >= b.top && r.bottom <= b.bottom;
    });
    assert.ok(visible === true || visible === "no scrolling sidebar", String(visible));
    assert.equal(await tab.evaluate(() => window.scrollY), 0, "the page itself is not scrolled");
    await tab.context().close();
  });

  test("the menu button opens and closes the sidebar on a narrow screen", async () => {
    const tab = await env.open("how-to/be-clear.html", { viewport: { width: 600, height: 800 } });
    const toggle = tab.locator("button.pb-menu-toggle");
    assert.ok(await toggle.isVisible(), "the menu button is shown");
    assert.equal(await toggle.getAttribute("aria-expanded"), "false");
    await toggle.focus();
    await tab.keyboard.press("Enter");
    assert.equal(await toggle.getAttribute("aria-expanded"), "true");
    assert.ok(await tab.locator("#pb-sidebar").evaluate((s) => s.classList.contains("pb-sidebar--open")));
    await eventually(() => tab.locator('.pb-sidebar__toc a[aria-current="page"]').isVisible(), true, "the drawer shows");
    assert.ok(
      await tab.evaluate(() => document.getElementById("pb-sidebar").contains(document.activeElement)),
      "focus moves into the contents"
    );
    await tab.keyboard.press("Escape");
    assert.equal(await toggle.getAttribute("aria-expanded"), "false");
    assert.ok(!(await tab.locator("#pb-sidebar").evaluate((s) => s.classList.contains("pb-sidebar--open"))));
    assert.ok(await toggle.evaluate((b) => document.activeElement === b), "Escape returns focus to the button");
    // And with a click.
    await toggle.click();
    assert.equal(await toggle.getAttribute("aria-expanded"), "true");
    await toggle.click();
    assert.equal(await toggle.getAttribute("aria-expanded"), "false");
    await tab.context().close();
  });

  test("the menu button stays hidden on a wide screen", async () => {
    const tab = await env.open("index.html", { viewport: { width: 1280, height: 800 } });
    assert.equal(await tab.locator("button.pb-menu-toggle").isVisible(), false);
    assert.ok(await tab.locator(".pb-sidebar__toc a").first().isVisible());
    await tab.context().close();
  });
});

describe("theme switch", () => {
  const state = (tab) =>
    tab.evaluate(() => {
      const b = document.querySelector("button.pb-theme-toggle");
      let saved = null;
      try {
        saved = localStorage.getItem("playbook:theme");
      } catch {}
      return {
        hidden: b.hidden,
        pressed: b.getAttribute("aria-pressed"),
        label: b.textContent.trim(),
        theme: document.documentElement.getAttribute("data-theme"),
        saved,
        bg: getComputedStyle(document.body).backgroundColor,
      };
    });

  test("flips between light and dark, starting from the system, and is remembered", async () => {
    const tab = await env.open("index.html", { colorScheme: "light" });
    const S = await strings(tab);
    let s = await state(tab);
    assert.deepEqual([s.hidden, s.pressed, s.label, s.theme, s.saved], [false, "false", S["theme.dark"], null, null]);
    const lightBg = s.bg;
    await tab.locator("button.pb-theme-toggle").click();
    s = await state(tab);
    assert.deepEqual([s.pressed, s.theme, s.saved], ["true", "dark", "dark"]);
    // Polled: even a reduced-motion transition starts from the old colour.
    await eventually(() => state(tab).then((x) => x.bg), (bg) => bg !== lightBg, "the page turns dark");
    await tab.reload();
    s = await state(tab);
    assert.deepEqual([s.pressed, s.theme], ["true", "dark"]);
    await tab.locator("button.pb-theme-toggle").press("Space");
    s = await state(tab);
    assert.deepEqual([s.pressed, s.theme, s.saved], ["false", "light", "light"]);
    await tab.context().close();
  });

  test("with a dark system and nothing saved, the switch starts pressed", async () => {
    const tab = await env.open("decide.html", { colorScheme: "dark" });
    let s = await state(tab);
    assert.deepEqual([s.pressed, s.theme], ["true", null]);
    await tab.locator("button.pb-theme-toggle").click();
    s = await state(tab);
    assert.deepEqual([s.pressed, s.theme, s.saved], ["false", "light", "light"]);
    await tab.context().close();
  });

  test("storage that throws does not break the page", async () => {
    const context = await env.context();
    await context.addInitScript(() => {
      Object.defineProperty(window, "localStorage", {
        get() {
          throw new DOMException("denied", "SecurityError");
        },
      });
    });
    const tab = await env.open("decide.html", { context });
    await tab.locator("button.pb-theme-toggle").click();
    assert.equal((await tab.evaluate(() => document.documentElement.getAttribute("data-theme"))), "dark");
    // The tree still walks.
    await tab.locator("#end-or-keep .pb-tree__answers").getByRole("button", { name: "No", exact: true }).click();
    await eventually(() => tab.locator("#end-or-keep .pb-tree__kicker").first().textContent(), (t) => /2/.test(t), "second question");
    const clause = await env.open("clauses/notice-and-payment.html", { context });
    await clause.locator('input[data-field="Client name"]').first().fill("Bolt Ltd");
    assert.equal(await clause.locator('input[data-field="Client name"]').nth(1).inputValue(), "Bolt Ltd");
    const tasks = await env.open("how-to/be-clear.html", { context });
    await tasks.locator("input.pb-task").first().check();
    const S = await strings(tasks);
    assert.match(await tasks.locator(".pb-task-progress [role=status]").textContent(), new RegExp(`^${format(S["tasks.progress"], { done: 1, total: "\\d+" })}$`));
    await context.close();
  });
});

describe("print and shortcuts", () => {
  test("the print page's button prints", async () => {
    const context = await env.context();
    await context.addInitScript(() => {
      window.__printed = 0;
      window.print = () => window.__printed++;
    });
    const tab = await env.open("print.html", { context });
    const button = tab.locator('button[data-module="pb-print"]');
    assert.ok(await button.isVisible());
    await button.click();
    assert.equal(await tab.evaluate(() => window.__printed), 1);
    // The print page keeps its trees written out in full.
    assert.ok(await tab.locator(".pb-tree .pb-node").first().isVisible());
    assert.equal(await tab.locator(".pb-tree--enhanced").count(), 0);
    await context.close();
  });

  test('"/" focuses the search field unless the reader is typing', async () => {
    const tab = await env.open("clauses/refund-or-substitute.html");
    const active = () => tab.evaluate(() => document.activeElement.id || document.activeElement.dataset.field || document.activeElement.tagName);
    await tab.keyboard.press("/");
    assert.equal(await active(), "pb-search-input");
    assert.equal(await tab.locator("#pb-search-input").inputValue(), "", "the slash is not typed");
    const field = tab.locator('input[data-field="Provider name"]').first();
    await field.focus();
    await tab.keyboard.type("A/B");
    assert.equal(await active(), "Provider name");
    assert.equal(await field.inputValue(), "A/B");
    await tab.context().close();
  });
});

describe("the bundle", () => {
  test("all the theme's JavaScript is under 15 KB gzipped", () => {
    const js = readFileSync(path.join(env.site, "assets", "playbook.js"));
    const size = gzipSync(js, { level: 9 }).length;
    assert.ok(size < 15000, `assets/playbook.js is ${size} bytes gzipped`);
  });

  test("the site works from file:// (no server, storage may be off)", async () => {
    const context = await env.context();
    const tab = await context.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto("file://" + path.join(env.site, "how-to", "wind-down.html"));
    await tab.locator("#wind-down .pb-tree__answers button").first().click();
    await eventually(() => tab.locator("#wind-down .pb-tree__heading").textContent(), (t) => t.length > 0 && !/→/.test(t), "a step");
    assert.match(decodeURIComponent(new URL(tab.url()).hash), /^#wind-down:can-finish=/);
    assert.ok(await tab.locator('.pb-sidebar__toc a[aria-current="page"]').isVisible());
    await tab.locator(".pb-sidebar__toc a", { hasText: "Be clear" }).click();
    await eventually(() => tab.url(), (u) => u.endsWith("/how-to/be-clear.html"), "sidebar link from file://");
    await tab.locator("input.pb-task").first().check();
    assert.deepEqual(errors, []);
    await context.close();
  });
});
