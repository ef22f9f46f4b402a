"""POST/GET/PATCH leads: the API contract of docs/crm.md."""

import datetime as dt
from decimal import Decimal

import pytest

from crm.models import Lead, LeadStatusChange
from crm.validation import hash_contact
from tenancy.services import api_token_create  # noqa: F401 - fixtures build tokens through it
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def lead(external_id="A-1", **fields):
    return {"external_id": external_id, **fields}


def errors(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def test_a_single_lead_is_created_then_an_identical_repeat_changes_nothing(token_client, leads_url, org):
    body = lead(
        created="2026-03-01T10:00:00Z",
        status="new",
        value="1500.00",
        currency="RUB",
        utm_source="vk",
        utm_medium="social",
        utm_campaign="spring",
        utm_content="p12",
        link_code="abc",
        landing_url="https://zerno.example/menu",
        platform="vk",
    )
    first = token_client.post(leads_url, body, format="json")
    assert first.status_code == 200, first.content
    row = Lead.objects.for_organization(org).get()
    assert first.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "items": [{"external_id": "A-1", "id": row.pk, "result": "created"}],
    }
    assert row.value == Decimal("1500.00")
    assert row.utm_content == "p12"
    assert row.created == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)

    again = token_client.post(leads_url, {"items": [body]}, format="json")
    assert again.json()["unchanged"] == 1
    assert again.json()["items"][0]["result"] == "unchanged"
    assert Lead.objects.for_organization(org).get().updated_at == row.updated_at


def test_a_changed_field_updates_and_fields_left_out_keep_their_value(token_client, leads_url, org):
    token_client.post(leads_url, lead(value="10", utm_source="vk"), format="json")
    before = Lead.objects.for_organization(org).get()
    response = token_client.post(leads_url, lead(value="12.50"), format="json")
    assert response.json()["updated"] == 1
    after = Lead.objects.for_organization(org).get()
    assert after.value == Decimal("12.50")
    assert after.utm_source == "vk"
    assert after.updated_at > before.updated_at


def test_in_request_duplicates_are_applied_once_the_later_winning(token_client, leads_url, org):
    items = [lead("D", status="new"), lead("E"), lead("D", status="won")]
    body = token_client.post(leads_url, {"items": items}, format="json").json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert [i["external_id"] for i in body["items"]] == ["D", "E"]
    assert Lead.objects.for_organization(org).get(external_id="D").status == "won"
    assert Lead.objects.for_organization(org).count() == 2


def test_a_status_change_is_added_to_the_history(token_client, leads_url, org):
    token_client.post(leads_url, lead(status="new"), format="json")
    token_client.post(leads_url, lead(status="qualified"), format="json")
    token_client.post(leads_url, lead(status="qualified"), format="json")
    row = Lead.objects.for_organization(org).get()
    history = list(LeadStatusChange.objects.for_organization(org).values_list("from_status", "to_status"))
    assert history == [("", "new"), ("new", "qualified")]
    detail = token_client.get(f"{leads_url}{row.pk}/").json()
    assert [h["to_status"] for h in detail["history"]] == ["new", "qualified"]


def test_patch_changes_the_status_and_keeps_the_history(token_client, leads_url, org):
    token_client.post(leads_url, lead(status="new"), format="json")
    row = Lead.objects.for_organization(org).get()
    response = token_client.patch(f"{leads_url}{row.pk}/", {"status": "won"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "won"
    assert [h["to_status"] for h in response.json()["history"]] == ["new", "won"]
    bad = token_client.patch(f"{leads_url}{row.pk}/", {"status": "paid", "external_id": "x"}, format="json")
    assert set(errors(bad)) == {"status", "external_id"}


def test_a_thousand_items_pass_and_the_query_count_does_not_grow(
    token_client, leads_url, org, django_assert_max_num_queries
):
    items = [lead(f"L-{i}", status="new", utm_source="vk") for i in range(1000)]
    with django_assert_max_num_queries(25):
        response = token_client.post(leads_url, {"items": items}, format="json")
    assert response.json()["created"] == 1000
    items = [lead(f"L-{i}", status="won" if i % 2 else "new") for i in range(1000)]
    with django_assert_max_num_queries(25):
        response = token_client.post(leads_url, {"items": items}, format="json")
    assert (response.json()["updated"], response.json()["unchanged"]) == (500, 500)
    assert LeadStatusChange.objects.for_organization(org).count() == 1500


def test_upsert_query_count_is_constant(org, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.services import upsert_leads

    counts = []
    for size in (1, 50):
        with CaptureQueriesContext(connection) as ctx:
            upsert_leads(organization=org, items=[lead(f"{size}-{i}") for i in range(size)])
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_1001_items_are_refused_and_nothing_is_written(token_client, leads_url, org):
    items = [lead(f"L-{i}") for i in range(1001)]
    assert "items" in errors(token_client.post(leads_url, {"items": items}, format="json"))
    assert not Lead.objects.for_organization(org).exists()


def test_one_invalid_item_refuses_the_whole_request(token_client, leads_url, org):
    items = [lead("ok-1"), lead("bad", status="paid"), lead("ok-2", value="-1")]
    fields = errors(token_client.post(leads_url, {"items": items}, format="json"))
    assert set(fields) == {"items.1.status", "items.2.value"}
    assert not Lead.objects.for_organization(org).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (lead(colour="red"), "colour"),
        ({"items": [lead()], "extra": 1}, "extra"),
        (lead(status=5), "status"),
        (lead(value="ten"), "value"),
        (lead(value=-5), "value"),
        (lead(value=[1]), "value"),
        (lead(currency="RUR"), "currency"),
        (lead(created="9999-12-31T23:59:59Z"), "created"),
        (lead(created="1900-01-01T00:00:00Z"), "created"),
        (lead(created="yesterday"), "created"),
        (lead(landing_url="javascript:alert(1)"), "landing_url"),
        (lead(platform="myspace"), "platform"),
        (lead(external_id=""), "external_id"),
        (lead(external_id="x" * 101), "external_id"),
        ({"status": "new"}, "external_id"),
        ({"items": "nope"}, "items"),
        ({"items": [lead(), "nope"]}, "items.1.non_field_errors"),
        ({"items": [lead(), lead("x", colour=1)]}, "items.1.colour"),
    ],
)
def test_bad_input_is_400_with_a_field_message(token_client, leads_url, org, body, field):
    assert field in errors(token_client.post(leads_url, body, format="json"))
    assert not Lead.objects.for_organization(org).exists()


def test_a_list_or_malformed_json_is_400(token_client, leads_url, org):
    assert token_client.post(leads_url, [lead()], format="json").status_code == 400
    response = token_client.post(leads_url, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Lead.objects.for_organization(org).exists()


def test_a_contact_reference_is_stored_only_as_a_keyed_hash(token_client, leads_url, org):
    response = token_client.post(leads_url, lead(contact="+7 900 123-45-67"), format="json")
    row = Lead.objects.for_organization(org).get()
    assert row.contact_hash == hash_contact("+7 900 123-45-67")
    assert "900" not in row.contact_hash
    assert len(row.contact_hash) == 64
    detail = token_client.get(f"{leads_url}{response.json()['items'][0]['id']}/").json()
    assert detail["has_contact"] is True
    assert "contact" not in detail
    assert "contact_hash" not in detail


def test_a_read_only_token_gets_403_on_every_write(read_client, token_client, leads_url, org):
    token_client.post(leads_url, lead(status="new"), format="json")
    row = Lead.objects.for_organization(org).get()
    assert read_client.post(leads_url, lead("new-one"), format="json").status_code == 403
    assert read_client.patch(f"{leads_url}{row.pk}/", {"status": "won"}, format="json").status_code == 403
    assert read_client.get(leads_url).status_code == 200
    assert list(Lead.objects.for_organization(org).values_list("external_id", "status")) == [("A-1", "new")]


def test_an_analyst_session_cannot_write(org, make_member, leads_url):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_member(org, "analyst").user)
    assert client.post(leads_url, lead(), format="json").status_code == 403
    assert not Lead.objects.for_organization(org).exists()


def test_another_organizations_lead_is_404(token_client, leads_url, org):
    other = OrganizationFactory(slug="elsewhere")
    foreign = Lead.objects.create(organization=other, external_id="A-1")
    assert token_client.get(f"{leads_url}{foreign.pk}/").status_code == 404
    assert token_client.patch(f"{leads_url}{foreign.pk}/", {"status": "won"}, format="json").status_code == 404
    assert token_client.post("/api/v1/orgs/elsewhere/leads/", lead(), format="json").status_code == 404
    # The same external_id in two organizations are two leads.
    assert token_client.post(leads_url, lead(), format="json").json()["created"] == 1
    assert Lead.objects.for_organization(other).get().status == "new"


def test_the_list_filters_and_paginates(token_client, leads_url, org):
    items = [
        lead("a", status="new", platform="vk", created="2026-01-10T00:00:00Z"),
        lead("b", status="won", platform="telegram", created="2026-02-10T00:00:00Z"),
        lead("c", status="won", created="2026-03-10T00:00:00Z"),
    ]
    token_client.post(leads_url, {"items": items}, format="json")
    Lead.objects.for_organization(org).filter(external_id="c").update(attributed_platform="vk")

    def ids(query):
        response = token_client.get(f"{leads_url}?{query}")
        assert response.status_code == 200, response.content
        return sorted(r["external_id"] for r in response.json()["results"])

    assert ids("") == ["a", "b", "c"]
    assert ids("status=won") == ["b", "c"]
    assert ids("platform=vk") == ["a"]
    assert ids("created_after=2026-02-01T00:00:00Z&created_before=2026-03-01T00:00:00Z") == ["b"]
    # "a" and "b" name their platform, which attribution uses when no UTM tag names one.
    assert ids("attributed=true") == ["a", "b", "c"]
    Lead.objects.for_organization(org).filter(external_id="b").update(attributed_platform="")
    assert ids("attributed=true") == ["a", "c"]
    assert ids("attributed=false") == ["b"]
    page = token_client.get(f"{leads_url}?page_size=2").json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    assert token_client.get(f"{leads_url}?status=paid").status_code == 400
    for bad in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00%2B14:00", "1999-12-31T00:00:00Z", "soon"):
        assert token_client.get(f"{leads_url}?created_after={bad}").status_code == 400, bad


def test_items_that_are_not_objects_are_named_by_index(token_client, leads_url):
    body = {"items": [None, "A-1", [], {"external_id": "ok"}]}
    fields = errors(token_client.post(leads_url, body, format="json"))
    assert set(fields) == {"items.0.non_field_errors", "items.1.non_field_errors", "items.2.non_field_errors"}
