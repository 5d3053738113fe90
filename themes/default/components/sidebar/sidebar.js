// The site contents in the sidebar, and the menu button that shows it on
// narrow screens. toc.js (loaded first) sets window.PLAYBOOK_TOC to the
// contents as HTML with links relative to the site root; without JS the
// sidebar shows the same list in an iframe.
(function () {
  var root = pbRoot.getAttribute("data-root") || "";

  pbStart("pb-sidebar", function (box) {
    var toc = window.PLAYBOOK_TOC;
    if (typeof toc !== "string") {
      // toc.js did not load: fall back to the frame the page has for no-JS.
      var noscript = box.parentNode.querySelector("noscript");
      if (noscript) box.innerHTML = noscript.textContent;
      return;
    }
    box.innerHTML = toc;
    var current = null;
    pbAll("a[href]", box).forEach(function (a) {
      var href = a.getAttribute("href");
      if (/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(href)) return;
      a.setAttribute("href", root + href);
      // A path that could read as a URL scheme comes with a leading "./";
      // a name holding "?", "#" or "%" comes percent-encoded.
      var path = href.replace(/^\.\//, "");
      try { path = decodeURIComponent(path); } catch (e) {}
      if (pbPage && path === pbPage && !current) {
        current = a;
        a.setAttribute("aria-current", "page");
      }
    });
    if (current) reveal(current, box.closest(".pb-sidebar") || box);
  });

  // Scrolls the sidebar (not the page) so the current link is in view.
  function reveal(link, limit) {
    var el = link;
    while ((el = el.parentElement) && el !== limit.parentElement) {
      var style = getComputedStyle(el).overflowY;
      if (/auto|scroll/.test(style) && el.scrollHeight > el.clientHeight) {
        el.scrollTop +=
          link.getBoundingClientRect().top -
          el.getBoundingClientRect().top -
          el.clientHeight / 3;
        return;
      }
    }
  }

  var toggle = pbDoc.querySelector("button.pb-menu-toggle");
  var sidebar = pbDoc.getElementById("pb-sidebar");
  if (!toggle || !sidebar) return;
  toggle.hidden = false;

  function open(yes) {
    sidebar.classList.toggle("pb-sidebar--open", yes);
    toggle.setAttribute("aria-expanded", String(yes));
  }

  toggle.addEventListener("click", function () {
    var yes = !isOpen();
    open(yes);
    if (yes) {
      var link = sidebar.querySelector('[aria-current="page"]') || sidebar.querySelector("a[href]");
      if (link) focusSoon(link, 20);
    }
  });

  // The drawer may still be turning visible (a CSS transition); retry for
  // a few frames until the link can take focus.
  function focusSoon(el, tries) {
    el.focus();
    if (pbDoc.activeElement !== el && tries && isOpen()) {
      requestAnimationFrame(function () {
        focusSoon(el, tries - 1);
      });
    }
  }

  function isOpen() {
    return toggle.getAttribute("aria-expanded") === "true";
  }
  pbDoc.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      open(false);
      toggle.focus();
    }
  });
  // A click beside the open drawer closes it.
  pbDoc.addEventListener("click", function (event) {
    if (isOpen() && !sidebar.contains(event.target) && !toggle.contains(event.target)) open(false);
  });
})();
