// Search beyond Latin letters: words written without spaces (Chinese) are
// found by their characters, and words outside the order the build once
// sorted by (U+E000–U+FFFF, and beyond U+FFFF) are found at all.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { eventually, startEnv, tempProject, strings } from "./helpers.mjs";

let env, project;
before(async () => {
  let write;
  ({ dir: project, write } = tempProject("search-scripts"));
  write("book.yaml", "title: Scripts\n");
  write("content/index.md", "# Home\n\nSee [Chinese](zh.md) and [symbols](symbols.md).\n");
  write(
    "content/zh.md",
    "# 结束客户关系\n\n如果客户不再付款，先打电话说明情况，然后发出书面通知并保留所有往来记录以备将来需要时使用和查阅。\n"
  );
  write(
    "content/symbols.md",
    "# Symbols\n\nThe words ｆｕｌｌｗｉｄｔｈ, 𐐨𐐩𐐪 and 𝐛𝐨𝐥𝐝 sit beside alpha, beta and gamma.\n"
  );
  env = await startEnv({ project });
});
after(async () => {
  await env?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

/** The titles search.html lists for `query`, once the search has ended. */
async function titles(query) {
  const tab = await env.open(`search.html?q=${encodeURIComponent(query)}`);
  const S = await strings(tab);
  const status = tab.locator(".pb-search-page__results .pb-search__status");
  await eventually(
    () => status.textContent().catch(() => ""),
    (text) => text !== "" && text !== S["search.loading"],
    `the search for ${query} ends`
  );
  const found = await tab.$$eval(".pb-search-page__results .pb-search__title", (nodes) =>
    nodes.map((n) => n.textContent)
  );
  await tab.context().close();
  return found;
}

test("a Chinese page is found by a word from the middle of a sentence", async () => {
  // The sentence has no spaces; 付款 ("payment") and 通知 ("notice") are
  // words inside it.
  for (const query of ["付款", "书面通知", "客户"]) {
    assert.deepEqual(await titles(query), ["结束客户关系"], query);
  }
});

test("words in U+E000–U+FFFF and beyond U+FFFF are found", async () => {
  for (const query of ["ｆｕｌｌｗｉｄｔｈ", "𐐀𐐁𐐂", "𝐛𝐨𝐥𝐝", "alpha"]) {
    assert.deepEqual(await titles(query), ["Symbols"], query);
  }
});
