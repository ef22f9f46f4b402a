"""Writes of the reports app: report settings, generating a report for a period, its PDF and email."""

import datetime as dt
import logging
from typing import TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import is_in_range, range_message
from core.errors import DomainError
from core.events import Event, emit
from core.kpis import kpi_get
from core.services import fields_of, model_update
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.roles import Perm

from .models import PdfStatus, Report, ReportSettings, ReportStatus
from .pdf import PdfUnavailable, render_pdf
from .selectors import report_settings_get
from .snapshot import build_snapshot, default_kpis

logger = logging.getLogger(__name__)

# A report longer than a year is not a periodic report; it also bounds the work of one request.
MAX_PERIOD_DAYS = 366


class ReportSettingsData(TypedDict, total=False):
    frequency: str
    recipients: list[str]
    kpis: list[str]


REPORT_SETTINGS_FIELDS = fields_of(ReportSettingsData)


def _validate_settings(instance: ReportSettings) -> None:
    errors: dict[str, list[str]] = {}
    recipients = [str(email).strip() for email in instance.recipients or [] if str(email).strip()]
    for email in recipients:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("recipients", []).append(_("Not an email address: %(email)s") % {"email": email})
    instance.recipients = list(dict.fromkeys(recipients))
    kpis = [str(key) for key in instance.kpis or []]
    unknown = [key for key in kpis if kpi_get(key) is None]
    if unknown:
        errors["kpis"] = [_("Unknown KPI: %(keys)s") % {"keys": ", ".join(unknown)}]
    instance.kpis = list(dict.fromkeys(kpis))
    if errors:
        raise DomainError(_("Check the report settings."), fields=errors)


def report_settings_update(*, access: Access, **data: Unpack[ReportSettingsData]) -> ReportSettings:
    """Owners and admins set how often reports come, who gets them and the agreed KPIs."""
    access.require(Perm.MANAGE_ORGANIZATION)
    instance = report_settings_get(organization=access.organization)
    if instance._state.adding and "kpis" not in data:
        # The agreed KPIs start as the approved strategy's goals' KPIs; from now on they are edited.
        instance.kpis = default_kpis(organization=access.organization, on=access.organization.today())
    instance, _changed = model_update(
        instance=instance, data=data, fields=REPORT_SETTINGS_FIELDS, validate=_validate_settings
    )
    return instance


def agreed_kpis(*, organization: Organization, on: dt.date) -> list[str]:
    saved = report_settings_get(organization=organization)
    return list(saved.kpis) or default_kpis(organization=organization, on=on)


def validate_period(start: dt.date, end: dt.date) -> None:
    for name, day in (("start", start), ("end", end)):
        if not is_in_range(day):
            raise DomainError(range_message(), field=name)
    if end < start:
        raise DomainError(_("The end is before the start."), field="end")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise DomainError(_("A report covers at most %(days)d days.") % {"days": MAX_PERIOD_DAYS}, field="end")


def report_generate(*, organization: Organization, start: dt.date, end: dt.date) -> tuple[Report, bool]:
    """The organization's report for [start, end]: the existing one (a report is frozen once made)
    or a new one. Returns (report, created). Texts are written in the organization's language."""
    validate_period(start, end)
    existing = Report.objects.filter(organization=organization, period_start=start, period_end=end).first()
    if existing is not None:
        return existing, False
    with translation.override(organization.language):
        snapshot = build_snapshot(
            organization=organization, start=start, end=end, agreed=agreed_kpis(organization=organization, on=end)
        )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                organization=organization,
                period_start=start,
                period_end=end,
                status=ReportStatus.READY,
                generated_at=timezone.now(),
                snapshot=snapshot,
            )
            emit(
                organization.pk,
                Event.REPORT_READY,
                {
                    "report_id": report.pk,
                    "period_start": start.isoformat(),
                    "period_end": end.isoformat(),
                    "generated_at": report.generated_at.isoformat(),
                },
            )
    except IntegrityError:
        # Generated concurrently (beat and a button): the first one stays.
        return Report.objects.get(organization=organization, period_start=start, period_end=end), False
    return report, True


def report_pdf_make(*, report: Report) -> Report:
    """Print the report's page to PDF; without Chromium the report stays readable as HTML and the
    PDF status says why."""
    try:
        pdf = render_pdf(report)
    except PdfUnavailable as exc:
        logger.warning("report pdf unavailable", extra={"report_id": report.pk, "error": str(exc)})
        report.pdf, report.pdf_status, report.pdf_error = None, PdfStatus.UNAVAILABLE, str(exc)[:500]
    else:
        report.pdf, report.pdf_status, report.pdf_error = pdf, PdfStatus.READY, ""
    report.save(update_fields=["pdf", "pdf_status", "pdf_error"])
    return report


def report_email(*, report: Report) -> list[str]:
    """Send the report to the organization's recipients with the PDF attached (when there is one)."""
    organization = report.organization
    recipients = list(report_settings_get(organization=organization).recipients)
    if not recipients:
        return []
    with translation.override(organization.language):
        context = {"organization": organization, "report": report, "snapshot": report.snapshot}
        subject = _("%(org)s: report for %(start)s – %(end)s") % {
            "org": organization.name,
            "start": report.period_start.strftime("%d.%m.%Y"),
            "end": report.period_end.strftime("%d.%m.%Y"),
        }
        body = render_to_string("reports/email.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    if report.pdf:
        message.attach(f"report-{report.period_start}-{report.period_end}.pdf", bytes(report.pdf), "application/pdf")
    message.send()
    report.emailed_at, report.emailed_to = timezone.now(), recipients
    report.save(update_fields=["emailed_at", "emailed_to"])
    return recipients
