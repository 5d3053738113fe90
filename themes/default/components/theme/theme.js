// The dark theme switch. The inline script in <head> has already applied a
// saved choice ("playbook:theme"); with none saved, the system decides.
(function () {
  var button = pbDoc.querySelector("button.pb-theme-toggle");
  if (!button) return;
  var system = window.matchMedia ? matchMedia("(prefers-color-scheme: dark)") : null;

  function dark() {
    var chosen = pbRoot.getAttribute("data-theme");
    return chosen ? chosen === "dark" : !!(system && system.matches);
  }

  // A toggle button keeps one name ("Dark theme"); aria-pressed says
  // whether it is on.
  function sync() {
    button.textContent = pbT("theme.dark");
    button.setAttribute("aria-pressed", String(dark()));
  }

  button.addEventListener("click", function () {
    var next = dark() ? "light" : "dark";
    pbRoot.setAttribute("data-theme", next);
    pbSet("playbook:theme", next);
    sync();
  });
  if (system && system.addEventListener) system.addEventListener("change", sync);
  sync();
  button.hidden = false;
})();
