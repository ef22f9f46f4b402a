"""The demo organization's report settings and its latest monthly report (made from the demo's
synced posts, leads and sales like any other report: its findings come from the data)."""

from tenancy.models import Organization

from . import services, tasks
from .models import ReportSettings
from .periods import last_closed_period


def seed(*, organization: Organization, users: dict) -> None:
    """Idempotent: the settings row is found by organization, the report by its period."""
    owner = users.get("owner")
    recipients = [owner.email] if owner is not None and owner.email else []
    ReportSettings.objects.get_or_create(organization=organization, defaults={"recipients": recipients})
    start, end = last_closed_period(frequency="monthly", today=organization.today())
    report, created = services.report_generate(organization=organization, start=start, end=end)
    if created:
        tasks.make_pdf.delay(organization.pk, report.pk)
