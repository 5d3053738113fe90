/* Search: the header box shows results as the reader types; search.html
   shows them on a page of their own. The index (search/<lang>/, written by
   the build) is fetched only when a search starts, and only the chunks a
   query needs. Titles, sections and snippets are read from the result
   pages themselves, which the browser then has cached for the click. */
(function () {
  var html = document.documentElement;
  var root = html.getAttribute("data-root") || "";
  var t = pbT;

  function fetchJSON(url, init) {
    return fetch(url, init).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.json();
    });
  }

  /* The index of this page's language. meta.json is always revalidated;
     chunks carry its version, so a rebuilt site never mixes old and new. */
  var index = null;
  function load() {
    if (location.protocol === "file:") return Promise.reject(new Error("file"));
    if (!index) {
      var base = new URL(root + "search/" + (html.lang || "en") + "/", location.href).href;
      var chunks = {};
      index = {
        meta: fetchJSON(base + "meta.json", { cache: "no-cache" }),
        chunk: function (kind, i) {
          var key = kind + i;
          if (!chunks[key]) {
            chunks[key] = index.meta.then(function (meta) {
              return fetchJSON(base + key + ".json?v=" + meta.version);
            });
          }
          return chunks[key];
        }
      };
      var loading = index;
      index.meta.catch(function () { if (index === loading) index = null; });
    }
    return index.meta.then(function () { return index; });
  }

  /* The last chunk whose first key is at most `key`. */
  function chunkFor(firsts, key) {
    var lo = 0, hi = firsts.length - 1, at = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (firsts[mid] <= key) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return at;
  }
  /* In a chunk [key, value, key, value, …] sorted by key: where the first
     key not below `key` sits. */
  function lowerBound(list, key) {
    var lo = 0, hi = list.length / 2;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (list[2 * mid] < key) lo = mid + 1; else hi = mid;
    }
    return 2 * lo;
  }
  function startsWith(text, prefix) { return text.slice(0, prefix.length) === prefix; }

  /* The word forms in the index that begin with `prefix` (at most 200),
     as [form, stem] pairs; a prefix's forms may run on into the next
     chunks. */
  function formsFrom(ix, meta, prefix) {
    var found = [];
    if (!meta.words.length) return Promise.resolve(found); /* a language with no pages yet */
    function scan(i, chunksLeft) {
      return ix.chunk("w", i).then(function (list) {
        for (var at = lowerBound(list, prefix); at < list.length && found.length < 200; at += 2) {
          if (!startsWith(list[at], prefix)) return found;
          found.push([list[at], list[at + 1] || list[at]]);
        }
        var next = i + 1;
        if (found.length < 200 && chunksLeft > 0 && next < meta.words.length && startsWith(meta.words[next], prefix)) {
          return scan(next, chunksLeft - 1);
        }
        return found;
      });
    }
    return scan(chunkFor(meta.words, prefix), 3);
  }

  /* What one query word stands for: the stems to look up, each with how
     much a match counts, and the word forms to mark in snippets. A word
     in the index brings its stem, so its inflected forms match too; the
     word being typed also brings the words it begins. A word in no page
     is cut back a letter at a time until it begins some word: Finnish
     inflects by endings, so this finds the forms the pages use. */
  function termsFor(ix, meta, word, typing) {
    return formsFrom(ix, meta, word).then(function (forms) {
      var stems = {}, marked = {}, exact = false;
      forms.forEach(function (pair) {
        if (pair[0] === word) { exact = true; stems[pair[1]] = 1; marked[pair[0]] = true; }
      });
      if (typing || !exact) {
        forms.forEach(function (pair) {
          if (!(pair[1] in stems)) stems[pair[1]] = exact ? 0.8 : 0.9;
          marked[pair[0]] = true;
        });
      }
      if (Object.keys(stems).length) return { stems: stems, marked: marked };
      var chars = Array.from(word);
      var shortest = Math.max(4, Math.ceil(chars.length * 0.6));
      function shorter(n) {
        if (n < shortest) return { stems: {}, marked: {} };
        return formsFrom(ix, meta, chars.slice(0, n).join("")).then(function (near) {
          if (!near.length) return shorter(n - 1);
          near.forEach(function (pair) { stems[pair[1]] = 0.7; marked[pair[0]] = true; });
          return { stems: stems, marked: marked };
        });
      }
      return shorter(chars.length - 1);
    });
  }

  /* A stem's postings as {page: weight}. */
  function postings(ix, meta, stem) {
    return ix.chunk("s", chunkFor(meta.stems, stem)).then(function (list) {
      var at = lowerBound(list, stem), pages = {};
      if (list[at] !== stem) return pages;
      var flat = list[at + 1], page = 0;
      for (var i = 0; i < flat.length; i += 2) {
        page += flat[i];
        pages[page] = flat[i + 1];
      }
      return pages;
    });
  }

  /* Every page holding every word of the query, best first (BM25), with
     what to mark in its snippet. */
  function search(query) {
    var list = searchWords(query);
    if (!list.length) return Promise.resolve({ pages: [], marked: {}, stems: [] });
    var typing = !/\s$/.test(query);
    return load().then(function (ix) {
      return ix.meta.then(function (meta) {
        var count = meta.pages.length;
        return Promise.all(list.map(function (word, i) {
          return termsFor(ix, meta, word, typing && i === list.length - 1).then(function (terms) {
            var stems = Object.keys(terms.stems);
            return Promise.all(stems.map(function (stem) { return postings(ix, meta, stem); })).then(function (found) {
              var best = {};
              found.forEach(function (pages, j) {
                var df = Object.keys(pages).length;
                var idf = Math.log(1 + (count - df + 0.5) / (df + 0.5));
                for (var page in pages) {
                  var score = idf * pages[page] / 100 * terms.stems[stems[j]];
                  if (!(page in best) || best[page] < score) best[page] = score;
                }
              });
              return { best: best, terms: terms };
            });
          });
        })).then(function (perWord) {
          var marked = {}, stems = [];
          perWord.forEach(function (w) {
            for (var form in w.terms.marked) marked[form] = true;
            stems = stems.concat(Object.keys(w.terms.stems));
          });
          var pages = Object.keys(perWord[0].best).filter(function (page) {
            return perWord.every(function (w) { return page in w.best; });
          }).map(function (page) {
            var score = perWord.reduce(function (sum, w) { return sum + w.best[page]; }, 0);
            return { url: meta.pages[page], score: score, order: Number(page) };
          });
          pages.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
          return { pages: pages, marked: marked, stems: stems };
        });
      });
    });
  }

  /* A result page, read for its title and sections. */
  var pageCache = {};
  var SKIP = "svg, .pb-tree__diagram, fieldset, .pb-anchor, script, style, noscript, template";
  var BLOCK = /^(P|LI|TD|TH|DT|DD|PRE|BLOCKQUOTE|DIV|SECTION|TR|BR|UL|OL|TABLE|FIGCAPTION|SUMMARY|DETAILS|H[1-6])$/;
  function readPage(url) {
    if (!pageCache[url]) {
      pageCache[url] = fetch(root + url).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + url);
        return response.text();
      }).then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var heading = doc.querySelector("main h1");
        var body = doc.querySelector(".pb-content") || doc.querySelector("main") || doc.body;
        body.querySelectorAll(SKIP).forEach(function (node) { node.remove(); });
        var sections = [{ id: "", title: "", text: "" }];
        var walker = doc.createTreeWalker(body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
        for (var node = walker.nextNode(); node; node = walker.nextNode()) {
          var current = sections[sections.length - 1];
          if (node.nodeType === 1) {
            if (/^H[1-6]$/.test(node.tagName) && node.id) {
              sections.push({ id: node.id, title: node.textContent.trim(), text: "" });
            } else if (BLOCK.test(node.tagName)) {
              current.text += " ";
            }
          } else if (!node.parentElement.closest("h1, h2, h3, h4, h5, h6")) {
            current.text += node.nodeValue;
          }
        }
        sections.forEach(function (s) { s.text = s.text.replace(/\s+/g, " ").trim(); });
        return {
          title: (heading ? heading.textContent : doc.title).trim(),
          sections: sections
        };
      });
      pageCache[url].catch(function () { delete pageCache[url]; });
    }
    return pageCache[url];
  }

  /* The section of a page that matches best, and a snippet of it around
     the first match: [text, marked?] parts. */
  function snippet(page, isMatch) {
    var best = null, bestScore = -1;
    page.sections.forEach(function (section) {
      var seen = {}, hits = 0;
      searchPieces(section.title + " " + section.text).forEach(function (piece) {
        var w = searchWord(piece);
        if (w && isMatch(w)) { hits += 1; seen[w] = true; }
      });
      var score = hits ? Object.keys(seen).length * 100 + hits : 0;
      if (score > bestScore || (bestScore === 0 && !best.text && section.text)) { best = section; bestScore = score; }
    });
    var tokens = searchPieces(best.text).map(function (piece) {
      var w = searchWord(piece);
      return { start: piece.start, end: piece.end, hit: !!w && isMatch(w) };
    });
    var first = tokens.findIndex(function (tok) { return tok.hit; });
    var from = Math.max(0, first - 8), to = Math.min(tokens.length, from + 26);
    var parts = [];
    if (!tokens.length) return { section: best, parts: parts };
    var cursor = tokens[from].start;
    if (from > 0) parts.push(["… ", false]);
    for (var i = from; i < to; i++) {
      if (!tokens[i].hit) continue;
      parts.push([best.text.slice(cursor, tokens[i].start), false]);
      parts.push([best.text.slice(tokens[i].start, tokens[i].end), true]);
      cursor = tokens[i].end;
    }
    parts.push([best.text.slice(cursor, tokens[to - 1].end), false]);
    if (to < tokens.length) parts.push([" …", false]);
    return { section: best, parts: parts };
  }

  /* Appends list items for `pages` (title, section, snippet) to `list`. */
  function render(found, pages, list) {
    var stems = found.stems.filter(function (s) { return Array.from(s).length >= 3; });
    function isMatch(w) {
      if (found.marked[w]) return true;
      for (var i = 0; i < stems.length; i++) if (startsWith(w, stems[i])) return true;
      return false;
    }
    return Promise.all(pages.map(function (result) {
      return readPage(result.url).catch(function () { return null; });
    })).then(function (read) {
      read.forEach(function (page, i) {
        var item = document.createElement("li");
        item.className = "pb-search__result";
        var link = document.createElement("a");
        var href = root + pages[i].url;
        var title = document.createElement("span");
        title.className = "pb-search__title";
        title.textContent = page && page.title ? page.title : pages[i].url;
        link.appendChild(title);
        if (page) {
          var cut = snippet(page, isMatch);
          if (cut.section.id) href += "#" + encodeURIComponent(cut.section.id);
          if (cut.section.title && cut.section.title !== title.textContent) {
            var section = document.createElement("span");
            section.className = "pb-search__section";
            section.textContent = cut.section.title;
            link.appendChild(section);
          }
          var excerpt = document.createElement("span");
          excerpt.className = "pb-search__excerpt";
          cut.parts.forEach(function (part) {
            if (part[1]) {
              var mark = document.createElement("mark");
              mark.textContent = part[0];
              excerpt.appendChild(mark);
            } else {
              excerpt.appendChild(document.createTextNode(part[0]));
            }
          });
          link.appendChild(excerpt);
        }
        link.setAttribute("href", href);
        item.appendChild(link);
        list.appendChild(item);
      });
    });
  }

  /* Runs a search into `panel`: a status line, then `limit` results and,
     when there are more, `more(found)` to offer them. A newer search
     started meanwhile wins. */
  var latest = 0;
  function run(query, panel, limit, more) {
    var mine = ++latest;
    var status = document.createElement("p");
    status.className = "pb-search__status";
    status.setAttribute("role", "status");
    panel.textContent = "";
    panel.appendChild(status);
    status.textContent = t("search.loading");
    return new Promise(function (resolve) { setTimeout(resolve, 120); }).then(function () {
      if (mine !== latest) return null;
      return search(query);
    }).then(function (found) {
      if (!found || mine !== latest) return;
      if (!found.pages.length) {
        status.textContent = t("search.none", { query: query });
        return;
      }
      var list = document.createElement("ul");
      list.className = "pb-search__list";
      return render(found, found.pages.slice(0, limit), list).then(function () {
        if (mine !== latest) return;
        status.textContent = t("search.results", { count: found.pages.length });
        panel.appendChild(list);
        if (found.pages.length > limit && more) more(found, list);
      });
    }).catch(function (error) {
      if (mine !== latest) return;
      status.textContent = t(error && error.message === "file" ? "search.unavailable" : "search.failed");
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
      var query = input.value;
      if (!query.trim()) { latest += 1; close(); return; }
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
      run(query, panel, 8, function () {
        var more = document.createElement("a");
        more.className = "pb-search__more";
        more.href = input.form.getAttribute("action") + "?q=" + encodeURIComponent(query.trim());
        more.textContent = t("search.more");
        panel.appendChild(more);
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

  /* search.html: results for ?q= on a page of their own, ten at a time. */
  var pageForm = document.querySelector('[data-module="pb-search-page"]');
  if (pageForm) {
    var field = pageForm.querySelector("input");
    var results = document.querySelector(".pb-search-page__results");
    var query = new URLSearchParams(location.search).get("q") || "";
    field.value = query;
    if (query.trim()) {
      run(query.trim(), results, 10, function offer(found, list) {
        var shown = list.children.length;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "pb-button pb-search__more";
        button.textContent = t("search.load_more");
        button.addEventListener("click", function () {
          button.disabled = true;
          render(found, found.pages.slice(shown, shown + 10), list).then(function () {
            button.remove();
            var next = list.children[shown];
            if (next) next.querySelector("a").focus();
            if (found.pages.length > list.children.length) offer(found, list);
          });
        });
        results.appendChild(button);
      });
    }
  }
})();
