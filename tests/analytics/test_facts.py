"""Fact selectors against an independent computation on the raw connector output."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from analytics.selectors import account_metric_daily_list, account_metric_totals, post_performance_list
from integrations.connectors.demo import DemoConnector
from integrations.services import demo_account_connect
from integrations.sync import account_sync

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def synced(org):
    account = demo_account_connect(organization=org, sync=False)
    account_sync(
        account_id=account.pk,
        plan="full",
        days=30,
        connector=DemoConnector(external_id=account.external_id, clock=lambda: NOW),
    )
    return account


def test_totals_match_the_connector_days(org, synced):
    since, until = date(2026, 6, 1), date(2026, 6, 15)
    days = DemoConnector(external_id=synced.external_id, clock=lambda: NOW).fetch_account_metrics(since, until)
    totals = account_metric_totals(organization=org, since=since, until=until)
    assert totals["reach"] == sum(d.reach for d in days)
    assert totals["link_clicks"] == sum(d.link_clicks for d in days)
    assert [m.day for m in account_metric_daily_list(organization=org, since=since, until=until)] == [
        d.day for d in days
    ]


def test_post_performance_uses_the_latest_snapshot_and_computes_er(org, synced, django_assert_max_num_queries):
    since, until = date(2026, 5, 16), date(2026, 6, 15)
    with django_assert_max_num_queries(3):
        rows = post_performance_list(organization=org, since=since, until=until)
    reference = DemoConnector(external_id=synced.external_id, clock=lambda: NOW)
    expected = {m.external_id: m for m in reference.fetch_post_metrics([r.post.external_id for r in rows])}
    assert rows
    for row in rows:
        m = expected[row.post.external_id]
        assert (row.reach, row.likes, row.saves) == (m.reach, m.likes, m.saves)
        if m.reach:
            er = Decimal(m.likes + m.comments + m.shares + m.saves) / Decimal(m.reach)
            assert row.engagement_rate == er.quantize(Decimal("0.0001"))


def test_other_org_sees_nothing(other_org, synced):
    assert post_performance_list(organization=other_org, since=date(2026, 1, 1), until=date(2026, 12, 31)) == []
    assert (
        account_metric_totals(organization=other_org, since=date(2026, 1, 1), until=date(2026, 12, 31))["reach"] is None
    )


def test_demo_is_deterministic_across_instances():
    a = DemoConnector(clock=lambda: NOW)
    b = DemoConnector(clock=lambda: NOW + timedelta(days=3))
    day = date(2026, 6, 10)
    assert a.fetch_account_metrics(day, day) == b.fetch_account_metrics(day, day)
    assert a.fetch_ad_stats(day, day) == b.fetch_ad_stats(day, day)
    # Lifetime post counters grow with age, never shrink.
    post = a.fetch_posts(NOW - timedelta(days=5))[0].external_id
    assert a.fetch_post_metrics([post])[0].reach <= b.fetch_post_metrics([post])[0].reach


def test_demo_formats_and_objectives_shape_the_numbers():
    demo = DemoConnector(clock=lambda: NOW)
    posts = demo.fetch_posts(NOW - timedelta(days=365))
    metrics = {m.external_id: m for m in demo.fetch_post_metrics([p.external_id for p in posts])}

    def mean(values):
        values = list(values)
        return sum(values) / len(values)

    reels = mean(metrics[p.external_id].reach for p in posts if p.format == "reel")
    texts = mean(metrics[p.external_id].reach for p in posts if p.format == "text")
    assert reels > 2 * texts
    leads = mean(metrics[p.external_id].link_clicks for p in posts if p.extra["objective"] == "leads")
    engagement = mean(metrics[p.external_id].link_clicks for p in posts if p.extra["objective"] == "engagement")
    assert leads > 4 * engagement
    comments = demo.fetch_comments(NOW - timedelta(days=14))
    assert any(c.text.isascii() for c in comments)  # some English
    assert any(not c.text.isascii() for c in comments)  # mostly Russian
    assert any(c.kind == "message" for c in comments)
    stats = demo.fetch_ad_stats(date(2026, 6, 1), date(2026, 6, 14))
    leads_total = sum(s.leads for s in stats if s.campaign_external_id == "demo-c1")
    spend_total = sum((s.spend for s in stats if s.campaign_external_id == "demo-c1"), Decimal(0))
    assert Decimal(100) < spend_total / leads_total < Decimal(600)  # a plausible CPL in RUB
