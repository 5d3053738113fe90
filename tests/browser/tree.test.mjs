// The decision tree component: every path of the bundled trees, going
// back and changing answers, the URL fragment, storage, the keyboard, and
// the tree without JavaScript.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, format, startEnv, strings } from "./helpers.mjs";
import {
  allPaths,
  answerButton,
  appState,
  expectOutcome,
  fragmentOf,
  readTree,
  waitForNode,
  walk,
} from "./tree-helpers.mjs";

const TREES = [
  { page: "decide.html", id: "end-or-keep" },
  { page: "how-to/wind-down.html", id: "wind-down" },
  { page: "fi/decide.html", id: "end-or-keep" },
  { page: "fi/how-to/wind-down.html", id: "wind-down" },
];

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

/** A fresh context with the tree page open, and what the page says. */
async function openTree(page, id, options) {
  const tab = await env.open(page, options);
  const tree = await readTree(tab, id);
  const S = await strings(tab);
  return { tab, tree, S, context: tab.context() };
}

function noErrors() {
  const errors = env.errors.splice(0);
  assert.deepEqual(errors, [], "no script errors on the page");
}

for (const { page, id } of TREES) {
  test(`every path of "${id}" on ${page} reaches the outcome its links name`, async (t) => {
    const { tree, context } = await openTree(page, id);
    await context.close();
    const paths = allPaths(tree);
    assert.ok(paths.length >= 3, `the tree has several paths (found ${paths.length})`);
    // Every outcome is reachable, so every path is walked.
    const outcomes = Object.keys(tree.nodes).filter((n) => tree.nodes[n].outcome);
    assert.deepEqual(new Set(paths.map((p) => p.outcome)), new Set(outcomes));
    for (const { steps, outcome } of paths) {
      const name = steps.map((s) => `${s.node}=${s.answer.slug}`).join(" → ") + ` ⇒ ${outcome}`;
      await t.test(name, async () => {
        const { tab, S, context } = await openTree(page, id);
        const start = await appState(tab, id);
        assert.ok(start.enhanced && !start.appHidden, "the app is shown");
        assert.equal(start.nodesVisible, false, "the written-out nodes are hidden");
        assert.equal(start.back, false, "no Back button on the first question");
        await walk(tab, tree, steps, S);
        await expectOutcome(tab, tree, steps, outcome, S);
        await eventually(
          () => appState(tab, id).then((s) => s.live),
          format(S["tree.announce_outcome"], { outcome: tree.nodes[outcome].title }),
          "the live region announces the outcome"
        );
        await context.close();
      });
    }
    noErrors();
  });
}

describe("decide.html: moving around the tree", () => {
  const page = "decide.html";
  const id = "end-or-keep";

  test("Back, changing an answer (later answers dropped) and Start again", async () => {
    const { tab, tree, S, context } = await openTree(page, id);
    const [longest] = allPaths(tree).sort((a, b) => b.steps.length - a.steps.length);
    const steps = longest.steps;
    assert.ok(steps.length >= 3);
    await walk(tab, tree, steps, S);
    await expectOutcome(tab, tree, steps, longest.outcome, S);

    // Back from the outcome returns to the last question.
    await tab.locator(`#${id} .pb-tree__back`).click();
    let state = await waitForNode(tab, tree, steps.at(-1).node);
    assert.equal(state.kicker, format(S["tree.step"], { n: steps.length }));
    assert.equal(state.hash, fragmentOf(tree, steps.slice(0, -1)));
    assert.equal(state.hasResult, false);
    assert.ok(state.focus.heading, "focus is on the question heading after Back");

    // Change the first answer: the later answers are dropped.
    const first = tree.nodes[steps[0].node];
    await tab
      .getByRole("button", { name: format(S["tree.change_answer"], { question: first.title }) })
      .click();
    state = await waitForNode(tab, tree, steps[0].node);
    assert.deepEqual(state.given, []);
    assert.equal(state.hash, "", "no fragment on the first question");
    assert.ok(state.focus.heading, "focus is on the question heading after Change");
    // Another answer leads elsewhere.
    const other = first.answers.find((a) => a.slug !== steps[0].answer.slug);
    await answerButton(tab, id, other.label).click();
    state = await waitForNode(tab, tree, other.next);
    assert.deepEqual(state.given, [[first.title, other.label]]);
    assert.equal(state.hash, fragmentOf(tree, [{ node: steps[0].node, answer: other }]));

    // Change an answer in the middle of a path.
    await tab.locator(`#${id} .pb-tree__restart`).click();
    await walk(tab, tree, steps, S);
    await expectOutcome(tab, tree, steps, longest.outcome, S);
    const second = tree.nodes[steps[1].node];
    await tab
      .getByRole("button", { name: format(S["tree.change_answer"], { question: second.title }) })
      .click();
    state = await waitForNode(tab, tree, steps[1].node);
    assert.deepEqual(state.given, [[first.title, steps[0].answer.label]]);
    assert.equal(state.hash, fragmentOf(tree, steps.slice(0, 1)));

    // Start again.
    await tab.locator(`#${id} .pb-tree__restart`).click();
    state = await waitForNode(tab, tree, tree.start);
    assert.deepEqual(state.given, []);
    assert.equal(state.hash, "");
    assert.equal(state.restart, false);
    assert.equal(
      await tab.evaluate((k) => localStorage.getItem(k), `playbook:${page}:${id}:${tree.hash}:path`),
      null,
      "Start again forgets the saved path"
    );
    await context.close();
    noErrors();
  });

  test("the URL fragment reproduces a path in a fresh page", async () => {
    const { tree, S, context } = await openTree(page, id);
    await context.close();
    for (const { steps, outcome } of allPaths(tree)) {
      const { tab, context } = await openTree(`${page}#${fragmentOf(tree, steps)}`, id);
      await expectOutcome(tab, tree, steps, outcome, S);
      await context.close();
    }
    // Half-way along a path: the next question, with the answers so far.
    const { steps } = allPaths(tree).find((p) => p.steps.length >= 3);
    const { tab, context: c2 } = await openTree(`${page}#${fragmentOf(tree, steps.slice(0, 2))}`, id);
    const state = await waitForNode(tab, tree, steps[2].node);
    assert.equal(state.kicker, format(S["tree.step"], { n: 3 }));
    assert.equal(state.notice, null);
    assert.equal(state.focus.inApp, false, "loading a page does not move focus");
    await c2.close();
    noErrors();
  });

  test("a stale fragment keeps the valid prefix and shows a notice", async () => {
    const { tree, S, context } = await openTree(page, id);
    await context.close();
    const { steps } = allPaths(tree).find((p) => p.steps.length >= 3);
    // The path with step `i` changed; other steps may share its node or answer names.
    const changed = (i, change) => fragmentOf(tree, steps.map((s, j) => (j === i ? change(s) : s)));
    const cases = [
      // A node id renamed in a newer version of the tree.
      { fragment: changed(1, (s) => ({ ...s, node: `${s.node}-old` })), keep: 1 },
      // An answer that no longer exists.
      { fragment: changed(2, (s) => ({ ...s, answer: { ...s.answer, slug: "maybe" } })), keep: 2 },
      // The very first node is unknown.
      { fragment: `${id}:nowhere=yes`, keep: 0 },
      // Garbage after the tree id.
      { fragment: `${id}:;;=%ZZ==;`, keep: 0 },
    ];
    for (const { fragment, keep } of cases) {
      const { tab, context } = await openTree(`${page}#${fragment}`, id);
      const state = await waitForNode(tab, tree, steps[keep].node, `"${fragment}" keeps ${keep} steps`);
      assert.equal(state.notice, S["tree.stale"], `notice for ${fragment}`);
      assert.equal(state.hash, keep ? fragmentOf(tree, steps.slice(0, keep)) : "");
      assert.equal(state.kicker, format(S["tree.step"], { n: keep + 1 }));
      // The tree still works, and the notice goes once the reader answers.
      await answerButton(tab, id, steps[keep].answer.label).click();
      const next = await waitForNode(tab, tree, steps[keep].answer.next);
      assert.equal(next.notice, null);
      await context.close();
    }
    noErrors();
  });

  test("a no-JS anchor (#tree--node) in the URL is ignored", async () => {
    const { tab, tree, context } = await openTree(`${page}#${id}--contract`, id);
    const state = await waitForNode(tab, tree, tree.start);
    assert.equal(state.notice, null);
    assert.equal(state.hash, `${id}--contract`, "the anchor is left alone");
    await context.close();
    noErrors();
  });

  test("progress is kept across a reload and a new visit, but not across tree versions", async () => {
    const { tab, tree, S, context } = await openTree(page, id);
    const { steps } = allPaths(tree).find((p) => p.steps.length >= 3);
    await walk(tab, tree, steps.slice(0, 2), S);
    await waitForNode(tab, tree, steps[2].node);
    const key = `playbook:${page}:${id}:${tree.hash}:path`;
    assert.equal(await tab.evaluate((k) => localStorage.getItem(k), key), fragmentOf(tree, steps.slice(0, 2)));

    await tab.reload();
    let state = await waitForNode(tab, tree, steps[2].node, "after a reload");
    assert.equal(state.kicker, format(S["tree.step"], { n: 3 }));

    // A visit without the fragment restores the path from storage.
    const again = await env.open(page, { context });
    state = await waitForNode(again, tree, steps[2].node, "in a new tab without the fragment");
    assert.equal(state.hash, fragmentOf(tree, steps.slice(0, 2)), "the fragment is put back");
    assert.deepEqual(state.given.length, 2);
    await context.close();

    // A path saved for another version of the tree (another data-hash) is not used.
    const fresh = await env.context();
    const seed = await fresh.newPage();
    await seed.goto(new URL(page, env.url).href);
    await seed.evaluate(
      ([k, v]) => localStorage.setItem(k, v),
      [`playbook:${page}:${id}:0ldhash:path`, fragmentOf(tree, steps.slice(0, 2))]
    );
    const later = await env.open(page, { context: fresh });
    state = await waitForNode(later, tree, tree.start, "an old version's path is ignored");
    assert.deepEqual(state.given, []);
    await fresh.close();
    noErrors();
  });

  test("outcome checklist ticks are kept across a reload; Copy as Markdown; Print", async () => {
    const { tab, tree, S, context } = await openTree(page, id);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(env.url).origin });
    const path = allPaths(tree).find((p) => tree.nodes[p.outcome].checklist.length >= 3);
    await walk(tab, tree, path.steps, S);
    await expectOutcome(tab, tree, path.steps, path.outcome, S);
    const items = tree.nodes[path.outcome].checklist;
    const boxes = tab.locator(`#${id} .pb-tree__result .pb-checklist input`);
    await boxes.nth(0).check();
    await boxes.nth(2).check();
    const key = `playbook:${page}:${id}:${tree.hash}:checks:${path.outcome}`;
    assert.deepEqual(
      JSON.parse(await tab.evaluate((k) => localStorage.getItem(k), key)),
      [items[0].id, items[2].id]
    );

    await tab.reload();
    let state = await waitForNode(tab, tree, path.outcome);
    assert.deepEqual(
      state.checklist.map((c) => c.checked),
      items.map((_, i) => i === 0 || i === 2)
    );

    // Copy as Markdown.
    await tab.locator(`#${id} .pb-tree__copy`).click();
    await eventually(() => tab.locator(`#${id} .pb-tree__status`).textContent(), S["tree.copied"], "copy status");
    const markdown = await tab.evaluate(() => navigator.clipboard.readText());
    assert.ok(markdown.startsWith(`# ${tree.title}\n`), markdown);
    for (const s of path.steps) {
      const q = tree.nodes[s.node].title;
      assert.ok(markdown.includes(`\n- ${q} ${s.answer.label}\n`) || markdown.includes(`\n- ${q}: ${s.answer.label}\n`), `answer to "${q}" in ${markdown}`);
    }
    assert.ok(markdown.includes(`\n## ${tree.nodes[path.outcome].title}\n`));
    assert.ok(markdown.includes(`- [x] ${items[0].label}`));
    assert.ok(markdown.includes(`- [ ] ${items[1].label}`));
    assert.ok(markdown.includes(`- [x] ${items[2].label}`));

    // Print.
    await tab.evaluate(() => {
      window.printed = 0;
      window.print = () => window.printed++;
    });
    await tab.locator(`#${id} .pb-tree__print`).click();
    assert.equal(await tab.evaluate(() => window.printed), 1);
    state = await appState(tab, id);
    assert.ok(state.hasResult);
    assert.ok(
      await tab.evaluate(() => document.querySelector(".pb-tree-print .pb-tree__result") !== null),
      "a print copy of the result is made"
    );

    // Unticking is remembered too.
    await boxes.nth(0).uncheck();
    await tab.reload();
    state = await waitForNode(tab, tree, path.outcome);
    assert.deepEqual(
      state.checklist.map((c) => c.checked),
      items.map((_, i) => i === 2)
    );
    await context.close();
    noErrors();
  });

  test("a walk with the keyboard only: focus and announcements", async () => {
    const { tab, tree, S, context } = await openTree(page, id);
    const { steps, outcome } = allPaths(tree).find((p) => p.steps.length >= 3);
    const focused = () =>
      tab.evaluate(() => {
        const a = document.activeElement;
        return { text: a.textContent.trim(), tag: a.tagName, cls: a.className };
      });
    // Tab to a button with this text; the reader never uses the mouse.
    async function tabTo(text, limit = 200) {
      for (let i = 0; i < limit; i++) {
        await tab.keyboard.press("Tab");
        const f = await focused();
        if (f.tag === "BUTTON" && f.text === text) return;
      }
      assert.fail(`Tab never reached a "${text}" button`);
    }
    for (let i = 0; i < steps.length; i++) {
      const { node, answer } = steps[i];
      await tabTo(answer.label);
      await tab.keyboard.press(i % 2 ? "Space" : "Enter");
      const next = answer.next;
      const state = await waitForNode(tab, tree, next);
      assert.ok(state.focus.heading, `focus on the new heading after step ${i + 1}`);
      assert.equal(state.focus.text, tree.nodes[next].title);
      const live = tree.nodes[next].outcome
        ? format(S["tree.announce_outcome"], { outcome: tree.nodes[next].title })
        : format(S["tree.announce_question"], { n: i + 2, question: tree.nodes[next].title });
      await eventually(() => appState(tab, id).then((s) => s.live), live, "the live region");
      assert.ok(node);
    }
    // Tick the first checklist item with Space.
    for (let i = 0; i < 50; i++) {
      await tab.keyboard.press("Tab");
      if (await tab.evaluate(() => document.activeElement.matches(".pb-tree__result .pb-checklist input"))) break;
    }
    await tab.keyboard.press("Space");
    const state = await eventually(() => appState(tab, id), (s) => s.checklist[0].checked, "ticked with Space");
    assert.equal(state.heading, tree.nodes[outcome].title);
    // Back with the keyboard.
    await tabTo(S["tree.back"]);
    await tab.keyboard.press("Enter");
    const back = await waitForNode(tab, tree, steps.at(-1).node);
    assert.ok(back.focus.heading);
    await eventually(
      () => appState(tab, id).then((s) => s.live),
      format(S["tree.announce_question"], { n: steps.length, question: tree.nodes[steps.at(-1).node].title })
    );
    await context.close();
    noErrors();
  });
});

describe("without JavaScript", () => {
  for (const { page, id } of TREES.slice(0, 2)) {
    test(`answer links walk ${id} on ${page} to an outcome`, async () => {
      const context = await env.context({ javaScriptEnabled: false });
      const tab = await context.newPage();
      await tab.goto(new URL(page, env.url).href);
      const { steps, outcome } = allPaths(await readTree(tab, id)).at(-1);
      const section = tab.locator(`section.pb-tree[data-tree="${id}"]`);
      assert.equal(await section.locator(".pb-tree__app").isVisible(), false);
      const startNode = section.locator(`.pb-node[data-node="${steps[0].node}"]`);
      assert.ok(await startNode.isVisible(), "the first question is visible");
      for (const { node, answer } of steps) {
        const current = section.locator(`.pb-node[data-node="${node}"]`);
        await current.getByRole("link", { name: answer.label, exact: true }).click();
        await eventually(() => tab.evaluate(() => location.hash), `#${id}--${answer.next}`);
        assert.ok(await section.locator(`#${id}--${answer.next}`).isVisible(), `${answer.next} is visible`);
      }
      const end = section.locator(`#${id}--${outcome}`);
      assert.ok(await end.locator(".pb-node__heading").isVisible());
      assert.ok(await end.locator(".pb-checklist").isVisible());
      await context.close();
    });
  }
});
