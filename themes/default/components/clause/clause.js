// Sample clauses with [Name] blanks. A field has one value per page:
// typing in any input for "Provider" fills every [Provider] on the page
// and every other Provider input. Values are remembered per page.
(function () {
  var key = pbKey("clause", "fields");
  var values = pbGetJSON(key);
  if (!values || typeof values !== "object") values = {};
  var inputs = [];
  var blanks = [];

  function fill(name, value, from) {
    values[name] = value;
    inputs.forEach(function (input) {
      if (input !== from && input.getAttribute("data-field") === name) input.value = value;
    });
    blanks.forEach(function (span) {
      if (span.getAttribute("data-field") !== name) return;
      span.textContent = value || "[" + name + "]";
      span.classList.toggle("pb-field--filled", !!value);
    });
  }

  pbStart("pb-clause", function (figure) {
    var fields = figure.querySelector(".pb-clause__fields");
    var tools = figure.querySelector(".pb-clause__tools");
    var text = figure.querySelector(".pb-clause__text");
    var status = figure.querySelector(".pb-clause__status");
    var button = figure.querySelector(".pb-clause__copy");
    if (fields) fields.hidden = false;
    pbAll("input[data-field]", figure).forEach(function (input) {
      inputs.push(input);
      input.addEventListener("input", function () {
        fill(input.getAttribute("data-field"), input.value, input);
        pbSet(key, JSON.stringify(values));
      });
    });
    if (text) blanks.push.apply(blanks, pbAll("span.pb-field[data-field]", text));
    if (!tools || !text || !button || !status) return;
    tools.hidden = false;
    button.addEventListener("click", function () {
      var plain = pbAll("p", text)
        .map(function (p) {
          return p.textContent.replace(/\s+/g, " ").trim();
        })
        .join("\n\n");
      pbCopy(plain + "\n").then(function (ok) {
        pbStatus(status, pbT(ok ? "clause.copied" : "clause.copy_failed"));
        // Help the reader copy it by hand.
        if (!ok && window.getSelection) getSelection().selectAllChildren(text);
      });
    });
  });

  for (var name in values) {
    if (typeof values[name] === "string") fill(name, values[name]);
  }
})();
