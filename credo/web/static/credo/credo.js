// Keyboard and screen-reader care for htmx updates: after a part of the page is replaced, move the
// focus to the element in it that asks for it (a heading or an error summary), so the reader hears
// what changed and Tab continues from there.
(function () {
  function focusIn(root) {
    var el = root && root.querySelector && root.querySelector("[data-autofocus]");
    if (el) { el.focus(); }
  }
  document.addEventListener("htmx:afterSwap", function (e) { focusIn(e.detail.target); });
  // A gradebook cell opened in the side panel stays marked, so the eye finds it again.
  document.addEventListener("htmx:afterSwap", function (e) {
    var src = e.detail.requestConfig && e.detail.requestConfig.elt;
    var td = src && src.closest && src.closest("td.cell");
    if (!td || e.detail.target.id !== "cell-panel") { return; }
    document.querySelectorAll("td.cell.selected").forEach(function (c) { c.classList.remove("selected"); });
    td.classList.add("selected");
  });
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".errors[data-autofocus]");
    if (summary) { summary.focus(); }
  });
})();

// The Content-Security-Policy allows no inline style attributes and no inline handlers, so what
// they did is done here: area colours come as data-area="#hex" and become the CSS variable
// --area (setting a property from script is allowed); fields marked data-select-on-focus select
// their text when focused (a link to copy); a [data-history-back] button goes back a page.
(function () {
  function paint(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("[data-area]").forEach(function (el) {
      el.style.setProperty("--area", el.getAttribute("data-area"));
    });
    if (scope.matches && scope.matches("[data-area]")) {
      scope.style.setProperty("--area", scope.getAttribute("data-area"));
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { paint(document); });
  } else {
    paint(document);
  }
  document.addEventListener("htmx:afterSwap", function (e) { paint(e.detail.target); });
  document.addEventListener("click", function (e) {
    var back = e.target.closest && e.target.closest("[data-history-back]");
    if (back) { e.preventDefault(); window.history.back(); }
  });
  document.addEventListener("focusin", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("[data-select-on-focus]")) { el.select(); }
  });
})();

// Long lists of checkboxes (evidence, credits, competencies) get a filter box: typing shows only
// the choices whose label contains the words, hides groups left empty, and says how many are
// shown. Ticked choices stay ticked when hidden. Without script the box stays hidden.
(function () {
  function filter(input) {
    var box = document.getElementById(input.getAttribute("data-filter-choices"));
    if (!box) { return; }
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    var total = 0;
    box.querySelectorAll("label.choice").forEach(function (label) {
      var text = label.textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      label.hidden = !match;
      total += 1;
      if (match) { shown += 1; }
    });
    box.querySelectorAll("fieldset.choice-group").forEach(function (group) {
      group.hidden = !group.querySelector("label.choice:not([hidden])");
    });
    var count = document.querySelector('[data-filter-count="' + box.id + '"]');
    if (count) { count.textContent = words.length ? shown + " of " + total + " shown" : ""; }
  }
  function setUp() {
    document.querySelectorAll("input[data-filter-choices]").forEach(function (input) {
      input.closest(".filter-box").hidden = false;
      input.addEventListener("input", function () { filter(input); });
      // Enter in the filter box must not submit the form.
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
