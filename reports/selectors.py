"""Reads of the reports app (pages, API, tasks)."""

from django.db.models import QuerySet

from tenancy.models import Organization

from .models import Report, ReportSettings


def report_settings_get(*, organization: Organization) -> ReportSettings:
    """The organization's settings, or unsaved defaults (monthly, nobody, the strategy's KPIs)."""
    found = ReportSettings.objects.filter(organization=organization).first()
    return found if found is not None else ReportSettings(organization=organization)


def report_list(*, organization: Organization) -> QuerySet[Report]:
    return Report.objects.filter(organization=organization).defer("pdf").order_by("-period_end", "-id")


def report_latest(*, organization: Organization) -> Report | None:
    return report_list(organization=organization).first()
