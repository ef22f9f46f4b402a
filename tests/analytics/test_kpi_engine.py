"""The KPI engine against an independent pandas computation on seeded random rows: every KPI, each
dimension, platform filters, empty periods, zero denominators and NULL metrics; constant query count."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.kpi_engine import kpi_rows, periods
from analytics.kpi_sources import Dimension
from core.kpis import CATALOG
from crm.models import Lead
from tests.analytics.factories import AccountMetricDailyFactory
from tests.integrations.factories import SocialAccountFactory

from .kpi_data import generate
from .kpi_expected import available, expected

pytestmark = pytest.mark.django_db

KEYS = [kpi.key for kpi in CATALOG]
START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def _got(rows) -> dict:
    return {row.group: {k: (v.value, v.numerator, v.denominator) for k, v in row.values.items()} for row in rows}


def _check(org, facts, keys, start, end, platform="", dim="total"):
    got = _got(kpi_rows(organization=org, kpis=keys, start=start, end=end, platform=platform, group_by=dim))
    want = expected(facts, keys, start, end, platform, dim)
    assert set(got) == set(want), (dim, platform)
    for group, values in want.items():
        for key, triple in values.items():
            assert got[group][key] == triple, (key, dim, platform, group)
    return got


@pytest.fixture
def facts(org):
    org.timezone = "Asia/Yekaterinburg"  # UTC+5: days of the organization, not of UTC
    org.save(update_fields=["timezone"])
    return generate(org, seed=20260301)


@pytest.mark.parametrize("dim", ["total", "day", "week", "month", "platform"])
def test_every_kpi_by_calendar_and_platform(org, facts, dim):
    got = _check(org, facts, KEYS, START, END, dim=dim)
    assert any(v[0] is not None for row in got.values() for v in row.values())


@pytest.mark.parametrize("dim", ["post", "campaign", "goal", "pillar"])
@pytest.mark.parametrize("key", KEYS)
def test_every_kpi_by_attribution_dimension(org, facts, key, dim):
    got = _check(org, facts, [key], START, END, dim=dim)
    if not available(key, dim):
        assert all(row[key] == (None, None, None) for row in got.values())


@pytest.mark.parametrize("platform", ["vk", "telegram", "instagram", "facebook", "vk_ads", "meta_ads"])
def test_every_kpi_filtered_by_platform(org, facts, platform):
    _check(org, facts, KEYS, START, END, platform=platform)
    _check(org, facts, KEYS, START, END, platform=platform, dim="week")


def test_other_seeds_and_periods(org, facts):
    for start, end in [(dt.date(2026, 2, 20), dt.date(2026, 4, 10)), (dt.date(2026, 3, 15), dt.date(2026, 3, 15))]:
        _check(org, facts, KEYS, start, end)
        _check(org, facts, KEYS, start, end, dim="platform")


def test_an_empty_period_is_no_data_except_connected_crm_and_links(org, facts):
    start = end = dt.date(2027, 1, 1)
    got = _check(org, facts, KEYS, start, end)
    values = got[None]
    assert values["reach"] == (None, None, None)
    assert values["er"] == (None, None, None)
    # The CRM is connected (it has sent leads before): no lead in the period is zero leads,
    # and a zero denominator makes the ratio no data.
    assert values["leads"][0] == Decimal(0)
    assert values["conversion"] == (None, Decimal(0), Decimal(0))
    assert values["cpl"][0] is None
    assert values["site_clicks"][0] == Decimal(0)  # tracked links exist: zero clicks


def test_no_margin_means_no_romi_and_no_contact_cost_no_savings(org):
    facts = generate(org, seed=7, margin=None, support_cost=None)
    got = _check(org, facts, KEYS, START, END)
    assert got[None]["romi"][0] is None
    assert got[None]["support_savings"][0] is None
    assert got[None]["resolved_in_social"][0] is not None


def test_no_data_at_all(org):
    got = _got(kpi_rows(organization=org, kpis=KEYS, start=START, end=END))
    assert got == {None: {key: (None, None, None) for key in KEYS}}
    assert _got(kpi_rows(organization=org, kpis=KEYS, start=START, end=END, group_by="post")) == {}
    by_day = kpi_rows(organization=org, kpis=["reach"], start=START, end=END, group_by="day")
    assert [row.group for row in by_day] == [d.isoformat() for d in periods(START, END, Dimension.DAY)]


def test_zero_reach_and_zero_leads_are_zero_denominators(org):
    account = SocialAccountFactory(organization=org, platform="vk")
    AccountMetricDailyFactory(account=account, day=START, reach=0, likes=5)
    Lead.objects.create(organization=org, external_id="x", created=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    (row,) = kpi_rows(organization=org, kpis=["reach", "er", "leads", "conversion"], start=START, end=END)
    assert row.values["reach"].value == 0
    assert row.values["er"].value is None  # a day with zero reach does not enter ER
    assert (row.values["conversion"].value, row.values["conversion"].denominator) == (None, Decimal(0))


def test_calendar_periods():
    assert periods(dt.date(2026, 3, 4), dt.date(2026, 3, 17), Dimension.WEEK) == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
    ]
    assert periods(dt.date(2026, 1, 31), dt.date(2026, 3, 1), Dimension.MONTH) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]


@pytest.mark.parametrize("dim", [d.value for d in Dimension])
def test_query_count_does_not_grow_with_rows_or_groups(org, other_org, dim, django_assert_max_num_queries):
    generate(org, seed=1)
    # Every source: at most two queries (an aggregate and a level/median/distinct row query, or the
    # CRM's "connected" check) plus the business profile.
    budget = 2 * 6 + 1 + 3

    with django_assert_max_num_queries(budget) as small:
        kpi_rows(organization=org, kpis=KEYS, start=START, end=END, group_by=dim)
    generate(org, seed=2, scale=4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        kpi_rows(organization=org, kpis=KEYS, start=dt.date(2026, 2, 1), end=dt.date(2026, 4, 30), group_by=dim)


def test_the_generated_data_exercises_every_kpi(org, facts):
    (total,) = kpi_rows(organization=org, kpis=KEYS, start=START, end=END)
    assert [key for key, value in total.values.items() if value.value is None] == []
    by_post = _got(
        kpi_rows(organization=org, kpis=["leads", "sales", "site_clicks"], start=START, end=END, group_by="post")
    )
    assert "unattributed" in by_post
    assert len(by_post) > 2
