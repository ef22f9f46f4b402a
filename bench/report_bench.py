"""Monthly report generation: one large organization in-process, then every organization through Celery.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/5 python bench/report_bench.py --preset ci

1. The largest generated organization's report for its last closed month, through the services the
   "Generate" button and the beat use, timed by part: the snapshot (``report_generate``: every
   figure computed and frozen), the printable HTML (``report_html``) and the PDF (``render_pdf``:
   headless Chromium, launched for it), then a second PDF of it on the same browser, as a worker
   prints every report after its first. Any earlier report of that period is deleted first (a report is frozen
   once made, so it would otherwise be returned as it was).
2. Every generated organization (``gen-*``) through Celery: a real worker process (prefork,
   ``--concurrency``; the app database role, so row-level security applies) is started on the
   ``reports`` queue of ``REDIS_URL``, ``reports.tasks.generate_report`` is sent for each
   organization (which queues ``make_pdf`` when the report is new), and the wall time until
   every report has its PDF (or an ``unavailable`` status) is measured.

Chromium comes from ``CHROMIUM_PATH`` (default ``/usr/bin/chromium``); without it the PDF parts
report ``unavailable`` instead of a time.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench import datagen  # noqa: E402
from reports import services  # noqa: E402
from reports.models import PdfStatus, Report  # noqa: E402
from reports.pdf import PdfUnavailable, render_pdf, report_html  # noqa: E402
from reports.periods import last_closed_period  # noqa: E402
from reports.tasks import generate_report  # noqa: E402
from tenancy import rls  # noqa: E402
from tenancy.models import Organization  # noqa: E402


def monthly_period(organization: Organization):
    return last_closed_period(frequency="monthly", today=organization.today())


@rls.unscoped_session("the benchmark removes the generated organizations' reports of the period")
def drop_reports(organizations: list[Organization]) -> int:
    deleted = 0
    for org in organizations:
        start, end = monthly_period(org)
        deleted += Report.objects.unscoped().filter(organization=org, period_start=start, period_end=end).delete()[0]
    return deleted


def one_report(slug: str) -> dict[str, Any]:
    organization = Organization.objects.get(slug=slug)
    drop_reports([organization])
    start, end = monthly_period(organization)
    result: dict[str, Any] = {"organization": slug, "period": f"{start}..{end}"}
    with rls.organization_session(organization.pk):
        t0 = time.perf_counter()
        report, created = services.report_generate(organization=organization, start=start, end=end)
        t1 = time.perf_counter()
        assert created
        report_html(report)
        t2 = time.perf_counter()
        try:
            pdf = render_pdf(report)
            t3 = time.perf_counter()
            result["pdf_s"] = round(t3 - t2, 3)
            result["pdf_bytes"] = len(pdf)
            # A worker keeps its Chromium: the next report's PDF, without the browser launch.
            t = time.perf_counter()
            render_pdf(report)
            result["pdf_reused_browser_s"] = round(time.perf_counter() - t, 3)
        except PdfUnavailable as exc:
            t3 = t2
            result["pdf_s"] = None
            result["pdf_error"] = str(exc)
    result |= {"snapshot_s": round(t1 - t0, 3), "html_s": round(t2 - t1, 3), "total_s": round(t3 - t0, 3)}
    print(
        f"  report of {slug} ({start}..{end}): snapshot {result['snapshot_s']:.2f} s, HTML {result['html_s']:.2f} s, "
        f"PDF {result['pdf_s'] if result['pdf_s'] is not None else 'unavailable'} s, total {result['total_s']:.2f} s; "
        f"next PDF on the same browser {result.get('pdf_reused_browser_s')} s, load {os.getloadavg()[0]:.1f}"
    )
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    return result


@rls.unscoped_session("the benchmark watches the generated organizations' reports")
def finished_reports(organizations: list[Organization]) -> tuple[int, int]:
    """(reports of the period with a final PDF status, of which with a PDF)."""
    done = ready = 0
    for org in organizations:
        start, end = monthly_period(org)
        status = (
            Report.objects.unscoped()
            .filter(organization=org, period_start=start, period_end=end)
            .values_list("pdf_status", flat=True)
            .first()
        )
        if status in (PdfStatus.READY, PdfStatus.UNAVAILABLE):
            done += 1
            ready += status == PdfStatus.READY
    return done, ready


def all_through_celery(*, concurrency: int = 2, timeout: float = 1800.0) -> dict[str, Any]:
    # The same worker launcher as the real-worker tests (imported by name: not type-checked code).
    worker_process = importlib.import_module("tests.worker").worker_process

    if not settings.REDIS_URL:
        return {"skipped": "REDIS_URL is not set: the Celery part needs Redis as the broker"}
    with rls.unscoped_session("the benchmark lists the generated organizations"):
        organizations = list(Organization.objects.filter(slug__startswith=datagen.SLUG_PREFIX).order_by("pk"))
    drop_reports(organizations)
    with worker_process(queue="reports", pool="prefork", concurrency=concurrency, timeout=120) as worker:
        start = time.perf_counter()
        for org in organizations:
            first, last = monthly_period(org)
            generate_report.apply_async((org.pk, first.isoformat(), last.isoformat()), queue="reports")
        deadline = start + timeout
        done = ready = 0
        while time.perf_counter() < deadline:
            done, ready = finished_reports(organizations)
            if done == len(organizations):
                break
            if not worker.alive():
                raise RuntimeError("celery worker died:\n" + worker.output()[-3000:])
            time.sleep(0.5)
        seconds = time.perf_counter() - start
    result = {
        "organizations": len(organizations),
        "finished": done,
        "with_pdf": ready,
        "worker_concurrency": concurrency,
        "wall_s": round(seconds, 2),
        "reports_per_minute": round(done / seconds * 60, 1) if seconds else None,
    }
    print(
        f"  all {len(organizations)} organizations through Celery ({concurrency} worker processes): "
        f"{done} reports ({ready} with PDF) in {seconds:.1f} s"
    )
    return result


def run(*, largest: str, concurrency: int = 2) -> dict[str, Any]:
    return {"largest": one_report(largest), "all_celery": all_through_celery(concurrency=concurrency)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    dataset = datagen.describe()
    print(json.dumps(run(largest=dataset["largest"], concurrency=args.concurrency), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
