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
