"""Recorded platform answers (tests/fixtures) become inbox items exactly once: VK wall comments with
threads and the community's own replies, and Telegram discussion comments — a second sync of the
same answers adds nothing and keeps the team's work. (No recorded answer holds a private message;
messages come through the same step and key, see test_inbox_sync with the demo connector.)"""

from datetime import UTC, datetime

import pytest

from integrations.steps import SyncWindow
from moderation import services
from moderation.models import InboxItem, InboxKind, InboxStatus
from tests.integrations.connectors import vk_support
from tests.integrations.connectors.test_connectors_telegram import CHANNEL, DISCUSSION, route_updates
from tests.integrations.connectors.test_connectors_telegram import make as make_telegram
from tests.integrations.connectors.test_connectors_vk_comments import route_comments
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def items(org):
    return InboxItem.objects.for_organization(org)


def test_vk_comments_enter_once_with_threads_and_answers(org, vk, platform_api):
    route_comments(platform_api, "vk/wall.getComments.json")
    account = SocialAccountFactory(organization=org, platform="vk", external_id=vk_support.GROUP)
    window = SyncWindow.trailing(days=1, posts_days=1, now=datetime(2026, 6, 13, tzinfo=UTC))

    first = services.comments_sync(account=account, connector=vk, window=window)
    count = items(org).count()
    assert count == first.fetched == 10
    assert len(set(items(org).values_list("external_id", flat=True))) == count
    reply = items(org).get(external_id="1856")  # the community's own answer to 1854
    assert reply.is_from_account
    assert reply.thread_parent == items(org).get(external_id="1854")
    answered = items(org).get(external_id="1854")
    assert (answered.status, answered.answered_at) == (InboxStatus.REPLIED, reply.created_at)

    resolved = items(org).get(external_id="1853")
    resolved.status = InboxStatus.RESOLVED
    resolved.save(update_fields=["status"])
    services.comments_sync(account=account, connector=vk, window=window)
    assert items(org).count() == count
    assert items(org).get(external_id="1853").status == InboxStatus.RESOLVED


def test_telegram_discussion_comments_enter_once(org, platform_api):
    route_updates(platform_api)
    account = SocialAccountFactory(organization=org, platform="telegram", external_id=CHANNEL)
    window = SyncWindow.trailing(days=1, posts_days=1, now=datetime(2026, 6, 13, tzinfo=UTC))
    for _ in range(2):  # a fresh connector re-reads the same updates (e.g. a lost offset)
        connector = make_telegram(platform_api, discussion_chat_id=DISCUSSION, update_offset=583920141)
        connector.fetch_posts(since=window.posts_since)
        services.comments_sync(account=account, connector=connector, window=window)
    rows = list(items(org).values_list("kind", "external_id"))
    assert len(rows) == len(set(rows))
    assert sorted(rows) == [(InboxKind.COMMENT, f"{DISCUSSION}:{n}") for n in (2302, 2303, 2304, 2305)]
