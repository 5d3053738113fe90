// The bundled script: a project theme's component that throws while it
// starts is reported and the other components still start.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { eventually, startEnv, tempProject } from "./helpers.mjs";

let env, project;
before(async () => {
  let write;
  ({ dir: project, write } = tempProject("scripts"));
  write("book.yaml", "title: Scripts\n");
  write(
    "content/index.md",
    "# Scripts\n\n- [ ] First\n- [ ] Second\n\n```clause title=\"Fee\"\n[[Client]] pays.\n```\n"
  );
  // Named to sort before every built-in component, the core helpers too.
  write("themes/default/components/0-broken/broken.js", 'throw new Error("broken on purpose");\n');
  // An override of a built-in component that throws after it started.
  write(
    "themes/default/components/print/print.js",
    'pbStart("pb-print", function (b) { b.hidden = false; });\nthrow new Error("print broken too");\n'
  );
  env = await startEnv({ project });
});
after(async () => {
  await env?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

test("a component that throws does not stop the others", async () => {
  const tab = await env.open("index.html");
  // The clause's fields, the task list's progress and the theme switch
  // come from components that run after the broken ones.
  await eventually(() => tab.locator(".pb-clause__fields").isVisible(), true, "clause fields shown");
  await eventually(() => tab.locator(".pb-task-progress").count(), 1, "task progress added");
  await eventually(() => tab.locator("button.pb-theme-toggle").isVisible(), true, "theme switch shown");
  const errors = env.errors.splice(0);
  assert.equal(errors.length, 2, `each failure is reported once: ${errors}`);
  assert.match(errors[0], /playbook: components\/0-broken.*broken on purpose/);
  assert.match(errors[1], /playbook: components\/print.*print broken too/);
});
