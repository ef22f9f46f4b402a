/* Page behaviour wired by data- attributes: the Content-Security-Policy forbids inline scripts
   and inline event handlers (onchange=, onsubmit=, ...), so every handler lives here. */
(function () {
  "use strict";

  function on(selector, event, handler) {
    document.addEventListener(event, function (e) {
      var target = e.target.closest ? e.target.closest(selector) : null;
      if (target) { handler.call(target, e, target); }
    });
  }

  // <form data-org-switcher data-url="/o/__org__/">: go to the chosen organization.
  on("form[data-org-switcher]", "change", function (e, form) {
    var select = form.querySelector("select");
    window.location.assign(form.dataset.url.replace("__org__", encodeURIComponent(select.value)));
  });

  // <select data-autosubmit>: submit its form on change (language switcher).
  on("select[data-autosubmit]", "change", function (e, select) {
    if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
  });

  // <form data-confirm="Question?">: ask before submitting.
  on("form[data-confirm]", "submit", function (e, form) {
    if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
  });

  // <button data-print>: print the page.
  on("[data-print]", "click", function () { window.print(); });

  // <span data-width="37">: a bar's width in percent (0-100). Set through the CSSOM because
  // the policy refuses style="" attributes.
  function applyWidths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var percent = Math.max(0, Math.min(100, parseFloat(el.dataset.width) || 0));
      el.style.width = percent + "%";
    });
  }
  applyWidths(document);
  document.addEventListener("htmx:load", function (e) { applyWidths(e.target); });

  // <div data-plotly-figure="id-of-json_script">: draw the Plotly figure stored in that
  // <script type="application/json"> (data, not code, so the policy allows it).
  function drawCharts() {
    document.querySelectorAll("[data-plotly-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.plotlyFigure);
      if (!source || !window.Plotly) { return; }
      var fig = JSON.parse(source.textContent);
      if (typeof fig === "string") { fig = JSON.parse(fig); }  // a figure serialized by plotly's to_json
      window.Plotly.newPlot(el, fig.data, fig.layout, {displaylogo: false, responsive: true});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
