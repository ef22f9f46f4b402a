"""Factories for data exports and organization deletion requests."""

import datetime as dt

import factory
from django.utils import timezone

from portability.models import OrganizationDeletion, OrganizationExport
from tests.tenancy.factories import OrganizationFactory


class OrganizationExportFactory(factory.django.DjangoModelFactory):
    """A queued export (build it with portability's export_build)."""

    class Meta:
        model = OrganizationExport

    organization = factory.SubFactory(OrganizationFactory)


class OrganizationDeletionFactory(factory.django.DjangoModelFactory):
    """A scheduled deletion, purged in 30 days."""

    class Meta:
        model = OrganizationDeletion

    organization = factory.SubFactory(OrganizationFactory)
    purge_after = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
