"""The report's PDF: its page printed by headless Chromium through Playwright
(docs/decisions/0007-report-pdf.md). The same template body as the page; the charts are static SVG
drawn in Python (``reports.svgcharts``), so the printed page runs no script and loads nothing.

One Chromium per process is kept and reused across reports (launching it is most of the cost of a
small report), in a thread of its own; it is restarted after ``MAX_USES`` reports, after any error,
and in a forked child (a Celery prefork worker never shares its parent's browser)."""

import atexit
import contextlib
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import Browser, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from .display import goals_chart_svg, report_context, trend_chart_svg
from .models import Report

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
TIMEOUT_MS = 30_000
MAX_USES = 100  # bounds what a long-lived Chromium may accumulate (memory, a leaked page)
PDF_OPTIONS: dict[str, Any] = {
    "format": "A4",
    "print_background": True,
    "margin": {"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
}


class PdfUnavailable(Exception):
    """No PDF can be printed here (no Chromium, or it failed); the HTML report stays available."""


def report_html(report: Report) -> str:
    """The printable page: standalone, styles inlined and charts as inline SVG; no script, nothing
    to fetch."""
    with translation.override(report.organization.language):
        snapshot = report.snapshot or {}
        context = report_context(report) | {
            "organization": report.organization,
            "goals_svg": goals_chart_svg(snapshot.get("goals", [])),
            "trend_svg": trend_chart_svg(snapshot.get("trend", {})),
        }
        return render_to_string("reports/report_pdf.html", context)


class _Printer:
    """The process's Chromium, driven from one dedicated thread: Playwright's sync API is bound to
    the thread that started it and refuses one that already runs an event loop (an ASGI worker, a
    test driving a browser)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._path = ""
        self.uses = 0
        self.launches = 0

    def print(self, html: str, path: str) -> bytes:
        with self._lock:
            if self._pid != os.getpid():
                # A fresh process, or a child forked with its parent's (unusable) thread and browser.
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-pdf")
                self._playwright = self._browser = None
                self._pid, self.uses = os.getpid(), 0
            pool = self._pool
        if pool is None:  # unreachable: set above for this pid
            raise PdfUnavailable(_("Chromium could not print the report: %(error)s") % {"error": "no printer"})
        return pool.submit(self._print, html, path).result()

    def _ensure(self, path: str) -> Browser:
        if self._browser is not None and (path != self._path or not self._browser.is_connected()):
            self._close()
        if self._browser is None:
            if self._playwright is None:
                self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            self._path, self.uses = path, 0
            self.launches += 1
        return self._browser

    def _print(self, html: str, path: str) -> bytes:
        try:
            browser = self._ensure(path)
            # Our own HTML only: no script runs, and any request (there should be none) is refused.
            context = browser.new_context(java_script_enabled=False)
            try:
                context.route("**/*", lambda route: route.abort())
                page = context.new_page()
                page.set_content(html, wait_until="load", timeout=TIMEOUT_MS)
                return page.pdf(**PDF_OPTIONS)
            finally:
                context.close()
        except PlaywrightError as exc:
            self._close()  # a crashed or hung Chromium: the next report starts a new one
            raise PdfUnavailable(
                _("Chromium could not print the report: %(error)s") % {"error": str(exc)[:300]}
            ) from exc
        finally:
            self.uses += 1
            if self.uses >= MAX_USES:
                self._close()

    def _close(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        for stop in (browser.close if browser else None, playwright.stop if playwright else None):
            if stop is not None:
                with contextlib.suppress(Exception):  # already dead: nothing left to release
                    stop()

    def shutdown(self) -> None:
        """Close the browser (tests, process exit); the next print starts a new one."""
        with self._lock:
            pool = self._pool if self._pid == os.getpid() else None
        if pool is not None:
            # RuntimeError: the interpreter is exiting; Chromium ends with the driver's pipes.
            with contextlib.suppress(RuntimeError):
                pool.submit(self._close).result(timeout=30)


PRINTER = _Printer()
atexit.register(PRINTER.shutdown)


def render_pdf(report: Report) -> bytes:
    path = settings.REPORT_PDF_CHROMIUM
    if not (os.path.exists(path) or shutil.which(path)):
        raise PdfUnavailable(
            _("Chromium is not installed at %(path)s; the report is available as a page.") % {"path": path}
        )
    return PRINTER.print(report_html(report), path)
