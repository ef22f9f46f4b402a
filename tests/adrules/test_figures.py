"""Campaign figures equal the KPI engine's, the KPI API's and an independent pandas computation;
pacing; the pages and their query counts."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from adrules.figures import campaign_scorecards
from ads.models import AdBudget, CampaignPlan
from ads.selectors import organization_pacing, pacing_for
from analytics.kpi_engine import kpi_rows
from tests.strategy.factories import BusinessProfileFactory

from .support import campaign, leads, stat

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def _setup(org):
    BusinessProfileFactory(organization=org, gross_margin_percent=Decimal("60"))
    today = org.today()
    a, b = campaign(org, target_cpl="500"), campaign(org)
    raw = []
    for i in range(20):
        day = today - dt.timedelta(days=i)
        for c, k in ((a, 1), (b, 2)):
            values = {
                "spend": Decimal("120.40") * k + i,
                "impressions": 3000 + 17 * i * k,
                "clicks": None if i % 7 == 3 else 30 + i % 4,
                "reach": 2000 + i,
                "leads": i % 3,
            }
            stat(c, day, **values)
            raw.append({"campaign": c.pk, "day": day, **values})
        leads(a, day, i % 2, sale="1000")
        leads(b, day, 1 if i % 5 == 0 else 0, sale="300")
    return a, b, pd.DataFrame(raw)


def test_scorecards_equal_the_kpi_engine_the_api_and_pandas(org, owner_client):
    a, b, frame = _setup(org)
    end = org.today()
    start = end - dt.timedelta(days=9)
    cards = campaign_scorecards(organization=org, start=start, end=end, campaign_ids=[a.pk, b.pk])
    engine = {
        row.group: row.values
        for row in kpi_rows(
            organization=org,
            kpis=["ad_spend", "cpc", "leads", "sales", "revenue", "cpl", "romi"],
            start=start,
            end=end,
            group_by="campaign",
        )
    }
    api = owner_client.get(
        f"/api/v1/orgs/{org.slug}/kpis/",
        {"kpis": "ad_spend,cpc,leads,sales,revenue,cpl,romi", "start": start, "end": end, "group_by": "campaign"},
    ).json()
    api_rows = {row["group"]: row["values"] for row in api["rows"]}
    window = frame[(frame["day"] >= start) & (frame["day"] <= end)]
    for c in (a, b):
        card = cards[c.pk]
        for key in ("ad_spend", "cpc", "leads", "sales", "revenue", "cpl", "romi"):
            assert card.value(key) == engine[c.pk][key].value, key
            shown = api_rows[c.pk][key]["value"]
            assert (Decimal(str(shown)) if shown is not None else None) == card.value(key), key
        rows = window[window["campaign"] == c.pk]
        both = rows[rows["clicks"].notna()]
        assert card.value("ad_spend") == Decimal(rows["spend"].sum())
        assert card.value("impressions") == int(rows["impressions"].sum())
        assert card.value("clicks") == int(both["clicks"].sum())
        ctr_clicks, ctr_impressions = int(both["clicks"].sum()), int(both["impressions"].sum())
        assert card.value("ctr") == (Decimal(ctr_clicks) * 100 / ctr_impressions).quantize(CENT)
        assert card.value("cpm") == (Decimal(rows["spend"].sum()) * 1000 / int(rows["impressions"].sum())).quantize(
            CENT
        )
        assert card.value("platform_leads") == int(rows["leads"].sum())
        assert card.values["ad_spend"].unit == "money"
        assert card.values["ctr"].unit == "percent"


def test_campaign_figures_api_matches_the_scorecard(org, owner_client):
    a, _b, _frame = _setup(org)
    end = org.today()
    start = end - dt.timedelta(days=9)
    body = owner_client.get(
        f"/api/v1/orgs/{org.slug}/ads/campaigns/{a.pk}/figures/", {"start": start, "end": end}
    ).json()
    card = campaign_scorecards(organization=org, start=start, end=end, campaign_ids=[a.pk])[a.pk]
    assert {k: (Decimal(v["value"]) if v["value"] is not None else None) for k, v in body["figures"].items()} == {
        k: v.value for k, v in card.ordered()
    }
    assert body["currency"] == org.currency
    bad = owner_client.get(f"/api/v1/orgs/{org.slug}/ads/campaigns/{a.pk}/figures/", {"start": end, "end": start})
    assert bad.status_code == 400
    assert "end" in bad.json()["error"]["fields"]


def test_target_warnings_on_the_page(org, owner_web):
    a, _b, _frame = _setup(org)
    CampaignPlan.objects.filter(campaign=a).update(target_cpl=Decimal("1"), target_romi=Decimal("9000"))
    html = owner_web.get(f"/o/{org.slug}/ads/").content.decode()
    assert "is above the target" in html
    assert "is below the target" in html


@pytest.mark.parametrize(
    ("spent", "state"),
    [("1000", "on"), ("1100", "on"), ("1101", "over"), ("899", "under"), ("900", "on")],
)
def test_pacing_states_at_the_edges(spent, state):
    # Day 10 of a 30-day month, budget 3,000: the plan to date is 1,000; ±10 % of the projection is on pace.
    p = pacing_for(budget=Decimal("3000"), spent=Decimal(spent), today=dt.date(2026, 6, 10))
    assert p.planned_to_date == Decimal("1000.00")
    assert p.projected == (Decimal(spent) * 3).quantize(CENT)
    assert p.state == state


def test_organization_pacing_reads_this_month(org):
    _a, _b, frame = _setup(org)
    today = org.today()
    AdBudget.objects.create(organization=org, month=today.replace(day=1), amount=Decimal("50000"))
    p = organization_pacing(organization=org, today=today)
    month = frame[frame["day"] >= today.replace(day=1)]
    assert p.spent == Decimal(month["spend"].sum()).quantize(CENT)
    assert p.budget == Decimal("50000")


def test_detail_page_and_its_query_count(org, owner_web, django_assert_max_num_queries):
    a, _b, _frame = _setup(org)
    with django_assert_max_num_queries(24):
        response = owner_web.get(f"/o/{org.slug}/ads/campaigns/{a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="cpl"' in html
    assert "campaign-data" in html
    bad = owner_web.get(f"/o/{org.slug}/ads/campaigns/{a.pk}/", {"start": "2026-13-01"})
    assert bad.status_code == 200


def test_plan_and_budget_from_the_page(org, owner_web):
    from .support import approve_strategy

    approve_strategy(org)
    a, _b, _frame = _setup(org)
    owner_web.post(
        f"/o/{org.slug}/ads/campaigns/{a.pk}/plan/",
        {"target_cpl": "750", "target_romi": "", "monthly_budget": "30000", "goal": ""},
    )
    plan = CampaignPlan.objects.get(campaign=a)
    assert (plan.target_cpl, plan.monthly_budget) == (Decimal("750.00"), Decimal("30000.00"))
    owner_web.post(f"/o/{org.slug}/ads/campaigns/{a.pk}/budget/", {"daily_budget": "1500"})
    a.refresh_from_db()
    assert a.daily_budget == Decimal("1500.00")
    response = owner_web.post(f"/o/{org.slug}/ads/campaigns/{a.pk}/budget/", {"daily_budget": "abc"}, follow=True)
    assert "Enter the daily budget as a number." in response.content.decode()
    owner_web.post(f"/o/{org.slug}/ads/budget/", {"amount": "-1"})
    assert not AdBudget.objects.filter(organization=org).exists()
    owner_web.post(f"/o/{org.slug}/ads/budget/", {"amount": "45000"})
    assert AdBudget.objects.get(organization=org).amount == Decimal("45000.00")
