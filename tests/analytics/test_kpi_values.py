"""KPI values from the fact tables: exact figures from raw rows, None when there is no data."""

import datetime as dt
from decimal import Decimal

import pytest

from ads.models import AdCampaign
from analytics.kpi_values import goal_progress, goals_progress, kpi_value, kpi_value_for_period
from core.kpis import CATALOG, ProgressStatus
from crm.models import Lead, Sale
from tests.ads.factories import AdStatDailyFactory
from tests.analytics.factories import AccountMetricDailyFactory
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory
from tests.strategy.factories import BusinessProfileFactory, GoalFactory, StrategyFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 3, 31)  # window: 2025-03-02 .. 2025-03-31


def account(org, platform="vk", ext="1"):
    return SocialAccountFactory(organization=org, platform=platform, external_id=ext, display_name=ext)


def metric(acc, day, **values):
    return AccountMetricDailyFactory(account=acc, day=day, **values)


def ad_stat(acc, day, **values):
    campaign, _ = AdCampaign.objects.get_or_create(
        organization=acc.organization, account=acc, external_id="c1", defaults={"name": "C", "status": "active"}
    )
    defaults = {"spend": Decimal(0), "impressions": 0, "clicks": 0}
    return AdStatDailyFactory(campaign=campaign, day=day, **(defaults | values))


def test_every_kpi_is_none_without_data(org):
    for kpi in CATALOG:
        assert kpi_value(organization=org, kpi=kpi.key, on=ON) is None, kpi.key
    assert kpi_value(organization=org, kpi="unknown", on=ON) is None


def test_page_metrics_from_raw_rows(org, other_org):
    vk, tg = account(org, "vk", "vk1"), account(org, "telegram", "tg1")
    metric(vk, dt.date(2025, 3, 1), reach=99999, followers=1, interactions=99999)  # outside the window
    metric(vk, dt.date(2025, 3, 2), reach=1000, views=1500, followers=500, interactions=50, link_clicks=7)
    metric(vk, dt.date(2025, 3, 31), reach=3000, views=4000, followers=520, likes=60, comments=20, shares=10)
    metric(tg, dt.date(2025, 3, 15), reach=1000, followers=300, interactions=None, likes=None, link_clicks=3)
    metric(tg, dt.date(2025, 3, 16), reach=None, followers=310)
    metric(account(other_org, "vk", "x"), dt.date(2025, 3, 10), reach=777777, followers=777777)

    assert kpi_value(organization=org, kpi="reach", on=ON) == Decimal(5000)
    assert kpi_value(organization=org, kpi="reach", on=ON, platform="vk") == Decimal(4000)
    assert kpi_value(organization=org, kpi="impressions", on=ON) == Decimal(5500)
    assert kpi_value(organization=org, kpi="followers", on=ON) == Decimal(830)  # 520 (vk) + 310 (tg)
    # ER over the days that report both reach and an interaction figure; the Telegram day reports
    # none (not reported is not 0): (50 + 60+20+10) / (1000 + 3000) * 100 = 3.50
    assert kpi_value(organization=org, kpi="er", on=ON) == Decimal("3.50")
    assert kpi_value(organization=org, kpi="er", on=ON, platform="vk") == Decimal("3.50")
    assert kpi_value(organization=org, kpi="site_clicks", on=ON) == Decimal(10)
    assert kpi_value(organization=org, kpi="reach", on=ON, platform="instagram") is None


def test_ad_metrics_from_raw_rows(org):
    vk_ads, meta = account(org, "vk_ads", "va"), account(org, "meta_ads", "ma")
    ad_stat(
        vk_ads,
        dt.date(2025, 3, 10),
        spend=Decimal("3000.00"),
        clicks=100,
        leads=10,
        conversions=2,
        revenue=Decimal("9000.00"),
    )
    ad_stat(vk_ads, dt.date(2025, 3, 11), spend=Decimal("1000.00"), clicks=60, leads=None)
    ad_stat(
        meta,
        dt.date(2025, 3, 12),
        spend=Decimal("2000.00"),
        clicks=40,
        leads=5,
        conversions=1,
        revenue=Decimal("1000.00"),
    )

    # What the ad cabinets report stays available under its own names.
    assert kpi_value(organization=org, kpi="platform_leads", on=ON) == Decimal(15)
    assert kpi_value(organization=org, kpi="platform_sales", on=ON) == Decimal(3)
    assert kpi_value(organization=org, kpi="ad_revenue", on=ON) == Decimal("10000.00")
    assert kpi_value(organization=org, kpi="ad_spend", on=ON) == Decimal("6000.00")
    assert kpi_value(organization=org, kpi="cpc", on=ON) == Decimal("30.00")  # 6000 / 200
    assert kpi_value(organization=org, kpi="site_clicks", on=ON) == Decimal(200)
    # Without CRM records, leads, sales, revenue and everything built on them are "no data".
    for key in ("leads", "cpl", "sales", "revenue", "conversion", "romi"):
        assert kpi_value(organization=org, kpi=key, on=ON) is None, key

    # CRM leads: two attributed to VK, one to Instagram, one unattributed; one outside the window.
    at = dt.datetime(2025, 3, 12, 9, 0, tzinfo=dt.UTC)
    for n, platform in enumerate(["vk", "vk", "instagram", ""]):
        Lead.objects.create(organization=org, external_id=f"L{n}", created=at, attributed_platform=platform)
    Lead.objects.create(organization=org, external_id="old", created=dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
    leads = {lead.external_id: lead for lead in Lead.objects.filter(organization=org)}

    def sale(ext, amount, *, lead=None, currency="RUB", refunded=False):
        Sale.objects.create(
            organization=org,
            external_id=ext,
            amount=Decimal(amount),
            currency=currency,
            sold_at=at,
            lead=leads.get(lead),
            refunded=refunded,
        )

    sale("S1", "3000", lead="L0")
    sale("S2", "1000", lead="L2")
    sale("S3", "5000", lead="L1", refunded=True)  # refunded: not a sale
    sale("S4", "70", lead="L1", currency="USD")  # a sale, but not revenue in roubles
    assert kpi_value(organization=org, kpi="leads", on=ON) == Decimal(4)
    assert kpi_value(organization=org, kpi="leads", on=ON, platform="vk") == Decimal(2)
    # CPL: ad spend ÷ CRM leads; for VK, VK Ads spend ÷ VK leads.
    assert kpi_value(organization=org, kpi="cpl", on=ON) == Decimal("1500.00")
    assert kpi_value(organization=org, kpi="cpl", on=ON, platform="vk") == Decimal("2000.00")
    assert kpi_value(organization=org, kpi="cpl", on=ON, platform="telegram") is None
    assert kpi_value(organization=org, kpi="sales", on=ON) == Decimal(3)
    assert kpi_value(organization=org, kpi="sales_other_currency", on=ON) == Decimal(1)
    assert kpi_value(organization=org, kpi="revenue", on=ON) == Decimal("4000.00")
    assert kpi_value(organization=org, kpi="conversion", on=ON) == Decimal("75.00")  # 3 / 4
    assert kpi_value(organization=org, kpi="romi", on=ON) is None  # no gross margin yet
    BusinessProfileFactory(organization=org, gross_margin_percent=Decimal(50))
    # (4000 × 50 % − 6000) ÷ 6000
    assert kpi_value(organization=org, kpi="romi", on=ON) == Decimal("-66.67")
    assert (
        kpi_value_for_period(organization=org, kpi="spend_unknown", start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
        is None
    )
    assert kpi_value_for_period(
        organization=org, kpi="platform_leads", start=dt.date(2025, 3, 11), end=dt.date(2025, 3, 31)
    ) == Decimal(5)


def test_inbox_metrics_from_raw_rows(org):
    vk = account(org, "vk", "vk1")
    base = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)

    def item(n, **values):
        return InboxItemFactory(organization=org, account=vk, external_id=str(n), **({"created_at": base} | values))

    item(
        1, sentiment="positive", answered_at=base + dt.timedelta(minutes=10), status="resolved", author_external_id="a"
    )
    item(
        2,
        sentiment="negative",
        answered_at=base + dt.timedelta(minutes=30),
        author_external_id="a",
        created_at=base + dt.timedelta(days=8),
    )
    item(3, sentiment="positive", answered_at=base + dt.timedelta(minutes=50), author_external_id="b")
    item(4, sentiment=None, author_external_id="b")
    item(5, is_from_account=True, sentiment="negative")  # the brand's own reply is not audience
    # Item 2's answer predates it (clock skew between sources): skipped from response time.
    assert kpi_value(organization=org, kpi="positive_share", on=ON) == Decimal("66.67")
    assert kpi_value(organization=org, kpi="first_response_time", on=ON) == Decimal("30.00")  # median(10, 50)
    assert kpi_value(organization=org, kpi="resolved_in_social", on=ON) == Decimal(1)
    assert kpi_value(organization=org, kpi="returning_members", on=ON) == Decimal(1)  # "a": two weeks


def test_goal_progress_reads_the_facts(org):
    strategy = StrategyFactory(organization=org, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
    goal = GoalFactory(
        strategy=strategy, kpi="leads", baseline=Decimal(0), target=Decimal(40), deadline=dt.date(2025, 4, 11)
    )
    today = dt.date(2025, 2, 20)  # day 50 of 100
    assert goal_progress(goal=goal, today=today).status == ProgressStatus.NO_DATA
    # CRM leads, not the ad cabinet's: a cabinet's own lead count does not move the goal.
    ad_stat(account(org, "vk_ads", "va"), dt.date(2025, 2, 10), spend=Decimal(100), leads=99)
    assert goal_progress(goal=goal, today=today).status == ProgressStatus.NO_DATA
    at = dt.datetime(2025, 2, 10, 12, 0, tzinfo=dt.UTC)
    Lead.objects.bulk_create(Lead(organization=org, external_id=f"L{n}", created=at) for n in range(20))
    progress = goal_progress(goal=goal, today=today)
    assert (progress.current, progress.percent_of_target, progress.status) == (
        Decimal(20),
        Decimal("50.0"),
        ProgressStatus.ON_TRACK,
    )
    [row] = goals_progress(organization=org, goals=[goal], today=today)
    assert row.progress == progress


def test_goals_progress_reads_every_kpi_in_one_pass(org, django_assert_max_num_queries):
    strategy = StrategyFactory(organization=org, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
    goals = [GoalFactory(strategy=strategy, kpi=kpi.key, baseline=Decimal(0), target=Decimal(10)) for kpi in CATALOG]
    # Each fact source: at most two queries, plus the business profile; not one per goal or KPI.
    with django_assert_max_num_queries(2 * 6 + 1):
        rows = goals_progress(organization=org, goals=goals, today=dt.date(2025, 6, 1))
    assert len(rows) == len(CATALOG)
