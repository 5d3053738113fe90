// Shared helpers. The theme bundler puts this file first and each
// component (a folder under components/) after it in a function and a try
// of its own, so these plain declarations are seen by every component,
// and one component that throws does not stop the others.

var pbDoc = document;
var pbRoot = pbDoc.documentElement;
// Site-relative path of this page, "" on pages without one (print, 404):
// those pages keep nothing in storage.
var pbPage = pbRoot.getAttribute("data-page") || "";
var pbStrings = {};
try {
  pbStrings = JSON.parse(pbDoc.getElementById("pb-strings").textContent) || {};
} catch (e) {}

// A translated string with {name} placeholders filled in.
function pbT(key, vars) {
  var text = pbStrings[key] || key;
  return vars
    ? text.replace(/\{(\w+)\}/g, function (m, name) {
        return name in vars ? vars[name] : m;
      })
    : text;
}

// Storage key for this page: pbKey("tasks", "x") → "playbook:{page}:tasks:x".
function pbKey() {
  return pbPage
    ? ["playbook", pbPage].concat([].slice.call(arguments)).join(":")
    : "";
}

// localStorage throws on file:// in some browsers, in private modes and
// when full; every access goes through these two.
function pbGet(key) {
  try {
    return key ? localStorage.getItem(key) : null;
  } catch (e) {
    return null;
  }
}

function pbSet(key, value) {
  try {
    if (!key) return;
    if (value == null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch (e) {}
}

function pbGetJSON(key) {
  try {
    return JSON.parse(pbGet(key));
  } catch (e) {
    return null;
  }
}

function pbAll(selector, scope) {
  return [].slice.call((scope || pbDoc).querySelectorAll(selector));
}

// pbEl("button", { class: "x", text: "Go", onclick: fn }, [children])
function pbEl(tag, props, children) {
  var el = pbDoc.createElement(tag);
  for (var name in props || {}) {
    var value = props[name];
    if (value == null) continue;
    if (name === "text") el.textContent = value;
    else if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value);
  }
  (children || []).forEach(function (child) {
    if (child != null) el.append(child);
  });
  return el;
}

// A copy of rendered content without ids, so nothing is duplicated.
function pbClone(el) {
  var copy = el.cloneNode(true);
  copy.removeAttribute("id");
  pbAll("[id]", copy).forEach(function (n) {
    n.removeAttribute("id");
  });
  return copy;
}

// Starts a component on every element marked with its data-module; one
// broken element does not stop the others.
function pbStart(name, start) {
  pbAll('[data-module="' + name + '"]').forEach(function (el) {
    try {
      start(el);
    } catch (e) {
      pbFailed(name, e);
    }
  });
}

// Reports a component that failed to start.
function pbFailed(name, error) {
  if (window.console) console.error("playbook: " + name, error);
}

// A short, stable hash of a string (FNV-1a), for storage ids.
function pbHash(text) {
  var h = 2166136261;
  for (var i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0).toString(36);
}

// Copies text; resolves to true when it worked. The clipboard API needs a
// secure context, so there is a textarea fallback for file:// and http.
function pbCopy(text) {
  function fallback() {
    var active = pbDoc.activeElement;
    var area = pbEl("textarea", {
      readonly: "",
      "aria-hidden": "true",
      style: "position:fixed;top:0;left:-9999px;opacity:0",
    });
    area.value = text;
    pbDoc.body.append(area);
    area.select();
    var ok = false;
    try {
      ok = pbDoc.execCommand("copy");
    } catch (e) {}
    area.remove();
    if (active && active.focus) active.focus({ preventScroll: true });
    return ok;
  }
  var clip = navigator.clipboard;
  return clip && clip.writeText
    ? clip.writeText(text).then(function () {
        return true;
      }, fallback)
    : Promise.resolve(fallback());
}

// Shows a message in a role=status element; emptied first so the same
// message twice is announced twice.
function pbStatus(el, message) {
  el.textContent = "";
  setTimeout(function () {
    el.textContent = message;
  }, 50);
}

// Remembers which of a list's checkboxes (input[data-item]) are ticked.
// With nothing saved, the boxes checked in the HTML are the start state.
// Returns a function that resets the list to that start state.
function pbChecks(inputs, key, changed) {
  function ids(list) {
    return list.map(function (input) {
      return input.getAttribute("data-item");
    });
  }
  function apply(checked) {
    inputs.forEach(function (input) {
      input.checked = checked.indexOf(input.getAttribute("data-item")) >= 0;
    });
  }
  var initial = ids(
    inputs.filter(function (input) {
      return input.defaultChecked;
    })
  );
  var saved = pbGetJSON(key);
  if (Array.isArray(saved)) apply(saved);
  inputs.forEach(function (input) {
    input.addEventListener("change", function () {
      pbSet(
        key,
        JSON.stringify(
          ids(
            inputs.filter(function (i) {
              return i.checked;
            })
          )
        )
      );
      if (changed) changed();
    });
  });
  return function reset() {
    apply(initial);
    pbSet(key, null);
    if (changed) changed();
  };
}
