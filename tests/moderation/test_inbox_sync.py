"""Inbox sync keeps the team's workflow fields and is idempotent."""

from datetime import UTC, datetime

import pytest

from integrations.connectors.demo import DemoConnector
from integrations.services import demo_account_connect
from integrations.sync import account_sync
from moderation.models import InboxItem, InboxKind, InboxStatus, Sentiment

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


def sync(account, now=NOW):
    account_sync(
        account_id=account.pk,
        plan="frequent",
        kinds=["comments", "mentions"],
        connector=DemoConnector(external_id=account.external_id, clock=lambda: now),
    )


def test_team_status_and_sentiment_survive_a_resync(org):
    account = demo_account_connect(organization=org, sync=False)
    sync(account)
    item = InboxItem.objects.filter(kind=InboxKind.COMMENT, status=InboxStatus.NEW).first()
    item.status, item.sentiment = InboxStatus.RESOLVED, Sentiment.NEGATIVE
    item.save(update_fields=["status", "sentiment"])
    before = InboxItem.objects.count()

    sync(account)

    item.refresh_from_db()
    assert (item.status, item.sentiment) == (InboxStatus.RESOLVED, Sentiment.NEGATIVE)
    assert InboxItem.objects.count() == before


def test_mentions_are_stored_with_their_links(org):
    account = demo_account_connect(organization=org, sync=False)
    sync(account)
    mention = InboxItem.objects.filter(kind=InboxKind.MENTION).first()
    assert mention.url.startswith("https://demo-social.example/wall/")
    assert mention.sentiment is None
