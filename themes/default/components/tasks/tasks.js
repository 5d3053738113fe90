// GFM task lists (- [ ] item): ticks are remembered per page, and each
// list gets a "2 of 6 done" line and a Reset button.
(function () {
  var lists = [];
  pbAll("input.pb-task[data-item]").forEach(function (input) {
    var item = input.closest("li");
    var list = item && item.parentNode;
    if (list && /^[UO]L$/.test(list.nodeName) && lists.indexOf(list) < 0) lists.push(list);
  });
  var seen = {};
  lists.forEach(function (list) {
    try {
      start(list);
    } catch (e) {
      pbFailed("tasks", e);
    }
  });

  function start(list) {
    var inputs = pbAll("input.pb-task[data-item]", list).filter(function (input) {
      return input.closest("li").parentNode === list;
    });
    // A list is known by its first items, so adding items at the end or
    // another list elsewhere on the page keeps its ticks.
    var id = pbHash(
      inputs
        .slice(0, 3)
        .map(function (input) {
          return input.getAttribute("data-item");
        })
        .join("\n")
    );
    seen[id] = (seen[id] || 0) + 1;
    if (seen[id] > 1) id += "-" + seen[id];

    var status = pbEl("span", { class: "pb-task-progress__status", role: "status" });
    var reset = pbChecks(inputs, pbKey("tasks", id), update);
    var button = pbEl("button", {
      type: "button",
      class: "pb-button pb-button--ghost pb-task-progress__reset",
      text: pbT("tasks.reset"),
      onclick: function () {
        reset();
        pbStatus(status, pbT("tasks.reset_done") + " " + progress());
      },
    });
    list.after(pbEl("p", { class: "pb-task-progress" }, [status, " ", button]));

    function progress() {
      return pbT("tasks.progress", {
        done: inputs.filter(function (input) {
          return input.checked;
        }).length,
        total: inputs.length,
      });
    }
    function update() {
      status.textContent = progress();
    }
    update();
  }
})();
