// The sidebar marks the current page when its name holds characters that
// are linked percent-encoded (a space, "%", "#", "?"), or letters of other
// scripts: sidebar.js decodes each link's path before it compares it with
// the page's own, served over HTTP and opened from file:// alike.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, afterEach, before, describe, test } from "node:test";
import { eventually, startEnv, tempProject } from "./helpers.mjs";

// Each page by its site-relative output path, with its title and the
// href its sidebar link has on it (relative to the page's folder).
const PAGES = [
  { file: "q&a 100% #1?.html", title: "Questions", href: "q&a%20100%25%20%231%3F.html" },
  { file: "f ü/x?y #2.html", title: "Deep", href: "../f%20ü/x%3Fy%20%232.html" },
  { file: "plain.html", title: "Plain", href: "plain.html" },
];

let env, project;
before(async () => {
  let write;
  ({ dir: project, write } = tempProject("sidebar"));
  write("book.yaml", "title: Sidebar\n");
  write("content/index.md", "# Home\n");
  for (const { file, title } of PAGES) {
    write(`content/${file.replace(/\.html$/, ".md")}`, `# ${title}\n\nText.\n`);
  }
  env = await startEnv({ project });
});
after(async () => {
  await env?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});
afterEach(() => {
  const errors = env.errors.splice(0);
  assert.deepEqual(errors, [], "no script errors on the page");
});

/** The sidebar's links that are marked current. */
const currentLinks = (tab) =>
  tab.evaluate(() =>
    [...document.querySelectorAll(".pb-sidebar__toc a")]
      .filter((a) => a.hasAttribute("aria-current"))
      .map((a) => ({ text: a.textContent, href: a.getAttribute("href"), current: a.getAttribute("aria-current") }))
  );

/** The page's address, as a server sees it: each segment encoded. */
const served = (file) => file.split("/").map(encodeURIComponent).join("/");

describe("the sidebar marks the current page", () => {
  for (const { file, title, href } of PAGES) {
    test(`served over HTTP: ${file}`, async () => {
      const tab = await env.open(served(file));
      assert.equal(await tab.title(), `${title} · Sidebar`, "the page itself was served");
      await eventually(() => tab.locator(".pb-sidebar__toc a").count(), (n) => n >= PAGES.length, "the sidebar is filled in");
      assert.deepEqual(await currentLinks(tab), [{ text: title, href, current: "page" }]);
      // The marked link leads back to the page open.
      const link = await tab.locator('.pb-sidebar__toc a[aria-current="page"]').evaluate((a) => a.href);
      assert.equal(decodeURIComponent(new URL(link).pathname), decodeURIComponent(new URL(tab.url()).pathname));
      await tab.context().close();
    });

    test(`opened from file://: ${file}`, async () => {
      const context = await env.context();
      const tab = await context.newPage();
      const errors = [];
      tab.on("pageerror", (e) => errors.push(e.message));
      await tab.goto(pathToFileURL(path.join(env.site, file)).href);
      assert.equal(await tab.title(), `${title} · Sidebar`, "the page itself was opened");
      await eventually(() => tab.locator(".pb-sidebar__toc a").count(), (n) => n >= PAGES.length, "the sidebar is filled in");
      assert.deepEqual(await currentLinks(tab), [{ text: title, href, current: "page" }]);
      const link = await tab.locator('.pb-sidebar__toc a[aria-current="page"]').evaluate((a) => a.href);
      assert.equal(decodeURIComponent(new URL(link).pathname), decodeURIComponent(new URL(tab.url()).pathname));
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  test("following a sidebar link to an encoded name marks the page it opens", async () => {
    const tab = await env.open("plain.html");
    await tab.locator(".pb-sidebar__toc a", { hasText: "Questions" }).click();
    await eventually(() => decodeURIComponent(new URL(tab.url()).pathname), "/q&a 100% #1?.html", "the link opens the page");
    await eventually(() => currentLinks(tab), [{ text: "Questions", href: PAGES[0].href, current: "page" }], "the page is marked");
    await tab.context().close();
  });
});
