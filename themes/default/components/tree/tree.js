// Decision trees, one question at a time.
//
// The page already holds the whole tree as linked sections (it works with
// JS off); this reads those sections and runs the walk in .pb-tree__app.
// The path lives in the URL fragment, "#tree:node=answer;node=answer", so a
// link reproduces it, and in storage under the tree's data-hash, so a
// changed tree never brings back old answers.
(function () {
  // The print page has no data-page: its trees stay written out in full.
  if (!pbPage) return;
  pbStart("pb-tree", tree);

  function tree(section) {
    var treeId = section.getAttribute("data-tree");
    var start = section.getAttribute("data-start");
    var app = section.querySelector(".pb-tree__app");
    var title = section.querySelector(".pb-tree__title");
    var nodes = {};
    pbAll(".pb-node[data-node]", section).forEach(function (el) {
      var heading = el.querySelector(".pb-node__heading");
      var id = el.getAttribute("data-node");
      nodes[id] = {
        id: id,
        el: el,
        title: heading ? words(heading) : id,
        outcome: el.classList.contains("pb-node--outcome"),
        answers: pbAll("a.pb-answer[data-next]", el).map(function (a) {
          return {
            slug: a.getAttribute("data-answer"),
            next: a.getAttribute("data-next"),
            label: words(a),
          };
        }),
      };
    });
    if (!treeId || !app || !nodes[start]) return;

    var prefix = treeId + ":";
    var keyBase = [treeId, section.getAttribute("data-hash") || ""];
    var pathKey = pbKey.apply(null, keyBase.concat("path"));
    var path = []; // the steps taken: { node, answer }
    var stale = false;
    var view = null;
    var live = pbEl("div", { class: "pb-visually-hidden pb-tree__live", "aria-live": "polite" });

    function here() {
      return nodes[path.length ? path[path.length - 1].answer.next : start];
    }

    // Walks "tree:node=answer;…" from the start. Stops at the first step
    // that no longer fits (an older tree) and returns false; the path
    // keeps the steps before it.
    function replay(text) {
      path = [];
      var steps = text.slice(prefix.length).split(";").filter(Boolean);
      for (var i = 0; i < steps.length; i++) {
        var pair = steps[i].split("=");
        var node = here();
        var answer =
          pair[0] === node.id &&
          node.answers.filter(function (a) {
            return a.slug === pair[1] && nodes[a.next];
          })[0];
        if (!answer) return false;
        path.push({ node: node, answer: answer });
      }
      return true;
    }

    // The fragment when it names this tree; a no-JS anchor such as
    // "#tree--node" does not, and is left alone.
    function fragment() {
      var text = location.hash.slice(1);
      try {
        text = decodeURIComponent(text);
      } catch (e) {}
      return text.indexOf(prefix) === 0 ? text : null;
    }

    function save() {
      var text =
        prefix +
        path
          .map(function (s) {
            return s.node.id + "=" + s.answer.slug;
          })
          .join(";");
      pbSet(pathKey, path.length ? text : null);
      try {
        var url = location.href.split("#")[0];
        if (path.length) history.replaceState(history.state, "", url + "#" + encodeURI(text));
        else if (fragment() != null) history.replaceState(history.state, "", url);
      } catch (e) {}
    }

    // A reader's action: change the path, then show where it leads.
    function step(change) {
      return function () {
        change();
        stale = false;
        save();
        render(true);
      };
    }

    function button(text, cls, onclick, label) {
      return pbEl("button", {
        type: "button",
        class: "pb-button " + cls,
        text: text,
        "aria-label": label,
        onclick: onclick,
      });
    }

    function render(focus) {
      var node = here();
      var n = path.length;
      var heading = pbEl("h3", { class: "pb-tree__heading", tabindex: "-1", text: node.title });
      var parts = [
        stale
          ? pbEl("div", { class: "pb-alert pb-alert--warning pb-tree__notice", role: "note" }, [
              pbEl("p", { text: pbT("tree.stale") }),
            ])
          : null,
      ];
      if (node.outcome) {
        parts.push(result(node, heading));
      } else {
        var help = node.el.querySelector(".pb-node__help");
        parts.push(
          n ? given() : null,
          pbEl("div", { class: "pb-tree__step" }, [
            pbEl("p", { class: "pb-tree__kicker", text: pbT("tree.step", { n: n + 1 }) }),
            heading,
            help ? pbClone(help) : null,
            pbEl(
              "ul",
              { class: "pb-tree__answers", "aria-label": pbT("tree.answers") },
              node.answers.map(function (a) {
                return pbEl("li", null, [
                  button(
                    a.label,
                    "pb-button--secondary pb-tree__answer",
                    step(function () {
                      path.push({ node: node, answer: a });
                    })
                  ),
                ]);
              })
            ),
          ])
        );
      }
      if (n) {
        parts.push(
          pbEl("div", { class: "pb-tree__nav" }, [
            button(
              pbT("tree.back"),
              "pb-button--ghost pb-tree__back",
              step(function () {
                path.pop();
              })
            ),
            " ",
            button(
              pbT("tree.restart"),
              "pb-button--ghost pb-tree__restart",
              step(function () {
                path = [];
              })
            ),
          ])
        );
      }
      section.classList.toggle("pb-tree--has-result", node.outcome);
      var next = pbEl("div", { class: "pb-tree__view" }, parts);
      // The new step goes in first and takes focus before the old one is
      // removed, so focus never sits on an element that disappears.
      app.insertBefore(next, view);
      if (focus) {
        heading.focus();
        pbStatus(
          live,
          node.outcome
            ? pbT("tree.announce_outcome", { outcome: node.title })
            : pbT("tree.announce_question", { n: n + 1, question: node.title })
        );
      }
      if (view) view.remove();
      view = next;
    }

    // "Your answers", each with a Change button back to its question.
    function given() {
      return pbEl("div", { class: "pb-tree__given" }, [
        pbEl("h3", { class: "pb-tree__given-title", text: pbT("tree.your_answers") }),
        pbEl(
          "ol",
          { class: "pb-tree__given-list" },
          path.map(function (s, i) {
            return pbEl("li", null, [
              pbEl("span", { class: "pb-tree__given-q", text: s.node.title }),
              " ",
              pbEl("strong", { class: "pb-tree__given-a", text: s.answer.label }),
              " ",
              button(
                pbT("tree.change"),
                "pb-button--ghost pb-tree__change",
                step(function () {
                  path = path.slice(0, i);
                }),
                pbT("tree.change_answer", { question: s.node.title })
              ),
            ]);
          })
        ),
      ]);
    }

    function result(node, heading) {
      var text = node.el.querySelector(".pb-node__text");
      var list = node.el.querySelector(".pb-checklist");
      var status = pbEl("p", { class: "pb-tree__status", role: "status" });
      var listTitle = null;
      if (list) {
        list = pbClone(list);
        list.removeAttribute("data-module");
        listTitle = pbEl("h4", { class: "pb-checklist__title", text: pbT("tree.checklist") });
        pbChecks(pbAll("input[data-item]", list), pbKey.apply(null, keyBase.concat("checks", node.id)));
      }
      var card = pbEl("div", { class: "pb-tree__result" }, [
        path.length ? given() : null,
        pbEl("p", { class: "pb-tree__kicker", text: pbT("tree.outcome") }),
        heading,
        text ? pbClone(text) : null,
        listTitle,
        list,
        pbEl("div", { class: "pb-tree__tools" }, [
          button(pbT("tree.copy"), "pb-tree__copy", function () {
            pbCopy(markdown(node, list)).then(function (ok) {
              pbStatus(status, pbT(ok ? "tree.copied" : "tree.copy_failed"));
            });
          }),
          " ",
          button(pbT("tree.print"), "pb-button--secondary pb-tree__print", function () {
            print(card);
          }),
          status,
        ]),
      ]);
      return card;
    }

    function markdown(node, list) {
      var lines = ["# " + title.textContent.trim(), ""];
      path.forEach(function (s) {
        var q = s.node.title;
        lines.push("- " + q + (/[?:!.]$/.test(q) ? " " : ": ") + s.answer.label);
      });
      lines.push("", "## " + node.title);
      var text = node.el.querySelector(".pb-node__text");
      if (text) lines.push("", blocks(text));
      if (list) {
        lines.push("", "### " + pbT("tree.checklist"), "");
        pbAll("li", list).forEach(function (li) {
          var box = li.querySelector("input");
          lines.push("- [" + (box && box.checked ? "x" : " ") + "] " + inline(li).trim());
        });
      }
      return lines.join("\n") + "\n";
    }

    // Prints only the result: a copy of the card on a sheet that print
    // styles show alone (tree.css), removed again after printing.
    function print(card) {
      pbAll(".pb-tree-print").forEach(function (old) {
        old.remove();
      });
      var copy = pbClone(card);
      pbAll("button, .pb-tree__tools", copy).forEach(function (n) {
        n.remove();
      });
      var sheet = pbEl("div", { class: "pb-tree-print", "aria-hidden": "true" }, [
        pbEl("h2", { text: title.textContent }),
        copy,
      ]);
      pbDoc.body.append(sheet);
      pbRoot.classList.add("pb-printing-tree");
      window.addEventListener("afterprint", function done() {
        window.removeEventListener("afterprint", done);
        pbRoot.classList.remove("pb-printing-tree");
        sheet.remove();
      });
      window.print();
    }

    var text = fragment();
    if (text != null) {
      stale = !replay(text);
    } else {
      var saved = pbGet(pathKey);
      if (saved && saved.indexOf(prefix) === 0) replay(saved);
    }
    section.classList.add("pb-tree--enhanced");
    app.append(live);
    app.hidden = false;
    render(false);
    if (text != null) {
      save();
      section.scrollIntoView();
    } else if (path.length && !location.hash) {
      save(); // a restored path gets its link back
    }

    // A link to another path of this tree on the same page.
    window.addEventListener("hashchange", function () {
      var text = fragment();
      if (text == null) return;
      stale = !replay(text);
      save();
      render(true);
    });
  }

  // The words of a heading or answer, without the node numbers and the
  // "→ n" the written-out tree shows for print.
  function words(el) {
    var copy = el.cloneNode(true);
    pbAll(".pb-node__number, .pb-answer__goto, [aria-hidden=true]", copy).forEach(function (n) {
      n.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  // Markdown for rendered inline HTML: links, emphasis and code survive.
  function inline(el) {
    var out = "";
    el.childNodes.forEach(function (n) {
      if (n.nodeType === 3) out += n.data.replace(/\s+/g, " ");
      if (n.nodeType !== 1 || n.nodeName === "INPUT") return;
      var inner = inline(n);
      var tag = n.nodeName;
      out +=
        tag === "A"
          ? "[" + inner + "](" + n.href + ")"
          : /^(STRONG|B)$/.test(tag)
          ? "**" + inner + "**"
          : /^(EM|I)$/.test(tag)
          ? "_" + inner + "_"
          : tag === "CODE"
          ? "`" + n.textContent + "`"
          : inner;
    });
    return out;
  }

  function blocks(el) {
    if (!el.children.length) return inline(el).trim();
    return [].map
      .call(el.children, function (child) {
        if (!/^[UO]L$/.test(child.nodeName)) return inline(child).trim();
        return [].map
          .call(child.children, function (li, i) {
            return (child.nodeName === "OL" ? i + 1 + ". " : "- ") + inline(li).trim();
          })
          .join("\n");
      })
      .filter(Boolean)
      .join("\n\n");
  }
})();
