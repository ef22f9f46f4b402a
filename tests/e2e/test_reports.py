"""Reports with a real Chromium: the PDF holds the KPI table and a drawn chart, the email carries
it, and the owner opens a report, downloads its PDF and changes the report frequency."""

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from reports import pdf, tasks
from reports.models import PdfStatus, Report, ReportSettings
from reports.pdf import PRINTER, render_pdf
from reports.services import report_generate, report_pdf_make
from tests.analytics.kpi_data import generate
from tests.reports.factories import ReportSettingsFactory

from .test_accessibility import _axe_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _poppler():
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.fail("poppler-utils missing: apt-get install -y poppler-utils")


def _saturated_pixels(ppm: bytes) -> int:
    """Pixels with a clear colour (chart traces), in a binary PPM (P6) image; text is grey or black."""
    parts = ppm.split(maxsplit=4)
    assert parts[0] == b"P6"
    width, height, data = int(parts[1]), int(parts[2]), parts[4]
    count = 0
    for i in range(0, width * height * 3, 3):
        r, g, b = data[i], data[i + 1], data[i + 2]
        if max(r, g, b) - min(r, g, b) > 80:
            count += 1
    return count


@pytest.fixture
def printed(org, tmp_path):
    generate(org, seed=3)
    report, _ = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    report = report_pdf_make(report=report)
    assert report.pdf_status == PdfStatus.READY, report.pdf_error
    path = tmp_path / "report.pdf"
    path.write_bytes(bytes(report.pdf))
    return report, path


def test_the_pdf_has_the_kpi_table_text_and_a_drawn_chart(printed, tmp_path):
    _poppler()
    report, path = printed
    # Reading order, whitespace collapsed: a long KPI name wraps inside its table cell.
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    text = " ".join(text.split())
    for row in report.snapshot["kpis"]:
        assert " ".join(row["name"].split()) in text, row["name"]
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", str(path), str(prefix)], check=True)
    pages = sorted(Path(tmp_path).glob("page*.ppm"))
    assert pages
    colours = [_saturated_pixels(page.read_bytes()) for page in pages]
    assert max(colours) > 200, colours  # a chart's traces, not a blank page


def test_the_scheduled_email_carries_the_pdf(org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ReportSettingsFactory(organization=org, recipients=["owner@zerno.test"])
    generate(org, seed=4)
    tasks.generate_report(org.pk, "2026-03-01", "2026-03-31", deliver=True)
    (message,) = mail.outbox
    assert message.to == ["owner@zerno.test"]
    ((name, content, mimetype),) = message.attachments
    assert name == "report-2026-03-01-2026-03-31.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_the_owner_opens_the_report_downloads_the_pdf_and_changes_the_frequency(login, demo, tmp_path):
    page = login("owner")
    slug = demo["slug"]
    report = Report.objects.filter(organization__slug=slug).order_by("-period_end").first()
    assert report.pdf_status == PdfStatus.READY, report.pdf_error
    page.goto(f"/o/{slug}/reports/")
    assert _axe_problems(Axe(), page) == []
    page.click(f"a[href='/o/{slug}/reports/{report.pk}/']")
    page.wait_for_selector("#kpi-table")
    page.wait_for_selector("#trend-chart .main-svg")
    assert page.locator(".findings li").count() >= 1
    assert _axe_problems(Axe(), page) == []
    with page.expect_download() as info:
        page.click("#download-pdf")
    saved = tmp_path / "downloaded.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.goto(f"/o/{slug}/reports/settings/")
    assert _axe_problems(Axe(), page) == []
    page.select_option("select[name=frequency]", "weekly")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"**/o/{slug}/reports/")
    assert ReportSettings.objects.get(organization__slug=slug).frequency == "weekly"


def test_one_chromium_prints_many_reports_and_is_replaced_when_it_dies_or_has_served_enough(org, monkeypatch):
    generate(org, seed=3)
    report, _ = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    PRINTER.shutdown()
    launches = PRINTER.launches
    first, second = render_pdf(report), render_pdf(report)
    assert first.startswith(b"%PDF")
    assert second.startswith(b"%PDF")
    assert PRINTER.launches == launches + 1
    # Chromium goes away between two reports (a crash, the OOM killer): the next report starts a new one.
    assert PRINTER._pool is not None
    PRINTER._pool.submit(lambda: PRINTER._browser and PRINTER._browser.close()).result()
    assert render_pdf(report).startswith(b"%PDF")
    assert PRINTER.launches == launches + 2
    # A browser is retired after MAX_USES reports.
    monkeypatch.setattr(pdf, "MAX_USES", 2)
    PRINTER.shutdown()
    for _ in range(3):
        render_pdf(report)
    assert PRINTER.launches == launches + 4
    PRINTER.shutdown()
