"""Community metrics, exact on a hand-built inbox and computed without loading every comment."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from moderation.community import Advocate, community_metrics
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory

pytestmark = pytest.mark.django_db


def test_community_metrics_are_exact(org, other_org, django_assert_max_num_queries):
    now = timezone.now()
    since, until = now - dt.timedelta(days=7), now
    account = SocialAccountFactory(organization=org)

    def item(author, ago_days, **kw):
        return InboxItemFactory(
            organization=org,
            account=account,
            author_external_id=author,
            author_name=author.upper(),
            created_at=now - dt.timedelta(days=ago_days),
            **kw,
        )

    item("ann", 30)  # before the period: ann returns
    a1 = item("ann", 2, external_id="a1", answered_at=now, sentiment="positive")
    item("bob", 1, external_id="b1", parent_external_id="a1", tags=["praise"])  # member to member
    item("bob", 1, external_id="b2", sentiment="positive")
    item("cat", 1, external_id="c1", parent_external_id="a1", answered_at=now)  # member to member
    item("ann", 1, external_id="a2", parent_external_id="a1")  # answering herself: not a conversation
    item("dan", 1, external_id="d1", parent_external_id="brand1")  # answering the brand
    item("brand", 1, external_id="brand1", is_from_account=True)
    item("eve", 1, kind="mention", sentiment="positive")
    InboxItemFactory(organization=other_org, author_external_id="zed", sentiment="positive")
    assert a1.pk

    with django_assert_max_num_queries(5):
        metrics = community_metrics(organization=org, since=since, until=until)
    assert metrics.active_members == 5  # ann, bob, cat, dan, eve
    assert metrics.returning_members == 1
    # comments and messages: a1, b1, b2, c1, a2, d1 → answered a1, c1
    assert metrics.brand_reply_rate == Decimal("0.33")
    assert metrics.member_conversations == 2
    assert metrics.top_advocates == [Advocate("bob", "BOB", 2), Advocate("ann", "ANN", 1), Advocate("eve", "EVE", 1)]


def test_empty_period(org):
    now = timezone.now()
    metrics = community_metrics(organization=org, since=now - dt.timedelta(days=1), until=now)
    assert (metrics.active_members, metrics.brand_reply_rate, metrics.top_advocates) == (0, None, [])
