/* Inbox keyboard triage (a static file: the Content-Security-Policy forbids inline scripts).
   List: j/k move, Enter opens, x selects for a bulk action, r/a/e open the item at its form.
   Conversation: r focuses the reply, a the assignee, e submits "resolve". Keys typed in a
   field are left alone. */
(function () {
  "use strict";

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("table[data-inbox] tr[data-item]"));
  var current = -1;

  function select(index) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
    rows[current].focus();
  }

  function open(anchor) {
    if (current < 0) { return; }
    window.location.assign(rows[current].dataset.href + (anchor || ""));
  }

  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (rows.length) {
      if (e.key === "j") { select(current + 1); e.preventDefault(); return; }
      if (e.key === "k") { select(current - 1); e.preventDefault(); return; }
      if (e.key === "Enter" && current >= 0) { open(""); e.preventDefault(); return; }
      if (e.key === "x" && current >= 0) {
        var box = rows[current].querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; }
        e.preventDefault();
        return;
      }
      if (e.key === "r") { open("#reply-text"); return; }
      if (e.key === "a") { open("#assignee"); return; }
      if (e.key === "e") { open("#resolve-form"); return; }
      return;
    }
    if (e.key === "r" && focus("reply-text")) { e.preventDefault(); }
    if (e.key === "a" && focus("assignee")) { e.preventDefault(); }
    if (e.key === "e") {
      var form = document.getElementById("resolve-form");
      if (form) { e.preventDefault(); if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); } }
    }
  });

  // Arriving from the list with #reply-text / #assignee: put the cursor there.
  if (window.location.hash) {
    var target = document.getElementById(window.location.hash.slice(1));
    if (target && target.focus) { target.focus(); }
  }
})();
