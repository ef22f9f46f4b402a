"""The organization dashboard: figures checked against an independent computation over raw rows."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from analytics.dashboard import daily_totals
from analytics.models import AccountMetricDaily
from core.kpis import CATALOG
from core.numbers import round_to
from tests.ads.factories import AdCampaignFactory, AdStatDailyFactory
from tests.analytics.factories import PostMetricDailyFactory, SocialPostFactory

from ..integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def _metrics(org, account, days, seed):
    rng = random.Random(seed)
    rows = [
        AccountMetricDaily(
            organization=org,
            account=account,
            day=day,
            reach=rng.randint(100, 5000),
            views=rng.randint(200, 9000),
            interactions=rng.choice([None, rng.randint(0, 400)]),
            link_clicks=rng.randint(0, 60),
            likes=rng.randint(0, 300),
            comments=rng.randint(0, 40),
            shares=rng.randint(0, 20),
            saves=rng.randint(0, 20),
        )
        for day in days
    ]
    AccountMetricDaily.objects.bulk_create(rows)
    return rows


def test_daily_totals_match_raw_rows_and_ignore_other_tenants(org, other_org):
    today = org.today()
    start = today - dt.timedelta(days=29)
    days = [start + dt.timedelta(days=i) for i in range(30) if i % 7 != 3]  # gaps on purpose
    a = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    b = SocialAccountFactory(organization=org, platform="telegram", external_id="2")
    foreign = SocialAccountFactory(organization=other_org, platform="vk", external_id="1")
    raw = _metrics(org, a, days, 1) + _metrics(org, b, days[::2], 2)
    _metrics(other_org, foreign, days, 3)

    frame = daily_totals(organization=org, start=start, end=today)

    assert len(frame) == 30
    for i in range(30):
        day = start + dt.timedelta(days=i)
        same_day = [r for r in raw if r.day == day]
        for field in ("reach", "views", "interactions", "link_clicks"):
            expected = sum(getattr(r, field) or 0 for r in same_day)
            assert frame.loc[day, field] == expected, (day, field)


def test_dashboard_shows_tiles_goals_and_chart(owner_web, org, django_assert_max_num_queries):
    today = org.today()
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    rows = _metrics(org, account, [today - dt.timedelta(days=i) for i in range(40)], 5)
    in_window = [r for r in rows if r.day > today - dt.timedelta(days=30)]
    # One KPI engine pass for the tiles and today's goals; the owner's month lines load after the
    # page (their own fragment). Constant whatever the number of rows (tests/test_page_queries.py).
    with django_assert_max_num_queries(20):
        response = owner_web.get(f"/o/{org.slug}/")
    assert response.status_code == 200
    tiles = {t.key: t.value for t in response.context["tiles"]}
    assert tiles["reach"] == sum(r.reach for r in in_window)
    assert tiles["site_clicks"] == sum(r.link_clicks for r in in_window)
    assert tiles["leads"] is None  # no ad or CRM data: "no data yet", not zero
    html = response.content.decode()
    assert 'id="trend-chart"' in html
    assert "plotly/plotly.min.js" in html
    steps = response.context["steps"]
    assert [s.done for s in steps] == [False, True, False, False]


def test_empty_dashboard_has_guidance_not_errors(owner_web, org):
    response = owner_web.get(f"/o/{org.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="trend-chart"' not in html
    assert all(t.value is None for t in response.context["tiles"])
    assert response.context["goal_cards"] == []


def test_dashboard_of_another_organization_is_404(owner_web, other_org):
    assert owner_web.get(f"/o/{other_org.slug}/").status_code == 404


def test_demo_dashboard_has_goal_cards_with_every_status(client, settings, django_assert_max_num_queries):
    from django.core.management import call_command

    from strategy.launch_gate import current_strategy
    from tenancy.models import Organization

    call_command("seed_demo", password="zerno-demo-2026", verbosity=0)
    org = Organization.objects.get(slug="zerno")
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(username="owner@zerno.demo")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    with django_assert_max_num_queries(20):
        response = client.get("/o/zerno/")
    cards = response.context["goal_cards"]
    assert len(cards) == current_strategy(organization=org).goals.count() > 0
    if org.today().day <= 3:
        # The first days of a month have too little elapsed time for a pace: every demo goal is on
        # track until then (the demo's figures are spread over the month).
        assert {c.progress.status for c in cards} <= {"on_track", "at_risk", "off_track"}
        return
    assert {c.progress.status for c in cards} >= {"on_track", "at_risk", "off_track"}
    assert 'id="trend-chart"' in response.content.decode()


def test_deleting_an_account_removes_its_fact_rows(org):
    """Fact tables have no DB foreign keys (ingestion speed); the ORM still cascades."""
    from ads.models import AdStatDaily
    from analytics.models import PostMetricDaily

    today = org.today()
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    keep = SocialAccountFactory(organization=org, platform="telegram", external_id="2")
    _metrics(org, account, [today], 1)
    _metrics(org, keep, [today], 2)
    PostMetricDailyFactory(post=SocialPostFactory(organization=org, account=account), day=today, reach=5)
    AdStatDailyFactory(
        campaign=AdCampaignFactory(organization=org, account=account), day=today, spend=1, impressions=1, clicks=0
    )

    account.delete()

    assert AccountMetricDaily.objects.filter(account_id=account.pk).count() == 0
    assert PostMetricDaily.objects.filter(account_id=account.pk).count() == 0
    assert AdStatDaily.objects.filter(account_id=account.pk).count() == 0
    assert AccountMetricDaily.objects.filter(account=keep).count() == 1


def test_analytics_page_compares_windows_against_raw_rows(owner_web, org, other_org, django_assert_max_num_queries):
    today = org.today()
    vk = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    tg = SocialAccountFactory(organization=org, platform="telegram", external_id="2")
    rows = _metrics(org, vk, [today - dt.timedelta(days=i) for i in range(60)], 7)
    tg_rows = _metrics(org, tg, [today - dt.timedelta(days=i) for i in range(60)], 8)
    foreign = SocialAccountFactory(organization=other_org, platform="vk", external_id="1")
    _metrics(other_org, foreign, [today], 9)

    with django_assert_max_num_queries(20):
        response = owner_web.get(f"/o/{org.slug}/analytics/?platform=vk")
    html = response.content.decode()
    shown = [r.key for r in response.context["rows"]]
    for part in ("results", "community"):
        assert f'hx-get="/o/{org.slug}/analytics/kpis/{part}/?platform=vk"' in html
        with django_assert_max_num_queries(20):
            later = owner_web.get(f"/o/{org.slug}/analytics/kpis/{part}/?platform=vk", HTTP_HX_REQUEST="true")
        assert "<html" not in later.content.decode()
        shown += [r.key for r in later.context["rows"]]
    # The page and its fragments together show every catalog KPI once.
    assert sorted(shown) == sorted(kpi.key for kpi in CATALOG)
    got = {r.key: r for r in response.context["rows"]}
    now = sum(r.reach for r in rows if (today - r.day).days < 30)
    before = sum(r.reach for r in rows if 30 <= (today - r.day).days < 60)
    assert got["reach"].current == now
    assert got["reach"].previous == before
    assert got["reach"].change_percent == round_to(Decimal(now - before) * 100 / before, 1)
    both = owner_web.get(f"/o/{org.slug}/analytics/").context["rows"]
    all_now = sum(r.reach for r in rows + tg_rows if (today - r.day).days < 30)
    assert next(r for r in both if r.key == "reach").current == all_now
    assert owner_web.get(f"/o/{other_org.slug}/analytics/").status_code == 404


def test_goals_sharing_a_kpi_cost_one_kpi_query(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analytics.kpi_values import goals_progress
    from tests.strategy.factories import GoalFactory, approved_strategy

    today = org.today()
    strategy, goal, _ = approved_strategy(org, start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=60))
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    _metrics(org, account, [today], 3)

    def cost(goals):
        with CaptureQueriesContext(connection) as ctx:
            result = goals_progress(organization=org, goals=goals, today=today)
        return len(ctx.captured_queries), result

    one, _ = cost([goal])
    more = [goal] + [GoalFactory(strategy=strategy, kpi=goal.kpi, deadline=goal.deadline) for _ in range(5)]
    for g in more:
        g.strategy = strategy
    many, result = cost(more)
    assert many == one
    assert len({r.progress.current for r in result}) == 1
