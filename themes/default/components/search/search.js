/* Search: the header box shows results as the reader types; search.html
   shows them on a page of their own. Pagefind's index is loaded only when
   a search starts, and only the chunks a query needs. */
(function () {
  var root = document.documentElement.getAttribute("data-root") || "";
  var strings = {};
  try { strings = JSON.parse(document.getElementById("pb-strings").textContent); } catch (e) {}
  function t(key, args) {
    var text = strings[key] || key;
    for (var name in args || {}) text = text.split("{" + name + "}").join(args[name]);
    return text;
  }

  var engine = null;
  function load() {
    if (!engine) {
      engine = location.protocol === "file:"
        ? Promise.reject(new Error("file"))
        : import(new URL(root + "pagefind/pagefind.js", location.href).href).then(function (pagefind) {
            return pagefind.options({ excerptLength: 24 }).then(function () { return pagefind; });
          });
    }
    return engine;
  }

  function href(url) {
    return root + String(url).replace(/^\/+/, "");
  }

  /* Results as list items: page title, the section matched, a snippet. */
  function render(results, list, limit) {
    return Promise.all(results.slice(0, limit).map(function (r) { return r.data(); })).then(function (pages) {
      list.textContent = "";
      pages.forEach(function (page) {
        var best = (page.sub_results || []).filter(function (s) { return s.url.indexOf("#") !== -1; })[0];
        var item = document.createElement("li");
        item.className = "pb-search__result";
        var link = document.createElement("a");
        link.href = href(best ? best.url : page.url);
        var title = document.createElement("span");
        title.className = "pb-search__title";
        title.textContent = page.meta && page.meta.title ? page.meta.title : page.url;
        link.appendChild(title);
        if (best && best.title && best.title !== title.textContent) {
          var section = document.createElement("span");
          section.className = "pb-search__section";
          section.textContent = best.title;
          link.appendChild(section);
        }
        var excerpt = document.createElement("span");
        excerpt.className = "pb-search__excerpt";
        excerpt.innerHTML = best ? best.excerpt : page.excerpt; /* Pagefind escapes text and adds <mark>. */
        link.appendChild(excerpt);
        item.appendChild(link);
        list.appendChild(item);
      });
    });
  }

  function run(query, panel, limit, onDone) {
    var status = document.createElement("p");
    status.className = "pb-search__status";
    status.setAttribute("role", "status");
    panel.textContent = "";
    panel.appendChild(status);
    status.textContent = t("search.loading");
    return load().then(function (pagefind) {
      return pagefind.debouncedSearch(query, {}, 120);
    }).then(function (search) {
      if (search === null) return; /* A newer keystroke replaced this search. */
      if (!search.results.length) {
        status.textContent = t("search.none", { query: query });
        return;
      }
      status.textContent = t("search.results", { count: search.results.length });
      var list = document.createElement("ul");
      list.className = "pb-search__list";
      panel.appendChild(list);
      return render(search.results, list, limit).then(function () { if (onDone) onDone(search); });
    }).catch(function () {
      status.textContent = t("search.unavailable");
    });
  }

  /* The header box. */
  var input = document.getElementById("pb-search-input");
  var panel = document.querySelector(".pb-search__results");
  if (input && panel) {
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "pb-search-panel");
    input.setAttribute("aria-autocomplete", "list");
    panel.id = "pb-search-panel";
    var close = function () {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
    };
    input.addEventListener("focus", function () { load().catch(function () {}); });
    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (!query) { close(); return; }
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
      run(query, panel, 8, function (search) {
        if (search.results.length > 8) {
          var more = document.createElement("a");
          more.className = "pb-search__more";
          more.href = input.form.getAttribute("action") + "?q=" + encodeURIComponent(query);
          more.textContent = t("search.more");
          panel.appendChild(more);
        }
      });
    });
    input.addEventListener("keydown", function (event) {
      var links = panel.querySelectorAll("a");
      if (event.key === "Escape") { close(); return; }
      if (event.key === "ArrowDown" && links.length) { event.preventDefault(); links[0].focus(); }
    });
    panel.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(panel.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && i < links.length - 1) { event.preventDefault(); links[i + 1].focus(); }
      else if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      else if (event.key === "Escape") { close(); input.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!input.form.contains(event.target)) close();
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable ||
        (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && !/^(checkbox|radio|button|submit|reset)$/.test(target.type)));
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  /* search.html: results for ?q= on a page of their own. */
  var pageForm = document.querySelector('[data-module="pb-search-page"]');
  if (pageForm) {
    var field = pageForm.querySelector("input");
    var results = document.querySelector(".pb-search-page__results");
    var query = new URLSearchParams(location.search).get("q") || "";
    field.value = query;
    if (query.trim()) run(query.trim(), results, 50);
  }
})();
