import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.moderation.factories import InboxItemFactory

from ..integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def _item(org, account, n, **kwargs):
    return InboxItemFactory(
        organization=org,
        account=account,
        external_id=f"e{n}",
        author_name=f"Автор {n}",
        text=kwargs.pop("text", f"Комментарий {n}"),
        created_at=timezone.now() - dt.timedelta(minutes=n),
        **kwargs,
    )


def test_inbox_lists_audience_items_scoped_and_filtered(owner_web, org, other_org, django_assert_max_num_queries):
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    for n in range(12):
        _item(org, account, n, kind="message" if n % 3 == 0 else "comment")
    _item(org, account, 99, is_from_account=True, text="Наш ответ")
    foreign = SocialAccountFactory(organization=other_org, platform="vk", external_id="1")
    _item(other_org, foreign, 1, text="Чужой секрет")

    with django_assert_max_num_queries(25):
        response = owner_web.get(f"/o/{org.slug}/moderation/")
    html = response.content.decode()
    assert len(response.context["object_list"]) == 12
    assert "Наш ответ" not in html
    assert "Чужой секрет" not in html
    messages = owner_web.get(f"/o/{org.slug}/moderation/?kind=message").context["object_list"]
    assert [i.external_id for i in messages] == ["e0", "e3", "e6", "e9"]
    assert owner_web.get(f"/o/{org.slug}/moderation/?status=resolved").context["object_list"].count() == 0


def test_inbox_empty_state_and_tenancy(owner_web, org, other_org):
    assert "Inbox is empty" in owner_web.get(f"/o/{org.slug}/moderation/").content.decode()
    assert owner_web.get(f"/o/{other_org.slug}/moderation/").status_code == 404


def test_pagination_keeps_the_filter(owner_web, org):
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    for n in range(55):
        _item(org, account, n, kind="message")
    html = owner_web.get(f"/o/{org.slug}/moderation/?kind=message").content.decode()
    assert 'href="?kind=message&amp;page=2"' in html
    assert len(owner_web.get(f"/o/{org.slug}/moderation/?kind=message&page=2").context["object_list"]) == 5


def _queries_for_inbox(client, org, n, account, start):
    for i in range(n):
        _item(org, account, start + i, tags=["question"], sentiment="negative")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/o/{org.slug}/moderation/?tone=negative").status_code == 200
    return len(captured)


def test_inbox_page_query_count_is_constant_in_the_number_of_items(owner_web, org, marketer):
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    owner_web.get(f"/o/{org.slug}/moderation/")  # the first page of an organization remembers it in the session
    few = _queries_for_inbox(owner_web, org, 2, account, 1000)
    many = _queries_for_inbox(owner_web, org, 40, account, 2000)
    assert few == many <= 20


def test_conversation_page_shows_thread_and_actions(owner_web, org):
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    parent = _item(org, account, 5, post_external_id="p1", text="Где мой заказ?")
    child = _item(org, account, 1, post_external_id="p1", parent_external_id=parent.external_id, text="У меня тоже")
    html = owner_web.get(f"/o/{org.slug}/moderation/items/{child.pk}/").content.decode()
    assert "Где мой заказ?" in html
    assert "У меня тоже" in html
    assert 'id="reply-text"' in html
    assert "js/inbox.js" in html
    response = owner_web.post(f"/o/{org.slug}/moderation/items/{child.pk}/resolve/", {"resolution": "ok"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == "resolved"


def test_bulk_actions_touch_only_own_items(owner_web, org, other_org):
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    mine = [_item(org, account, n) for n in range(3)]
    foreign = InboxItemFactory(organization=other_org)
    ids = [i.pk for i in mine] + [foreign.pk]
    owner_web.post(f"/o/{org.slug}/moderation/bulk/", {"items": ids, "action": "tag", "tag": "spam"})
    for item in mine:
        item.refresh_from_db()
        assert item.tags == ["spam"]
    foreign.refresh_from_db()
    assert foreign.tags == []
    owner_web.post(f"/o/{org.slug}/moderation/bulk/", {"items": ids, "action": "resolve"})
    assert {i.status for i in type(foreign).objects.filter(pk__in=[m.pk for m in mine])} == {"resolved"}
