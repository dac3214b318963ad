// "Copy link" beside a share link: put the address on the clipboard and say so in the status line
// next to it (read out by screen readers). Where the clipboard is out of reach (a page served over
// plain http from another machine), the address is selected so Ctrl+C or Cmd+C copies it.
(function () {
  function say(status, text) {
    if (!status) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  function fallback(input, status) {
    input.focus();
    input.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (err) { done = false; }
    say(status, done ? "Link copied." : "The link is selected: press Ctrl+C (or Cmd+C) to copy it.");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!input) { return; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { say(status, "Link copied."); },
        function () { fallback(input, status); }
      );
    } else {
      fallback(input, status);
    }
  });
})();
