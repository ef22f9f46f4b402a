/* The content calendar: drag a post ([data-move-url]) onto a day ([data-drop-day]) to move it.
   The move is a plain POST through htmx (CSRF header from <body hx-headers>); the server answers
   with HX-Refresh so the page, the balance and the messages are redrawn. Without JavaScript every
   post keeps its «Move» form. No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";
  var dragged = null;

  document.addEventListener("dragstart", function (e) {
    var post = e.target.closest ? e.target.closest("[data-move-url]") : null;
    if (!post) { return; }
    dragged = post;
    post.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", post.dataset.post || "");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
    dragged = null;
  });

  document.addEventListener("dragover", function (e) {
    var day = e.target.closest ? e.target.closest("[data-drop-day]") : null;
    if (!day || !dragged) { return; }
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    day.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (e) {
    var day = e.target.closest ? e.target.closest("[data-drop-day]") : null;
    if (day) { day.classList.remove("drop-target"); }
  });

  document.addEventListener("drop", function (e) {
    var day = e.target.closest ? e.target.closest("[data-drop-day]") : null;
    if (!day || !dragged) { return; }
    e.preventDefault();
    var post = dragged;
    if (window.htmx) {
      window.htmx.ajax("POST", post.dataset.moveUrl, {source: post, values: {day: day.dataset.dropDay}, swap: "none"});
    }
  });
})();
