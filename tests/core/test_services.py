"""core.services.model_update: only the allowed fields, only what changed, validation as domain errors."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import Conflict, DomainError
from core.services import model_update
from strategy.models import AudienceSegment, BusinessProfile

PROFILE = ("product", "geography", "average_order_value")


@pytest.fixture
def profile(org):
    return BusinessProfile.objects.create(organization=org, product="Coffee", geography="Kazan")


def test_new_row_is_validated_and_inserted(org):
    profile, written = model_update(instance=BusinessProfile(organization=org), data={"product": "Tea"}, fields=PROFILE)
    assert written is True
    assert BusinessProfile.objects.get(pk=profile.pk).product == "Tea"


def test_only_changed_columns_are_written_with_updated_at(profile):
    profile.updated_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    BusinessProfile.objects.filter(pk=profile.pk).update(updated_at=profile.updated_at)
    with CaptureQueriesContext(connection) as queries:
        _, written = model_update(instance=profile, data={"product": "Coffee", "geography": "Moscow"}, fields=PROFILE)
    assert written is True
    update = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE"))
    assert '"geography"' in update
    assert '"updated_at"' in update
    assert '"product"' not in update
    profile.refresh_from_db()
    assert profile.geography == "Moscow"
    assert profile.updated_at.year > 2020


def test_nothing_changed_writes_nothing(profile):
    with CaptureQueriesContext(connection) as queries:
        _, written = model_update(instance=profile, data={"product": "Coffee"}, fields=PROFILE)
    assert written is False
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_keys_outside_fields_are_refused(profile):
    with pytest.raises(DomainError, match="Unknown fields: currency"):
        model_update(instance=profile, data={"currency": "USD"}, fields=PROFILE)


def test_model_validation_becomes_a_domain_error_on_the_field(profile):
    with pytest.raises(DomainError) as exc:
        model_update(instance=profile, data={"average_order_value": Decimal(-1)}, fields=PROFILE)
    assert list(exc.value.fields) == ["average_order_value"]


def test_validate_runs_before_saving_and_its_changes_are_saved(profile):
    def validate(instance: BusinessProfile) -> None:
        instance.geography = instance.geography.strip().title()

    model_update(instance=profile, data={"geography": "  kazan "}, fields=PROFILE, validate=validate)
    profile.refresh_from_db()
    assert profile.geography == "Kazan"


def test_a_duplicate_is_a_domain_error(org):
    AudienceSegment.objects.create(organization=org, name="Students")
    with pytest.raises(DomainError) as exc:
        model_update(instance=AudienceSegment(organization=org), data={"name": "Students"}, fields=("name",))
    assert not isinstance(exc.value, Conflict)  # caught by full_clean, before the database refuses it
