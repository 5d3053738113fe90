// Reading a decision tree from the page, listing its paths, and walking
// them in the enhanced app.
import assert from "node:assert/strict";
import { eventually, format } from "./helpers.mjs";

/** The tree as the pre-rendered (no-JS) nodes describe it. */
export function readTree(page, treeId) {
  return page.evaluate((treeId) => {
    const section = document.querySelector(`section.pb-tree[data-tree="${treeId}"]`);
    // Headings start with a node number and answers end with "→ n" for
    // print; the app shows the words alone.
    const words = (el) => {
      const copy = el.cloneNode(true);
      copy.querySelectorAll(".pb-node__number, .pb-answer__goto").forEach((n) => n.remove());
      return copy.textContent.replace(/\s+/g, " ").trim();
    };
    const nodes = {};
    for (const el of section.querySelectorAll(".pb-node[data-node]")) {
      nodes[el.dataset.node] = {
        title: words(el.querySelector(".pb-node__heading")),
        outcome: el.classList.contains("pb-node--outcome"),
        checklist: [...el.querySelectorAll(".pb-checklist input[data-item]")].map((i) => ({
          id: i.dataset.item,
          label: i.closest("li").textContent.trim(),
        })),
        answers: [...el.querySelectorAll("a.pb-answer")].map((a) => ({
          label: words(a),
          slug: a.dataset.answer,
          next: a.dataset.next,
          href: a.getAttribute("href"),
        })),
      };
    }
    return {
      id: treeId,
      start: section.dataset.start,
      hash: section.dataset.hash,
      title: section.querySelector(".pb-tree__title").textContent.trim(),
      nodes,
    };
  }, treeId);
}

/** Every path from the start to an outcome: [{ steps: [{ node, answer }], outcome }]. */
export function allPaths(tree) {
  const out = [];
  (function walk(id, steps) {
    const node = tree.nodes[id];
    assert.ok(node, `the tree links to a node "${id}" it does not have`);
    assert.ok(!steps.some((s) => s.node === id), `the tree loops back to "${id}"`);
    if (node.outcome) {
      out.push({ steps, outcome: id });
      return;
    }
    assert.ok(node.answers.length > 0, `question "${id}" has no answers`);
    for (const answer of node.answers) {
      // The link names the node it leads to: the no-JS anchor and data-next agree.
      assert.equal(answer.href, `#${tree.id}--${answer.next}`);
      walk(answer.next, [...steps, { node: id, answer }]);
    }
  })(tree.start, []);
  return out;
}

export function fragmentOf(tree, steps) {
  return `${tree.id}:` + steps.map((s) => `${s.node}=${s.answer.slug}`).join(";");
}

/** What the enhanced app shows right now. */
export function appState(page, treeId) {
  return page.evaluate((treeId) => {
    const section = document.querySelector(`section.pb-tree[data-tree="${treeId}"]`);
    const app = section.querySelector(".pb-tree__app");
    const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : null);
    const active = document.activeElement;
    let hash = location.hash.slice(1);
    try {
      hash = decodeURIComponent(hash);
    } catch {}
    return {
      enhanced: section.classList.contains("pb-tree--enhanced"),
      appHidden: app.hidden,
      nodesVisible: section.querySelector(".pb-tree__nodes").checkVisibility(),
      hasResult: section.classList.contains("pb-tree--has-result"),
      views: app.querySelectorAll(".pb-tree__view").length,
      kicker: text(app.querySelector(".pb-tree__kicker")),
      heading: text(app.querySelector(".pb-tree__heading")),
      answers: [...app.querySelectorAll(".pb-tree__answers button")].map(text),
      given: [...app.querySelectorAll(".pb-tree__given-list li")].map((li) => [
        text(li.querySelector(".pb-tree__given-q")),
        text(li.querySelector(".pb-tree__given-a")),
      ]),
      changeLabels: [...app.querySelectorAll(".pb-tree__given-list button")].map((b) =>
        b.getAttribute("aria-label")
      ),
      checklist: [...app.querySelectorAll(".pb-tree__result .pb-checklist input")].map((i) => ({
        id: i.dataset.item,
        checked: i.checked,
      })),
      notice: text(app.querySelector(".pb-tree__notice")),
      live: text(app.querySelector('[aria-live="polite"]')),
      back: !!app.querySelector(".pb-tree__back"),
      restart: !!app.querySelector(".pb-tree__restart"),
      focus: {
        heading: active && active.classList.contains("pb-tree__heading"),
        text: text(active),
        inApp: app.contains(active),
      },
      hash,
    };
  }, treeId);
}

export function answerButton(page, treeId, label) {
  return page
    .locator(`section.pb-tree[data-tree="${treeId}"] .pb-tree__answers`)
    .getByRole("button", { name: label, exact: true });
}

/** Waits until the app shows the node `id` of `tree` (question or outcome). */
export function waitForNode(page, tree, id, message) {
  return eventually(
    () => appState(page, tree.id),
    (s) => s.heading === tree.nodes[id].title,
    message || `the app shows "${tree.nodes[id].title}"`
  );
}

/**
 * Clicks through `steps`, checking each question as it comes: its number,
 * its heading, the answers so far and the URL fragment.
 */
export async function walk(page, tree, steps, strings, from = 0) {
  for (let i = from; i < steps.length; i++) {
    const { node, answer } = steps[i];
    const state = await waitForNode(page, tree, node);
    assert.equal(state.kicker, format(strings["tree.step"], { n: i + 1 }));
    assert.deepEqual(
      state.given,
      steps.slice(0, i).map((s) => [tree.nodes[s.node].title, s.answer.label])
    );
    assert.deepEqual(
      state.answers,
      tree.nodes[node].answers.map((a) => a.label)
    );
    await answerButton(page, tree.id, answer.label).click();
    await eventually(
      () => appState(page, tree.id),
      (s) => s.hash === fragmentOf(tree, steps.slice(0, i + 1)),
      `the fragment after step ${i + 1}`
    );
  }
}

/** Checks that the app shows the outcome reached by `steps`. */
export async function expectOutcome(page, tree, steps, outcome, strings) {
  const state = await waitForNode(page, tree, outcome);
  assert.ok(tree.nodes[outcome].outcome, `${outcome} is an outcome`);
  assert.equal(state.kicker, strings["tree.outcome"]);
  assert.ok(state.hasResult, "the section is marked pb-tree--has-result");
  assert.deepEqual(
    state.given,
    steps.map((s) => [tree.nodes[s.node].title, s.answer.label])
  );
  assert.deepEqual(
    state.changeLabels,
    steps.map((s) => format(strings["tree.change_answer"], { question: tree.nodes[s.node].title }))
  );
  assert.deepEqual(
    state.checklist.map((c) => c.id),
    tree.nodes[outcome].checklist.map((c) => c.id)
  );
  assert.equal(state.hash, fragmentOf(tree, steps));
  assert.equal(state.views, 1, "one step is shown at a time");
  return state;
}
