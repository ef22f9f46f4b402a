"""A report's figures: the KPI engine's for the period (equal to `GET kpis/` and the dashboard's),
frozen once made, and the insights input in the organization's timezone."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from analytics.kpi_values import kpi_values_for_period
from crm.models import Lead, Sale
from reports.frame import insight_frame
from reports.models import Report
from reports.periods import last_closed_period, previous_period
from reports.services import report_generate
from reports.snapshot import build_snapshot
from tests.analytics.factories import PostMetricDailyFactory, SocialPostFactory
from tests.analytics.kpi_data import generate
from tests.content.factories import PostFactory
from tests.integrations.factories import SocialAccountFactory
from tests.strategy.factories import ContentPillarFactory

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _dec(value):
    return None if value is None else Decimal(value)


def test_report_figures_equal_the_kpi_api_and_the_dashboard_for_the_same_period(owner_client, org):
    generate(org, seed=12)
    report, created = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    assert created
    rows = report.snapshot["kpis"]
    keys = [row["key"] for row in rows]
    for (start, end), column in ((MARCH, "current"), (previous_period(*MARCH), "previous")):
        response = owner_client.get(f"/api/v1/orgs/{org.slug}/kpis/?kpis={','.join(keys)}&start={start}&end={end}")
        assert response.status_code == 200, response.content
        api = response.json()["rows"][0]["values"]
        dashboard = kpi_values_for_period(organization=org, kpis=keys, start=start, end=end)
        for row in rows:
            assert _dec(row[column]) == _dec(api[row["key"]]["value"]), (column, row["key"])
            assert _dec(row[column]) == dashboard[row["key"]], (column, row["key"])
    assert any(row["current"] is not None for row in rows)
    assert report.snapshot["previous_period"] == {"start": "2026-02-01", "end": "2026-02-28"}


def test_a_report_is_frozen_new_data_does_not_change_it(org):
    generate(org, seed=5)
    report, _ = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    before = report.snapshot
    for n in range(7):
        Lead.objects.create(
            organization=org, external_id=f"late-{n}", created=dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)
        )
    again, created = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    assert not created
    assert again.pk == report.pk
    assert Report.objects.get(pk=report.pk).snapshot == before
    # The data did change: a fresh computation would differ.
    fresh = build_snapshot(organization=org, start=MARCH[0], end=MARCH[1], agreed=[])
    leads = {row["key"]: row["current"] for row in fresh["kpis"]}["leads"]
    frozen = {row["key"]: row["current"] for row in before["kpis"]}["leads"]
    assert Decimal(leads) == Decimal(frozen or 0) + 7


def test_the_contribution_shows_the_unattributed_share(org):
    at = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    for n in range(3):
        Lead.objects.create(organization=org, external_id=f"a{n}", created=at, attributed_platform="vk")
    Lead.objects.create(organization=org, external_id="u", created=at)
    report, _ = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    leads = report.snapshot["contribution"]["leads"]
    assert leads == {"total": "4", "attributed": "3", "unattributed": "1", "unattributed_percent": "25.0"}


def test_the_insight_frame_uses_the_latest_observation_and_the_organizations_timezone(org):
    org.timezone = "Asia/Vladivostok"  # UTC+10: 20:00 UTC on Monday is 06:00 on Tuesday
    org.save()
    post = SocialPostFactory(
        organization=org,
        published_at=dt.datetime(2026, 3, 2, 20, tzinfo=dt.UTC),
        format="carousel",
        extra={"objective": "leads"},
    )
    PostMetricDailyFactory(post=post, day=dt.date(2026, 3, 3), reach=100, likes=1, link_clicks=1)
    PostMetricDailyFactory(post=post, day=dt.date(2026, 3, 5), reach=400, likes=10, comments=2, link_clicks=9)
    frame = insight_frame(organization=org, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    (row,) = frame.to_dict("records")
    assert row["published_at"].hour == 6
    assert row["published_at"].day_name() == "Tuesday"
    assert (row["reach"], row["engagements"], row["link_clicks"]) == (400, 12, 9)
    assert (row["format"], row["objective"]) == ("carousel", "leads")


def test_closed_periods():
    assert last_closed_period(frequency="monthly", today=dt.date(2026, 3, 1)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert last_closed_period(frequency="weekly", today=dt.date(2026, 3, 4)) == (
        dt.date(2026, 2, 23),
        dt.date(2026, 3, 1),
    )
    assert previous_period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)) == (dt.date(2026, 2, 23), dt.date(2026, 3, 1))


def test_a_planned_post_brings_its_pillar_objective_and_attributed_leads_and_revenue(org):
    pillar = ContentPillarFactory(strategy__organization=org, name="Обучение")
    plan = PostFactory(organization=org, objective="lead_generation", pillar=pillar)
    vk = SocialAccountFactory(organization=org, platform="vk")
    tg = SocialAccountFactory(organization=org, platform="telegram")
    day = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    on_vk = SocialPostFactory(organization=org, account=vk, published_at=day, planned_post=plan)
    on_tg = SocialPostFactory(organization=org, account=tg, published_at=day, planned_post=plan)
    outside = SocialPostFactory(organization=org, account=vk, published_at=day)
    for post in (on_vk, on_tg, outside):
        PostMetricDailyFactory(post=post, day=dt.date(2026, 3, 11), reach=100, likes=5)
    common = {"organization": org, "post": plan}
    leads = [
        Lead.objects.create(external_id="a", attributed_platform="vk", **common),
        Lead.objects.create(external_id="b", attributed_platform="vk", **common),
        Lead.objects.create(external_id="c", attributed_platform="telegram", **common),
        Lead.objects.create(external_id="d", attributed_platform="", **common),  # goes to the first post
    ]
    sold = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    for lead, amount, refunded, currency in (
        (leads[0], "1000.00", False, org.currency),
        (leads[1], "500.00", True, org.currency),  # refunded: left out
        (leads[2], "300.00", False, "USD" if org.currency != "USD" else "EUR"),  # another currency: left out
        (leads[3], "200.00", False, org.currency),
    ):
        Sale.objects.create(
            organization=org, external_id=f"s-{lead.external_id}", lead=lead, amount=amount,
            currency=currency, sold_at=sold, refunded=refunded,
        )  # fmt: skip
    frame = insight_frame(organization=org, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    rows = {row["post_id"]: row for row in frame.to_dict("records")}
    assert on_vk.pk < on_tg.pk  # the VK post is the plan's first: it also takes the lead without a platform
    assert (rows[on_vk.pk]["leads"], rows[on_vk.pk]["revenue"]) == (3, 1200)
    assert (rows[on_tg.pk]["leads"], rows[on_tg.pk]["revenue"]) == (1, 0)
    assert (rows[on_tg.pk]["pillar"], rows[on_tg.pk]["objective"]) == ("Обучение", "lead_generation")
    assert pd.isna(rows[outside.pk]["leads"])
    assert pd.isna(rows[outside.pk]["pillar"])
