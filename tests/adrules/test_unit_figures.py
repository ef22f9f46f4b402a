"""Figures per ad set and per creative: the KPI engine split below the campaign (ad rows, CRM leads
through the creative's code) against pandas over the raw rows, the KPI API and the figures API;
the campaign page's daily CRM-leads line from the engine's campaign filter; constant query counts
and cross-tenant 404s on the new routes."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from adrules.figures import campaign_daily_series, unit_scorecards
from ads.models import AdCreative, AdCreativeStatDaily, AdSet, AdSetStatDaily
from crm.models import Lead, Sale
from tests.strategy.factories import BusinessProfileFactory

from .support import campaign, leads, stat

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
KPIS = ("ad_spend", "cpc", "platform_leads", "leads", "sales", "revenue", "cpl", "romi")


def _dec(value):
    return None if value is None else Decimal(str(value))


def build(org, *, sets=2, creatives_per_set=2, days=12, tag=""):
    """A campaign with ad sets and creatives, their daily rows and CRM leads carrying the
    creatives' codes (link_code or utm_content); a decoy campaign shares one code."""
    if not tag:
        BusinessProfileFactory(organization=org, gross_margin_percent=Decimal("50"))
    c, decoy = campaign(org), campaign(org)
    today = org.today()
    set_rows, ad_rows, lead_rows = [], [], []
    decoy_set = AdSet.objects.create(organization=org, campaign=decoy, external_id="d1", name="Decoy")
    AdCreative.objects.create(
        organization=org, ad_set=decoy_set, external_id="d1", name="Decoy", lead_code=f"{tag}code-0-0"
    )
    for s in range(sets):
        ad_set = AdSet.objects.create(organization=org, campaign=c, external_id=f"s{s}", name=f"Set {s}")
        for k in range(creatives_per_set):
            code = f"{tag}code-{s}-{k}"
            creative = AdCreative.objects.create(
                organization=org, ad_set=ad_set, external_id=f"a{s}{k}", name=f"Ad {s}.{k}", lead_code=code
            )
            for i in range(days):
                day = today - dt.timedelta(days=i)
                values = {
                    "spend": Decimal("40.10") + s * 7 + k * 3 + i,
                    "impressions": 1500 + 13 * i + 100 * k,
                    "clicks": None if (i + k) % 5 == 2 else 15 + (i + s) % 6,
                    "reach": 900 + i,
                    "leads": (i + k) % 3,
                }
                AdCreativeStatDaily.objects.create(
                    organization=org, account=c.account, campaign=c, ad_set=ad_set, creative=creative, day=day, **values
                )
                ad_rows.append({"unit": creative.pk, "day": day, **values})
                # CRM: every other day one lead by link code, every third one by utm_content (sold).
                at = dt.datetime.combine(day, dt.time(10), tzinfo=org.tzinfo)
                if i % 2 == 0:
                    Lead.objects.create(
                        organization=org, external_id=f"L{code}{i}", campaign=c, link_code=code, created=at
                    )
                    lead_rows.append({"creative": creative.pk, "ad_set": ad_set.pk, "day": day, "sale": None})
                if i % 3 == 0:
                    lead = Lead.objects.create(
                        organization=org, external_id=f"U{code}{i}", campaign=c, utm_content=code, created=at
                    )
                    Sale.objects.create(
                        organization=org, external_id=f"S{lead.pk}", lead=lead, amount=Decimal("700"),
                        currency=org.currency, sold_at=at,
                    )  # fmt: skip
                    lead_rows.append({"creative": creative.pk, "ad_set": ad_set.pk, "day": day, "sale": Decimal(700)})
        for i in range(days):
            day = today - dt.timedelta(days=i)
            values = {
                "spend": Decimal("90.00") + s + i,
                "impressions": 3100 + i,
                "clicks": 40 + i % 3,
                "reach": 2000 + s,
            }
            AdSetStatDaily.objects.create(
                organization=org, account=c.account, campaign=c, ad_set=ad_set, day=day, leads=i % 4, **values
            )
            set_rows.append({"unit": ad_set.pk, "day": day, "leads": i % 4, **values})
    # Noise that must not count: a lead of the campaign with no matching code, the decoy's lead
    # with a shared code, and campaign-level rows.
    at = dt.datetime.combine(today, dt.time(9), tzinfo=org.tzinfo)
    Lead.objects.create(organization=org, external_id=f"{tag}nomatch", campaign=c, link_code="other", created=at)
    Lead.objects.create(
        organization=org, external_id=f"{tag}decoy", campaign=decoy, link_code=f"{tag}code-0-0", created=at
    )
    stat(c, today, spend=Decimal("9999"), impressions=1, clicks=1, leads=1)
    return c, pd.DataFrame(set_rows), pd.DataFrame(ad_rows), pd.DataFrame(lead_rows)


def expected(rows, crm, unit_key, unit, start, end):
    rows = rows[(rows["unit"] == unit) & (rows["day"] >= start) & (rows["day"] <= end)]
    crm = crm[(crm[unit_key] == unit) & (crm["day"] >= start) & (crm["day"] <= end)]
    spend = Decimal(rows["spend"].sum())
    both = rows[rows["clicks"].notna()]
    leads_n, sales = len(crm), crm[crm["sale"].notna()]
    revenue = Decimal(sum(sales["sale"], Decimal(0)))
    return {
        "ad_spend": spend,
        "impressions": int(rows["impressions"].sum()),
        "clicks": int(both["clicks"].sum()),
        "ctr": (Decimal(int(both["clicks"].sum())) * 100 / int(both["impressions"].sum())).quantize(CENT),
        "cpc": (Decimal(both["spend"].sum()) / int(both["clicks"].sum())).quantize(CENT),
        "cpm": (spend * 1000 / int(rows["impressions"].sum())).quantize(CENT),
        "platform_leads": int(rows["leads"].sum()),
        "leads": leads_n,
        "sales": len(sales),
        "revenue": revenue,
        "cpl": (spend / leads_n).quantize(CENT) if leads_n else None,
        "romi": ((revenue * Decimal("0.5") - spend) * 100 / spend).quantize(CENT),
    }


@pytest.mark.parametrize(("level", "unit_key"), [("ad_set", "ad_set"), ("creative", "creative")])
def test_unit_figures_equal_pandas_the_kpi_api_and_the_figures_api(org, owner_client, level, unit_key):
    c, set_frame, ad_frame, crm = build(org)
    end = org.today()
    start = end - dt.timedelta(days=6)
    rows = set_frame if level == "ad_set" else ad_frame
    units = list(
        AdSet.objects.filter(campaign=c) if level == "ad_set" else AdCreative.objects.filter(ad_set__campaign=c)
    )
    cards = unit_scorecards(
        organization=org, start=start, end=end, campaign_id=c.pk, level=level, unit_ids=[u.pk for u in units]
    )
    api = owner_client.get(
        f"/api/v1/orgs/{org.slug}/kpis/",
        {"kpis": ",".join(KPIS), "start": start, "end": end, "group_by": level, "campaign": c.pk},
    ).json()
    api_rows = {row["group"]: row["values"] for row in api["rows"]}
    route = "ad-sets" if level == "ad_set" else "creatives"
    for unit in units:
        card = cards[unit.pk]
        want = expected(rows, crm, unit_key, unit.pk, start, end)
        for key, value in want.items():
            assert card.value(key) == value, (key, unit.name)
        for key in KPIS:
            assert _dec(api_rows[unit.pk][key]["value"]) == card.value(key), key
        body = owner_client.get(f"/api/v1/orgs/{org.slug}/ads/{route}/{unit.pk}/figures/", {"start": start, "end": end})
        assert body.status_code == 200
        figures = body.json()["unit"]["figures"]
        assert {k: _dec(v["value"]) for k, v in figures.items()} == {k: v.value for k, v in card.ordered()}
        assert figures["cpl"]["unit"] == "money"
        assert figures["ctr"]["unit"] == "percent"
        assert body.json()["currency"] == org.currency
    # Leads without a matching creative and the decoy campaign's lead are not any unit's.
    assert sum(cards[u.pk].value("leads") for u in units) == len(crm[(crm["day"] >= start) & (crm["day"] <= end)])


def test_campaign_figures_api_lists_ad_sets_and_creatives(org, owner_client):
    c, *_ = build(org, sets=1, creatives_per_set=2)
    end = org.today()
    body = owner_client.get(
        f"/api/v1/orgs/{org.slug}/ads/campaigns/{c.pk}/figures/", {"start": end - dt.timedelta(days=6), "end": end}
    ).json()
    assert [s["name"] for s in body["ad_sets"]] == ["Set 0"]
    assert [cr["name"] for cr in body["creatives"]] == ["Ad 0.0", "Ad 0.1"]
    assert all(cr["ad_set"] == body["ad_sets"][0]["id"] for cr in body["creatives"])
    assert body["creatives"][0]["figures"]["leads"]["value"] is not None


def test_daily_crm_leads_line_is_the_kpi_engines_campaign_split(org, owner_client):
    c = campaign(org)
    other = campaign(org)
    end = org.today()
    start = end - dt.timedelta(days=9)
    for i in range(10):
        day = end - dt.timedelta(days=i)
        leads(c, day, i % 3)
        leads(other, day, 2, prefix="O")
    # A lead created just before midnight in the organization's zone counts on that day.
    late = dt.datetime.combine(start, dt.time(23, 59), tzinfo=org.tzinfo)
    Lead.objects.create(organization=org, external_id="late", campaign=c, created=late)
    series = campaign_daily_series(organization=org, campaign_id=c.pk, start=start, end=end)
    api = owner_client.get(
        f"/api/v1/orgs/{org.slug}/kpis/",
        {"kpis": "leads", "start": start, "end": end, "group_by": "day", "campaign": c.pk},
    ).json()
    by_day = {row["group"]: row["values"]["leads"]["value"] for row in api["rows"]}
    assert [d["leads"] for d in series] == [int(_dec(by_day[d["day"].isoformat()])) for d in series]
    assert series[0]["leads"] == ((end - start).days % 3) + 1
    assert sum(d["leads"] for d in series) == sum(i % 3 for i in range(10)) + 1


def test_kpi_campaign_filter_nulls_what_cannot_be_split_by_campaign(org, owner_client, other_org):
    c = campaign(org)
    end = org.today()
    body = owner_client.get(
        f"/api/v1/orgs/{org.slug}/kpis/", {"kpis": "reach,leads", "start": end, "end": end, "campaign": c.pk}
    ).json()
    assert body["rows"][0]["values"]["reach"]["value"] is None
    foreign = campaign(other_org)
    assert (
        owner_client.get(
            f"/api/v1/orgs/{org.slug}/kpis/", {"kpis": "leads", "start": end, "end": end, "campaign": foreign.pk}
        ).status_code
        == 404
    )
    bad = owner_client.get(
        f"/api/v1/orgs/{org.slug}/kpis/", {"kpis": "leads", "start": end, "end": end, "campaign": "x"}
    )
    assert bad.status_code == 400


def test_campaign_page_shows_unit_figures_with_constant_queries(org, owner_web, django_assert_max_num_queries):
    small, *_ = build(org, sets=1, creatives_per_set=1, days=3)
    with django_assert_max_num_queries(40) as few:
        response = owner_web.get(f"/o/{org.slug}/ads/campaigns/{small.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-ad-set="' in html
    assert 'data-creative="' in html
    big, *_ = build(org, sets=6, creatives_per_set=4, days=3, tag="big-")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_web.get(f"/o/{org.slug}/ads/campaigns/{big.pk}/")
    assert response.content.decode().count("data-creative=") == 24


def test_unit_routes_are_tenant_scoped(org, other_org, owner_client):
    foreign, *_ = build(other_org, sets=1, creatives_per_set=1, days=1)
    ad_set = AdSet.objects.get(campaign=foreign)
    creative = AdCreative.objects.get(ad_set=ad_set)
    period = {"start": "2026-01-01", "end": "2026-01-31"}
    base = f"/api/v1/orgs/{org.slug}/ads"
    for url in (
        f"{base}/ad-sets/{ad_set.pk}/",
        f"{base}/ad-sets/{ad_set.pk}/figures/",
        f"{base}/creatives/{creative.pk}/",
        f"{base}/creatives/{creative.pk}/figures/",
    ):
        assert owner_client.get(url, period).status_code == 404, url
    assert owner_client.get(f"{base}/ad-sets/").json()["results"] == []
    assert owner_client.get(f"{base}/creatives/").json()["results"] == []


def test_unit_list_apis_keep_a_constant_query_count(org, owner_client, django_assert_max_num_queries):
    build(org, sets=1, creatives_per_set=1, days=1)
    base = f"/api/v1/orgs/{org.slug}/ads"
    few = {}
    for path in ("ad-sets/", "creatives/"):
        owner_client.get(f"{base}/{path}")  # warm-up: the first request of a client remembers the organization
        with django_assert_max_num_queries(20) as captured:
            assert owner_client.get(f"{base}/{path}").status_code == 200
        few[path] = len(captured.captured_queries)
    build(org, sets=6, creatives_per_set=4, days=1, tag="big-")
    for path, count in few.items():
        with django_assert_max_num_queries(count):
            response = owner_client.get(f"{base}/{path}")
        model = AdSet if path == "ad-sets/" else AdCreative
        assert response.json()["count"] == model.objects.filter(organization=org).count() > 6
