// Live reload for `playbook serve`. Injected by serve only, never by build.
(function () {
  "use strict";
  var KEY = "playbook:serve-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(KEY);
    if (saved !== null) {
      sessionStorage.removeItem(KEY);
      var y = parseInt(saved, 10);
      var restore = function () { window.scrollTo(0, y); };
      if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
    }
  } catch (e) {}

  // Pages name themselves; the print, search and sidebar pages are named
  // by their path, since serve serves the site at the root.
  var page = document.documentElement.getAttribute("data-page") || "";
  if (!page) {
    try { page = decodeURIComponent(location.pathname.replace(/^\//, "")); } catch (e) {}
  }
  var overlay = null;
  var banner = null;

  // Where the page stands in serve's log of updates, as serve said when it
  // sent the page. The stream sends what came after it first, so a save
  // made while this page loaded is not missed. Browsers that keep server
  // timings from a page (some do only over https or on localhost) get that;
  // the others hear of updates from the moment the stream opens.
  var since = "";
  try {
    var timings = performance.getEntriesByType("navigation")[0].serverTiming || [];
    for (var t = 0; t < timings.length; t++) {
      if (timings[t].name === "pb-update") since = timings[t].description;
    }
  } catch (e) {}

  function reload() {
    try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) {}
    location.reload();
  }

  // A panel of serve's own over the page, styled inline so that no theme
  // stylesheet can hide it.
  function panel(className, role, css) {
    var el = document.createElement("div");
    el.className = className;
    el.setAttribute("role", role);
    el.style.cssText = "position:fixed;z-index:9999;overflow:auto;font:14px/1.45 ui-monospace,monospace;" + css;
    document.body.appendChild(el);
    return el;
  }

  function showError(text) {
    if (!overlay) {
      overlay = panel("pb-reload-overlay", "alert", "inset:0 0 auto 0;max-height:70vh;" +
        "background:#2b0b0e;color:#ffe9ea;border-bottom:4px solid #ff5c6c;padding:1rem 1.25rem");
    }
    overlay.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "playbook: the last change did not build";
    var pre = document.createElement("pre");
    pre.style.cssText = "white-space:pre-wrap;margin:.75rem 0 0";
    pre.textContent = text;
    overlay.appendChild(title);
    overlay.appendChild(pre);
  }

  // Not a build error: the page is current, but saves may go unseen.
  function showNotice(text) {
    if (!banner) {
      banner = panel("pb-reload-notice", "status", "inset:auto 0 0 0;z-index:9998;max-height:30vh;" +
        "background:#3a2c00;color:#fff6d6;border-top:4px solid #f5b700;padding:.75rem 1.25rem;white-space:pre-wrap");
    }
    banner.textContent = "playbook: " + text;
  }

  function clearError() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function swapStylesheet() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var href = link.getAttribute("href") || "";
      if (href.indexOf("assets/playbook.css") === -1) continue;
      var fresh = link.cloneNode();
      fresh.setAttribute("href", href.split("?")[0] + "?t=" + Date.now());
      fresh.onload = (function (old) { return function () { old.remove(); }; })(link);
      link.parentNode.insertBefore(fresh, link.nextSibling);
    }
  }

  function onMessage(message) {
    if (message.lastEventId) since = message.lastEventId;
    var event;
    try { event = JSON.parse(message.data); } catch (e) { return; }
    if (event.type === "error") {
      showError(event.text);
    } else if (event.type === "notice") {
      showNotice(event.text);
    } else if (event.type === "css") {
      clearError();
      swapStylesheet();
    } else if (event.type === "reload") {
      if (event.all || overlay || (event.pages || []).indexOf(page) !== -1) reload();
    } else if (event.type === "ok") {
      clearError();
    }
  }

  // The browser retries a dropped stream by itself, but not one that was
  // refused (serve answers 503 when too many tabs are open): try again
  // later, waiting twice as long each time, up to a minute.
  var delay = 2000;
  function connect() {
    var source = new EventSource("/__playbook/events" + (since ? "?since=" + encodeURIComponent(since) : ""));
    source.onopen = function () { delay = 2000; };
    source.onmessage = onMessage;
    source.onerror = function () {
      if (source.readyState !== EventSource.CLOSED) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }
  connect();
})();
