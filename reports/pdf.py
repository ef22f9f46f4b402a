"""The report's PDF: its page printed by headless Chromium through Playwright
(docs/decisions/0007-report-pdf.md). The same template body as the page, with Plotly inlined so
the charts are drawn offline."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from plotly.offline import get_plotlyjs

from .display import report_context
from .models import Report

# Draws every figure of the page (Plotly is added to the page first) and resolves once all are drawn.
DRAW_CHARTS = """
() => Promise.all(Array.from(document.querySelectorAll("[data-plotly-figure]")).map((el) => {
  let fig = JSON.parse(document.getElementById(el.dataset.plotlyFigure).textContent);
  if (typeof fig === "string") { fig = JSON.parse(fig); }
  fig.layout.width = 680;
  return Plotly.newPlot(el, fig.data, fig.layout, {staticPlot: true});
})).then(() => true)
"""
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
TIMEOUT_MS = 30_000


class PdfUnavailable(Exception):
    """No PDF can be printed here (no Chromium, or it failed); the HTML report stays available."""


def report_html(report: Report) -> str:
    """The printable page: standalone, styles inlined (no server to fetch anything from); Plotly and
    the drawing are added by the printer, so the template holds no script."""
    with translation.override(report.organization.language):
        context = report_context(report) | {"organization": report.organization}
        return render_to_string("reports/report_pdf.html", context)


def render_pdf(report: Report) -> bytes:
    path = settings.REPORT_PDF_CHROMIUM
    if not (os.path.exists(path) or shutil.which(path)):
        raise PdfUnavailable(
            _("Chromium is not installed at %(path)s; the report is available as a page.") % {"path": path}
        )
    html = report_html(report)
    # Playwright's sync API refuses a thread that already runs an event loop (an ASGI worker, a
    # test driving a browser): print in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, html, path).result()


def _print(html: str, path: str) -> bytes:
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.set_content(html, wait_until="load", timeout=TIMEOUT_MS)
                page.add_script_tag(content=get_plotlyjs())
                page.evaluate(DRAW_CHARTS)
                return page.pdf(
                    format="A4",
                    print_background=True,
                    margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfUnavailable(_("Chromium could not print the report: %(error)s") % {"error": str(exc)[:300]}) from exc
