"""Factories for report settings and reports (a report's snapshot is normally built by the service)."""

import datetime as dt

import factory
from django.utils import timezone

from reports.models import Report, ReportSettings
from tests.tenancy.factories import OrganizationFactory


class ReportSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSettings

    organization = factory.SubFactory(OrganizationFactory)
    recipients = factory.LazyFunction(lambda: ["owner@example.com"])


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    organization = factory.SubFactory(OrganizationFactory)
    period_start = dt.date(2026, 3, 1)
    period_end = dt.date(2026, 3, 31)
    generated_at = factory.LazyFunction(timezone.now)
    snapshot = factory.LazyFunction(lambda: {"kpis": [], "insights": [], "recommendations": []})
