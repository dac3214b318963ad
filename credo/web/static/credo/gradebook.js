// Keyboard entry in the gradebook. On a focused cell: the arrow keys move to the next cell; typing
// a level (digits and a point) shows it in the cell; Enter records it as a summative assessment of
// the school's today (an arrow key records it and moves on); Escape drops it; Enter on a cell with
// nothing typed opens it in the side panel as before. The panel's "Hide" button gives the table
// the whole width. Loaded as a static file (no inline script), so a strict CSP allows it.
(function () {
  "use strict";
  var grid = document.querySelector("table.gradebook[data-today]");
  if (!grid) { return; }
  var live = function (text) {
    var el = document.getElementById("live");
    if (el) { el.textContent = text; }
  };
  var lastCell = null; // the id of the cell that last held the focus
  var pending = 0; // quick entries sent and not yet answered
  var MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

  function cellOf(el) { return el && el.closest ? el.closest("td.cell") : null; }

  function neighbour(td, dr, dc) {
    var tr = td.parentElement;
    var rows = Array.prototype.slice.call(grid.tBodies[0].rows);
    var r = rows.indexOf(tr) + dr;
    var c = Array.prototype.indexOf.call(tr.children, td) + dc;
    if (r < 0 || r >= rows.length) { return null; }
    var next = rows[r].children[c];
    return next && next.classList.contains("cell") ? next : null;
  }

  function describe(td) {
    var row = td.parentElement.querySelector("th");
    var col = grid.tHead.rows[0].children[Array.prototype.indexOf.call(td.parentElement.children, td)];
    return (row ? row.textContent.trim() : "") + ", " + (col ? col.textContent.trim() : "");
  }

  function typedOf(td) { return td.getAttribute("data-typed") || ""; }

  function setTyped(td, text) {
    var shown = td.querySelector(".typed");
    if (!text) {
      td.removeAttribute("data-typed");
      td.classList.remove("typing");
      if (shown) { shown.remove(); }
      return;
    }
    td.setAttribute("data-typed", text);
    td.classList.add("typing");
    if (!shown) {
      shown = document.createElement("span");
      shown.className = "typed";
      td.querySelector("a").appendChild(shown);
    }
    shown.textContent = text;
  }

  function record(td) {
    var text = typedOf(td);
    var link = td.querySelector("a");
    setTyped(td, "");
    pending += 1;
    live("Recording " + text + " for " + describe(td) + "…");
    window.htmx.ajax("POST", link.getAttribute("hx-get"), {
      source: link,
      target: "#cell-panel",
      swap: "innerHTML",
      values: { value: text, demonstrated_on: grid.getAttribute("data-today"), kind: "summative", quick: "1" }
    });
  }

  grid.addEventListener("keydown", function (e) {
    var td = cellOf(e.target);
    if (!td || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var key = e.key;
    var typed = typedOf(td);
    if (MOVES[key]) {
      var next = neighbour(td, MOVES[key][0], MOVES[key][1]);
      e.preventDefault();
      if (typed) { record(td); }
      if (next) { next.querySelector("a").focus(); }
      return;
    }
    if (/^[0-9.]$/.test(key)) {
      e.preventDefault();
      setTyped(td, (typed + key).slice(0, 6));
      live(typedOf(td) + " for " + describe(td) + ". Enter records it, Escape drops it.");
      return;
    }
    if (key === "Backspace" && typed) {
      e.preventDefault();
      setTyped(td, typed.slice(0, -1));
      return;
    }
    if (key === "Escape" && typed) {
      e.preventDefault();
      setTyped(td, "");
      live("Dropped.");
      return;
    }
    if (key === "Enter" && typed) {
      e.preventDefault();
      record(td);
    }
  });

  // A level typed and then left (by a click elsewhere) is dropped rather than recorded unseen.
  grid.addEventListener("focusout", function (e) {
    var td = cellOf(e.target);
    if (td && typedOf(td) && !td.contains(e.relatedTarget)) { setTyped(td, ""); }
  });

  // After a quick entry, the focus stays in the table (unless the panel shows why it was refused).
  // Entries are recorded while the teacher moves on, so answers arrive in any order, and each one
  // replaces its cell: when that cell held the focus, the focus falls to the page. So whenever an
  // answer has left the focus nowhere, it goes back to the cell the teacher was last on.
  grid.addEventListener("focusin", function (e) {
    var td = cellOf(e.target);
    if (td) { lastCell = td.id; }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!lastCell || e.detail.target.id !== "cell-panel") { return; }
    if (e.detail.target.querySelector(".errors")) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; }
    var td = document.getElementById(lastCell);
    if (td) { td.querySelector("a").focus(); }
  });
  // One answer per entry, whatever its outcome (a settle can be reported more than once).
  document.addEventListener("htmx:afterRequest", function (e) {
    if (pending && cellOf(e.detail.elt)) { pending -= 1; }
  });

  // The side panel folds away to give the targets the whole width, and comes back on opening a cell.
  var layout = document.querySelector(".gradebook-layout");
  var toggle = document.getElementById("panel-toggle");
  function fold(folded) {
    layout.classList.toggle("folded", folded);
    toggle.setAttribute("aria-expanded", folded ? "false" : "true");
    toggle.textContent = folded ? "Show the cell panel" : "Hide the cell panel";
    try { window.localStorage.setItem("credo.gradebook.folded", folded ? "1" : ""); } catch (err) { /* private mode */ }
  }
  if (layout && toggle) {
    toggle.hidden = false;
    var stored = "";
    try { stored = window.localStorage.getItem("credo.gradebook.folded") || ""; } catch (err) { /* private mode */ }
    fold(stored === "1");
    toggle.addEventListener("click", function () { fold(!layout.classList.contains("folded")); });
    document.addEventListener("htmx:beforeSwap", function (e) {
      if (e.detail.target.id === "cell-panel" && !pending) { fold(false); }
    });
  }
})();
