"""POST/GET sales: upsert, lead references, money and currency rules."""

from decimal import Decimal

import pytest

from crm.models import Lead, Sale
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def sale(external_id="S-1", **fields):
    return {
        "external_id": external_id,
        "amount": "990.00",
        "currency": "RUB",
        "sold_at": "2026-03-02T12:00:00Z",
    } | fields


def errors(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def test_sales_upsert_with_a_lead_reference(token_client, leads_url, sales_url, org):
    token_client.post(leads_url, {"external_id": "L-1"}, format="json")
    first = token_client.post(sales_url, {"items": [sale(lead_external_id="L-1"), sale("S-2")]}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["created"] == 2
    row = Sale.objects.for_organization(org).get(external_id="S-1")
    assert row.lead == Lead.objects.for_organization(org).get()
    assert row.amount == Decimal("990.00")

    again = token_client.post(sales_url, sale(lead_external_id="L-1"), format="json").json()
    assert again["unchanged"] == 1
    assert Sale.objects.for_organization(org).get(external_id="S-1").updated_at == row.updated_at
    refund = token_client.post(sales_url, sale(refunded=True, currency="rub"), format="json").json()
    assert refund["updated"] == 1
    row.refresh_from_db()
    assert row.refunded
    assert row.lead is not None
    assert row.currency == "RUB"

    listed = token_client.get(sales_url).json()
    assert listed["count"] == 2
    assert {r["external_id"]: r["lead_external_id"] for r in listed["results"]} == {"S-1": "L-1", "S-2": None}


def test_an_unknown_or_foreign_lead_reference_refuses_that_item(token_client, leads_url, sales_url, org):
    other = OrganizationFactory(slug="elsewhere")
    Lead.objects.create(organization=other, external_id="THEIRS")
    items = [sale("S-1"), sale("S-2", lead_external_id="nope"), sale("S-3", lead_external_id="THEIRS")]
    fields = errors(token_client.post(sales_url, {"items": items}, format="json"))
    assert set(fields) == {"items.1.lead_external_id", "items.2.lead_external_id"}
    assert not Sale.objects.for_organization(org).exists()
    single = errors(token_client.post(sales_url, sale(lead_external_id="nope"), format="json"))
    assert set(single) == {"lead_external_id"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (sale(amount="-0.01"), "amount"),
        (sale(amount="abc"), "amount"),
        (sale(amount="1e20"), "amount"),
        (sale(currency="XXX"), "currency"),
        (sale(currency="RUBL"), "currency"),
        (sale(sold_at="0001-01-01T00:00:00Z"), "sold_at"),
        (sale(refunded="maybe"), "refunded"),
        (sale(discount=3), "discount"),
        ({"external_id": "S"}, "amount"),
    ],
)
def test_bad_sales_are_400(token_client, sales_url, org, body, field):
    assert field in errors(token_client.post(sales_url, body, format="json"))
    assert not Sale.objects.for_organization(org).exists()


def test_1001_sales_are_refused(token_client, sales_url, org):
    assert "items" in errors(
        token_client.post(sales_url, {"items": [sale(f"S{i}") for i in range(1001)]}, format="json")
    )
    assert not Sale.objects.for_organization(org).exists()


def test_read_only_token_and_other_organization(read_client, token_client, sales_url, org):
    assert read_client.post(sales_url, sale(), format="json").status_code == 403
    assert not Sale.objects.for_organization(org).exists()
    other = OrganizationFactory(slug="elsewhere")
    foreign = Sale.objects.create(
        organization=other, external_id="S", amount=1, currency="RUB", sold_at="2026-01-01T00:00Z"
    )
    assert token_client.get(f"{sales_url}{foreign.pk}/").status_code == 404
    assert token_client.post("/api/v1/orgs/elsewhere/sales/", sale(), format="json").status_code == 404


def test_in_request_duplicate_sales_are_applied_once_the_later_winning(token_client, sales_url, org):
    items = [sale("S-1", amount="10"), sale("S-2"), sale("S-1", amount="20")]
    body = token_client.post(sales_url, {"items": items}, format="json").json()
    assert (body["created"], [i["external_id"] for i in body["items"]]) == (2, ["S-1", "S-2"])
    assert Sale.objects.for_organization(org).get(external_id="S-1").amount == 20


def test_an_empty_lead_reference_unlinks(token_client, leads_url, sales_url, org):
    token_client.post(leads_url, {"external_id": "L-1"}, format="json")
    token_client.post(sales_url, sale(lead_external_id="L-1"), format="json")
    assert token_client.post(sales_url, sale(lead_external_id=""), format="json").json()["updated"] == 1
    assert Sale.objects.for_organization(org).get().lead is None
