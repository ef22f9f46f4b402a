"""Absent is not zero: NULL metrics are "not reported", shown as "—", and every ratio uses only
the rows that report both of its parts. Expected figures are computed with pandas from the raw
rows, independently of the ORM aggregates."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from ads.models import AdStatDaily
from ads.selectors import campaign_performance_list, campaign_ratios_attach
from analytics.kpi_values import kpi_value
from core.kpis import kpi_window
from tests.ads.factories import AdStatDailyFactory
from tests.analytics.factories import AccountMetricDailyFactory

from .test_campaigns import campaign

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def _stats(org, c, today):
    """Ten days where each metric is missing on some days (None = the platform did not say)."""
    rows = [
        AdStatDaily(
            organization=org,
            account=c.account,
            campaign=c,
            day=today - dt.timedelta(days=i),
            spend=None if i in (3, 7) else Decimal("24.87") + i,
            impressions=None if i == 5 else 9000 + i,
            clicks=None if i in (2, 3) else 140 + i,
            leads=None if i in (1, 4) else 7 + i % 3,
            conversions=None if i % 3 else i,
            revenue=None if i % 3 else Decimal("141.30") + i,  # most days: purchases not tracked
            currency="USD",
        )
        for i in range(10)
    ]
    AdStatDaily.objects.bulk_create(rows)
    return pd.DataFrame(
        [{k: getattr(r, k) for k in ("spend", "clicks", "leads", "conversions", "revenue")} for r in rows]
    )


def both(frame, a, b):
    return frame[frame[a].notna() & frame[b].notna()]


def test_ratios_use_only_rows_reporting_both_parts(owner_web, org):
    """Before: ROI divided the spend of days without revenue (counted as 0 revenue) and CPC/CPL
    summed spend and clicks/leads of different days."""
    today = org.today()
    c = campaign(org, external_id="c1")
    frame = _stats(org, c, today)

    pair = both(frame, "spend", "clicks")
    cpc = (Decimal(pair["spend"].sum()) / int(pair["clicks"].sum())).quantize(CENT)
    pair = both(frame, "spend", "leads")
    cpl = (Decimal(pair["spend"].sum()) / int(pair["leads"].sum())).quantize(CENT)
    pair = both(frame, "spend", "revenue")
    roi = (
        (Decimal(pair["revenue"].sum()) - Decimal(pair["spend"].sum())) * 100 / Decimal(pair["spend"].sum())
    ).quantize(CENT)
    pair = both(frame, "leads", "conversions")
    conversion = (Decimal(int(pair["conversions"].sum())) * 100 / int(pair["leads"].sum())).quantize(CENT)

    assert kpi_value(organization=org, kpi="cpc", on=today) == cpc
    # The ad cabinets' own conversions stay available as platform KPIs; leads, CPL, conversion,
    # revenue and ROMI read the CRM, which has no records here: no data, not the cabinet's figures.
    assert conversion is not None
    assert kpi_value(organization=org, kpi="platform_leads", on=today) == int(frame["leads"].dropna().sum())
    assert kpi_value(organization=org, kpi="platform_sales", on=today) == int(frame["conversions"].dropna().sum())
    assert kpi_value(organization=org, kpi="ad_revenue", on=today) == Decimal(frame["revenue"].dropna().sum()).quantize(
        CENT
    )
    for crm_kpi in ("leads", "cpl", "conversion", "revenue", "romi"):
        assert kpi_value(organization=org, kpi=crm_kpi, on=today) is None, crm_kpi

    # The cabinet's own CPL and ROI (from its conversions) still follow the both-parts rule where
    # they are computed (reports read ``campaign_performance_list``).
    (got,) = campaign_performance_list(organization=org, start=kpi_window(today)[0], end=today)
    campaign_ratios_attach([got])
    assert (got.cpc, got.cpl, got.roi) == (cpc, cpl, roi)
    assert got.spend_total == Decimal(frame["spend"].dropna().sum())
    # The ads page judges by the CRM: no CRM records here, so CPL (CRM) and ROMI are "no data".
    response = owner_web.get(f"/o/{org.slug}/ads/")
    (row,) = response.context["rows"]
    assert (row["figures"]["cpl"], row["figures"]["romi"]) == ("—", "—")


def test_a_campaign_that_reports_no_spend_shows_dashes(owner_web, org):
    today = org.today()
    c = campaign(org, external_id="c1")
    AdStatDailyFactory(campaign=c, day=today)  # nothing reported

    response = owner_web.get(f"/o/{org.slug}/ads/")

    html = response.content.decode()
    for column in ("spend", "clicks", "ctr", "cpc", "leads", "cpl", "romi"):
        assert f'<td data-col="{column}">—</td>' in html, column
    assert kpi_value(organization=org, kpi="cpc", on=today) is None
    assert kpi_value(organization=org, kpi="romi", on=today) is None


def test_engagement_rate_ignores_days_without_any_interaction_figure(org):
    """A day with reach but no interaction figure at all used to count as 0 interactions."""
    today = org.today()
    account = campaign(org).account
    days = [
        {"reach": 1000, "interactions": 50, "likes": None},
        {"reach": 3000, "interactions": None, "likes": None},  # interactions not reported
        {"reach": 500, "interactions": None, "likes": 20},
    ]
    for i, values in enumerate(days):
        AccountMetricDailyFactory(account=account, day=today - dt.timedelta(days=i), **values)
    frame = pd.DataFrame(days)
    frame["engaged"] = frame["interactions"].fillna(frame["likes"])
    reported = frame[frame["engaged"].notna()]
    expected = (Decimal(int(reported["engaged"].sum())) * 100 / int(reported["reach"].sum())).quantize(CENT)

    assert kpi_value(organization=org, kpi="er", on=today) == expected == Decimal("4.67")
