"""Beat generation (idempotent), the email to recipients, the pages and downloads."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from openpyxl import load_workbook

from reports import tasks
from reports.models import PdfStatus, Report, ReportSettings
from reports.periods import last_closed_period
from reports.services import report_email, report_generate
from tenancy.models import Organization
from tenancy.roles import Role

from .factories import ReportSettingsFactory

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_beat_makes_one_report_per_organization_and_closed_period(org, other_org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ReportSettingsFactory(organization=other_org, frequency="weekly", recipients=["boss@other.test"])
    assert tasks.generate_due_reports() == Organization.objects.count()
    assert tasks.generate_due_reports() == 0
    assert Report.objects.filter(organization=org).count() == 1
    mine = Report.objects.get(organization=org)
    assert (mine.period_start, mine.period_end) == last_closed_period(frequency="monthly", today=org.today())
    theirs = Report.objects.get(organization=other_org)
    assert (theirs.period_end - theirs.period_start).days == 6
    # Delivered to the recipients of the organization that has some; the PDF status says why there is none.
    assert [m.to for m in mail.outbox] == [["boss@other.test"]]
    assert theirs.pdf_status == PdfStatus.UNAVAILABLE


def test_a_report_made_on_demand_is_not_made_again_by_beat(org):
    start, end = last_closed_period(frequency="monthly", today=org.today())
    report_generate(organization=org, start=start, end=end)
    tasks.generate_due_reports()
    assert Report.objects.filter(organization=org).count() == 1


def test_the_email_goes_to_the_recipients_with_the_pdf(org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ReportSettingsFactory(organization=org, recipients=["owner@zerno.test", "ceo@zerno.test"])
    report, _ = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    report.pdf, report.pdf_status = b"%PDF-1.7 test", PdfStatus.READY
    report.save()
    assert report_email(report=report) == ["owner@zerno.test", "ceo@zerno.test"]
    (message,) = mail.outbox
    assert message.to == ["owner@zerno.test", "ceo@zerno.test"]
    ((name, content, mimetype),) = message.attachments
    assert (name, content, mimetype) == ("report-2026-03-01-2026-03-31.pdf", b"%PDF-1.7 test", "application/pdf")
    assert Report.objects.get(pk=report.pk).emailed_to == ["owner@zerno.test", "ceo@zerno.test"]


def test_no_recipients_no_email(org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report, _ = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    assert report_email(report=report) == []
    assert mail.outbox == []


def test_pages_the_button_and_downloads(owner_web, org):
    base = f"/o/{org.slug}/reports/"
    page = owner_web.get(base)
    assert page.status_code == 200
    response = owner_web.post(base, {"start": "2026-03-01", "end": "2026-03-31"})
    report = Report.objects.get(organization=org)
    assert response.status_code == 302
    assert response["Location"] == f"{base}{report.pk}/"
    detail = owner_web.get(f"{base}{report.pk}/")
    content = detail.content.decode()
    assert detail.status_code == 200
    assert 'id="kpi-table"' in content
    assert "Results against goals" in content
    assert "Chromium" in content  # why there is no PDF
    assert owner_web.get(f"{base}{report.pk}/report.pdf").status_code == 404
    rows = list(csv.reader(io.StringIO(owner_web.get(f"{base}{report.pk}/kpis.csv").content.decode())))
    assert rows[0][1] == "Key"
    assert {row[1] for row in rows[1:]} >= {"leads", "cpl", "romi", "support_savings"}
    book = load_workbook(io.BytesIO(owner_web.get(f"{base}{report.pk}/kpis.xlsx").content))
    assert book.active.max_row == len(rows)
    assert owner_web.get(f"/o/{org.slug}/analytics/reports/").status_code == 302


def test_a_bad_period_on_the_page_shows_the_error(owner_web, org):
    response = owner_web.post(f"/o/{org.slug}/reports/", {"start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 200
    assert b"The end is before the start." in response.content
    assert not Report.objects.exists()


def test_the_owner_changes_the_frequency_on_the_settings_page(owner_web, org):
    url = f"/o/{org.slug}/reports/settings/"
    assert owner_web.get(url).status_code == 200
    response = owner_web.post(
        url, {"frequency": "weekly", "recipients": "a@zerno.test, b@zerno.test", "kpis": ["leads"]}
    )
    assert response.status_code == 302
    saved = ReportSettings.objects.get(organization=org)
    assert (saved.frequency, saved.recipients, saved.kpis) == ("weekly", ["a@zerno.test", "b@zerno.test"], ["leads"])


def test_a_bad_email_on_the_settings_page_is_a_field_error(owner_web, org):
    response = owner_web.post(f"/o/{org.slug}/reports/settings/", {"frequency": "monthly", "recipients": "nope"})
    assert response.status_code == 200
    assert b"Not an email address" in response.content


def test_a_marketer_cannot_open_the_settings(client, org, make_member):
    client.force_login(make_member(org, Role.MARKETER).user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/o/{org.slug}/reports/settings/").status_code == 403
    assert client.get(f"/o/{org.slug}/reports/").status_code == 200
