import datetime as dt

import pytest
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

    with django_assert_max_num_queries(12):
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
