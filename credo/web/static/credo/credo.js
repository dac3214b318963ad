// Keyboard and screen-reader care for htmx updates: after a part of the page is replaced, move the
// focus to the element in it that asks for it (a heading or an error summary), so the reader hears
// what changed and Tab continues from there.
(function () {
  function focusIn(root) {
    var el = root && root.querySelector && root.querySelector("[data-autofocus]");
    if (el) { el.focus(); }
  }
  document.addEventListener("htmx:afterSwap", function (e) { focusIn(e.detail.target); });
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".errors[data-autofocus]");
    if (summary) { summary.focus(); }
  });
})();
