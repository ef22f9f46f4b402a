"""Thin Celery wrappers: the beat fan-out over organizations, one report, its PDF and email."""

import datetime as dt

from celery import shared_task

from tenancy import rls
from tenancy.models import Organization

from . import services
from .models import Report, ReportSettings
from .periods import last_closed_period


@shared_task(name="reports.tasks.generate_due_reports")
def generate_due_reports() -> int:
    """Every organization's last closed period (by its frequency) without a report gets one.
    Idempotent: one report per organization and period (a unique constraint), so running the
    beat twice, or after a button made the report, adds nothing."""
    due: list[tuple[int, str, str]] = []
    with rls.unscoped_session("closed report periods of every organization"):
        frequencies = dict(ReportSettings.objects.unscoped().values_list("organization_id", "frequency"))
        for organization in Organization.objects.all().only("id", "timezone"):
            frequency = frequencies.get(organization.pk, ReportSettings._meta.get_field("frequency").default)
            start, end = last_closed_period(frequency=frequency, today=organization.today())
            if not Report.objects.filter(organization=organization, period_start=start, period_end=end).exists():
                due.append((organization.pk, start.isoformat(), end.isoformat()))
    for organization_id, first, last in due:
        generate_report.delay(organization_id, first, last, deliver=True)
    return len(due)


@shared_task(name="reports.tasks.generate_report")
def generate_report(organization_id: int, start: str, end: str, *, deliver: bool = False) -> str:
    with rls.organization_session(organization_id):
        organization = Organization.objects.get(pk=organization_id)
        report, created = services.report_generate(
            organization=organization, start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end)
        )
    if created:
        make_pdf.delay(organization_id, report.pk, email=deliver)
    return "created" if created else "exists"


@shared_task(name="reports.tasks.make_pdf")
def make_pdf(organization_id: int, report_id: int, *, email: bool = False) -> str:
    with rls.organization_session(organization_id):
        report = Report.objects.filter(organization_id=organization_id).select_related("organization").get(pk=report_id)
        report = services.report_pdf_make(report=report)
        if email:
            services.report_email(report=report)
    return str(report.pdf_status)
