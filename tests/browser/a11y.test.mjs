// axe-core over every page of the built site, in the light theme, the dark
// theme chosen with the switch, and the dark theme from the system; plus
// the tree app mid-walk and at a result, the open menu drawer, and search
// results in the header and on the search page.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import { htmlPages, startEnv } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/** Runs axe on the page as it is; returns readable violations. */
async function axe(tab) {
  await tab.addScriptTag({ content: AXE });
  const result = await tab.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    TAGS
  );
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")}${n.failureSummary ? ` — ${n.failureSummary.split("\n").slice(1).join(" ").trim()}` : ""}`),
  }));
}

function report(page, violations) {
  return `${page}:\n` + violations.map((v) => `  ${v.rule} (${v.impact}): ${v.help}\n    ${v.nodes.join("\n    ")}`).join("\n");
}

const THEMES = [
  { name: "light", options: { colorScheme: "light" } },
  { name: "dark (switch)", options: { colorScheme: "light" }, saved: "dark" },
  { name: "dark (system)", options: { colorScheme: "dark" } },
];

for (const theme of THEMES) {
  describe(`axe, ${theme.name} theme`, () => {
    test("every page has no WCAG 2 A/AA violations", async (t) => {
      const pages = htmlPages(env.site);
      assert.ok(pages.length >= 30, `the site has its pages (${pages.length})`);
      const context = await env.context(theme.options);
      if (theme.saved) {
        await context.addInitScript((value) => {
          try {
            localStorage.setItem("playbook:theme", value);
          } catch {}
        }, theme.saved);
      }
      for (const page of pages) {
        await t.test(page, async () => {
          const tab = await env.open(page, { context });
          // toc.html (the no-JS sidebar frame) has no theme script: a
          // saved theme only exists where JS runs, and there the frame is
          // not used.
          if (theme.saved && (await tab.locator("#pb-strings").count())) {
            assert.equal(await tab.evaluate(() => document.documentElement.getAttribute("data-theme")), theme.saved);
          }
          const violations = await axe(tab);
          await tab.close();
          assert.deepEqual(violations, [], report(page, violations));
          assert.deepEqual(env.errors.splice(0), [], "no script errors or failed loads");
        });
      }
      await context.close();
    });

    test("the tree app mid-walk and at a result, the open menu, and search results", async () => {
      const context = await env.context(theme.options);
      if (theme.saved) {
        await context.addInitScript((value) => localStorage.setItem("playbook:theme", value), theme.saved);
      }
      const tab = await env.open("decide.html", { context });
      await tab.locator("#end-or-keep .pb-tree__answers").getByRole("button", { name: "No", exact: true }).click();
      await tab.locator("#end-or-keep .pb-tree__given").waitFor();
      await tab.locator("#end-or-keep .pb-tree__answers button").first().waitFor();
      let violations = await axe(tab);
      assert.deepEqual(violations, [], report("decide.html (question 2)", violations));

      const done = await env.open("decide.html#end-or-keep:abusive=no;profitable=no;fixable=yes", { context });
      await done.locator("#end-or-keep .pb-tree__result").waitFor();
      await done.locator("#end-or-keep .pb-tree__result input").first().check();
      violations = await axe(done);
      assert.deepEqual(violations, [], report("decide.html (result)", violations));

      const stale = await env.open("how-to/wind-down.html#wind-down:old=yes", { context });
      await stale.locator("#wind-down .pb-tree__notice").waitFor();
      violations = await axe(stale);
      assert.deepEqual(violations, [], report("wind-down.html (stale notice)", violations));

      const narrow = await env.open("clauses/refund-or-substitute.html", { context });
      await narrow.setViewportSize({ width: 600, height: 800 });
      await narrow.locator('input[data-field="Provider name"]').first().fill("Acme Oy");
      await narrow.locator("button.pb-menu-toggle").click();
      await narrow.locator('.pb-sidebar__toc a[aria-current="page"]').waitFor({ state: "visible" });
      violations = await axe(narrow);
      assert.deepEqual(violations, [], report("clause page, menu open", violations));

      const searching = await env.open("index.html", { context });
      await searching.locator("#pb-search-input").fill("notice");
      await searching.locator(".pb-search__results mark").first().waitFor();
      violations = await axe(searching);
      assert.deepEqual(violations, [], report("index.html, search results open", violations));

      const results = await env.open("fi/search.html?q=sopimus", { context });
      await results.locator(".pb-search-page__results .pb-search__section").first().waitFor();
      violations = await axe(results);
      assert.deepEqual(violations, [], report("fi/search.html with results", violations));
      await context.close();
      assert.deepEqual(env.errors.splice(0), []);
    });
  });
}
