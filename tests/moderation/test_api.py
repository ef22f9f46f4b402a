"""The inbox API: filters, actions, replies, saved replies and the service level."""

import pytest

from moderation.models import InboxReply, ReplyServiceLevel
from tests.moderation.factories import InboxItemFactory

pytestmark = pytest.mark.django_db


def _url(org, path=""):
    return f"/api/v1/orgs/{org.slug}/inbox/{path}"


def test_list_filters_and_actions(owner_client, org, other_org, marketer):
    negative = InboxItemFactory(organization=org, sentiment="negative", text="Плохо")
    InboxItemFactory(organization=org, sentiment="positive")
    InboxItemFactory(organization=other_org, sentiment="negative")
    listed = owner_client.get(_url(org, "items/?tone=negative")).json()["results"]
    assert [i["id"] for i in listed] == [negative.pk]

    r = owner_client.post(_url(org, f"items/{negative.pk}/assign/"), {"assignee": marketer.pk}, format="json")
    assert (r.status_code, r.json()["status"]) == (200, "assigned")
    r = owner_client.post(_url(org, f"items/{negative.pk}/tag/"), {"tags": ["complaint"]}, format="json")
    assert r.json()["tags"] == ["complaint"]
    assert [i["id"] for i in owner_client.get(_url(org, "items/?tag=complaint")).json()["results"]] == [negative.pk]
    r = owner_client.post(_url(org, f"items/{negative.pk}/notes/"), {"text": "Позвонить"}, format="json")
    assert r.status_code == 201
    r = owner_client.post(
        _url(org, f"items/{negative.pk}/reply/"), {"text": "Простите!", "idempotency_key": "k"}, format="json"
    )
    assert (r.status_code, r.json()["status"]) == (202, "queued")
    again = owner_client.post(
        _url(org, f"items/{negative.pk}/reply/"), {"text": "Простите!", "idempotency_key": "k"}, format="json"
    )
    assert again.json()["id"] == r.json()["id"]
    assert InboxReply.objects.for_organization(org).count() == 1
    detail = owner_client.get(_url(org, f"items/{negative.pk}/")).json()
    assert ([n["text"] for n in detail["notes"]], len(detail["replies"])) == (["Позвонить"], 1)
    r = owner_client.post(_url(org, f"items/{negative.pk}/resolve/"), {"resolution": "Извинились"}, format="json")
    assert r.json()["status"] == "resolved"


def test_reply_to_a_foreign_item_is_404(owner_client, org, other_org):
    foreign = InboxItemFactory(organization=other_org)
    r = owner_client.post(_url(org, f"items/{foreign.pk}/reply/"), {"text": "x"}, format="json")
    assert r.status_code == 404


def test_saved_replies_search_and_service_level(owner_client, org):
    owner_client.post(_url(org, "saved-replies/"), {"title": "Спасибо", "text": "{author}, спасибо!"}, format="json")
    owner_client.post(_url(org, "saved-replies/"), {"title": "Доставка", "text": "Курьер едет"}, format="json")
    found = owner_client.get(_url(org, "saved-replies/?q=курьер")).json()["results"]
    assert [s["title"] for s in found] == ["Доставка"]

    assert owner_client.get(_url(org, "service-level/")).json()["first_response_minutes"] == 60
    r = owner_client.patch(
        _url(org, "service-level/"), {"first_response_minutes": 30, "business_hours": True}, format="json"
    )
    assert r.status_code == 200, r.content
    level = ReplyServiceLevel.objects.for_organization(org).get()
    assert (level.first_response_minutes, level.business_hours) == (30, True)
    bad = owner_client.patch(_url(org, "service-level/"), {"day_start": "19:00", "day_end": "09:00"}, format="json")
    assert bad.status_code == 400


def test_marketer_cannot_change_the_service_level(api_client, org, marketer):
    api_client.force_authenticate(marketer)
    assert api_client.get(_url(org, "service-level/")).status_code == 200
    assert (
        api_client.patch(_url(org, "service-level/"), {"first_response_minutes": 5}, format="json").status_code == 403
    )
