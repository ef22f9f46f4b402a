"""Two requests creating the same new external_id at once: one row, no error (real PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from crm.models import Lead, Sale
from crm.services import upsert_leads, upsert_sales
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _race(first, second):
    """`first` writes inside a transaction that stays open until `second` has started and blocks on
    the unique index; then it commits. Returns both results (or the exceptions raised)."""
    results, started = {}, threading.Event()

    def run(name, work, hold):
        try:
            with transaction.atomic():
                results[name] = work()
                if hold:
                    started.set()
                    time.sleep(0.5)  # the other request now waits on our uncommitted row
        except Exception as exc:
            results[name] = exc
            started.set()
        finally:
            connections.close_all()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    started.wait(10)
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    one.join(20)
    two.join(20)
    return results["first"], results["second"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_concurrent_creates_of_the_same_lead_make_one_row():
    org = OrganizationFactory()
    items = [{"external_id": "race-1", "status": "new"}, {"external_id": "race-2"}]
    first, second = _race(
        lambda: upsert_leads(organization=org, items=items),
        lambda: upsert_leads(organization=org, items=[*items, {"external_id": "race-3"}]),
    )
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first.created == 2
    assert (second.created, second.unchanged) == (1, 2)
    assert Lead.objects.for_organization(org).count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_concurrent_creates_of_the_same_sale_make_one_row():
    org = OrganizationFactory()
    item = {"external_id": "S", "amount": "10", "currency": "RUB", "sold_at": "2026-01-01T00:00:00Z"}
    first, second = _race(
        lambda: upsert_sales(organization=org, items=[item]),
        lambda: upsert_sales(organization=org, items=[{**item, "amount": "12"}]),
    )
    assert first.created == 1
    assert second.updated == 1
    assert Sale.objects.for_organization(org).get().amount == 12
