// Search: the header box finds inflected words in English and Finnish and
// its results lead to the matching section; from disk it says why it cannot
// run.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { eventually, startEnv } from "./helpers.mjs";

let env;
before(async () => { env = await startEnv(); });
after(async () => { await env?.close(); });

/** Types a query in the header search box and returns the result titles. */
async function search(tab, query) {
  await tab.keyboard.press("/");
  await eventually(() => tab.evaluate(() => document.activeElement?.id), "pb-search-input", "/ focuses the search box");
  await tab.keyboard.type(query);
  return eventually(
    () => tab.$$eval(".pb-search__results .pb-search__title", (nodes) => nodes.map((n) => n.textContent)),
    (titles) => titles.length > 0,
    `results for ${query}`
  );
}

test("an inflected English word finds the page and the result opens its section", async () => {
  const tab = await env.open("index.html");
  // The pages say "refund"; the reader types "refunds".
  const titles = await search(tab, "refunds");
  assert.ok(titles.some((t) => /refund|wind down/i.test(t)), `titles: ${titles}`);
  const first = tab.locator(".pb-search__results a").first();
  const href = await first.getAttribute("href");
  assert.match(href, /\.html#[^#]+$/, "results link to a section");
  await first.click();
  await tab.waitForURL((url) => url.hash.length > 1);
  const anchor = decodeURIComponent(new URL(tab.url()).hash.slice(1));
  assert.equal(await tab.locator(`[id="${anchor}"]`).count(), 1, `the page has #${anchor}`);
});

test("an inflected Finnish word finds Finnish pages", async () => {
  const tab = await env.open("fi/index.html");
  // The pages say "hyvitys", "hyvityksen", "hyvitystä"; "hyvityksiä" is in none of them.
  const titles = await search(tab, "hyvityksiä");
  assert.ok(titles.length > 0);
  const marks = await tab.$$eval(".pb-search__results mark", (nodes) => nodes.map((n) => n.textContent.toLowerCase()));
  assert.ok(marks.length > 0 && marks.every((m) => m.startsWith("hyvity")), `marked: ${marks}`);
  await tab.locator(".pb-search__results a").first().click();
  await tab.waitForLoadState();
  assert.equal(await tab.getAttribute("html", "lang"), "fi", "a Finnish result opens a Finnish page");
});

test("every word of a query must match, and the snippet marks them", async () => {
  const tab = await env.open("index.html");
  await search(tab, "notice period");
  const results = await tab.$$eval(".pb-search__results .pb-search__result", (items) =>
    items.map((item) => ({
      section: item.querySelector(".pb-search__section")?.textContent || "",
      marks: [...item.querySelectorAll("mark")].map((m) => m.textContent.toLowerCase()),
    }))
  );
  assert.ok(results.length >= 2, JSON.stringify(results));
  for (const result of results) {
    assert.ok(result.marks.includes("notice") && result.marks.includes("period"), JSON.stringify(result));
  }
  assert.ok(results.some((r) => r.section), "results name the section matched");
  // The status counts every matching page; the header box lists the first few.
  const status = await tab.locator(".pb-search__results .pb-search__status").textContent();
  const total = Number(/^(\d+) results$/.exec(status)?.[1]);
  assert.ok(total >= results.length, `status: ${status}, listed: ${results.length}`);
});

test("the search page shows results for ?q=", async () => {
  const tab = await env.open("search.html?q=contract");
  const count = await eventually(
    () => tab.locator(".pb-search-page__results .pb-search__result").count(),
    (n) => n > 1,
    "results on search.html"
  );
  assert.ok(count > 1);
});

test("the search page shows ten results at a time", async () => {
  const tab = await env.open("search.html?q=client");
  const more = tab.locator(".pb-search-page__results button.pb-search__more");
  await more.waitFor();
  assert.equal(await tab.locator(".pb-search-page__results .pb-search__result").count(), 10);
  await more.click();
  const count = await eventually(
    () => tab.locator(".pb-search-page__results .pb-search__result").count(),
    (n) => n > 10,
    "more results"
  );
  const total = Number((await tab.locator(".pb-search__status").textContent()).match(/\d+/)[0]);
  assert.equal(count, Math.min(total, 20));
  const focused = await tab.evaluate(() => document.activeElement.closest(".pb-search__result") ===
    document.querySelectorAll(".pb-search-page__results .pb-search__result")[10]);
  assert.ok(focused, "focus moves to the first new result");
});

test("from disk the search box says why it cannot search", async () => {
  const context = await env.context();
  const tab = await context.newPage();
  await tab.goto(pathToFileURL(path.join(env.site, "index.html")).href);
  await tab.locator("#pb-search-input").fill("refund");
  const status = await eventually(
    () => tab.locator(".pb-search__results .pb-search__status").textContent().catch(() => ""),
    (text) => /web server/.test(text),
    "the file:// explanation"
  );
  assert.match(status, /cannot run from a file/);
  await context.close();
});
