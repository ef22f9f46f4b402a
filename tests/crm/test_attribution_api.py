"""GET attribution/: every grouping against an independent pandas computation on generated rows,
bad parameters, scopes, tenancy and a constant query count."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ads.models import AdStatDaily
from core.vocabulary import network_of
from crm.models import Lead, Sale
from crm.services import upsert_leads, upsert_sales
from links.services import link_for
from links.utm import slug_of
from tests.ads.factories import AdStatDailyFactory
from tests.links.conftest import make_campaign, make_post
from tests.strategy.factories import BusinessProfileFactory

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
SITE = "https://zerno.example/"


def url(org, query=""):
    return f"/api/v1/orgs/{org.slug}/attribution/{query}"


def generate(org, *, leads=120, seed=1, prefix=""):
    """Posts, campaigns, links, ad stats, leads and sales, some outside the period, some unattributed."""
    rng = random.Random(seed)
    posts = [
        make_post(org, goal_title=f"Цель {i}", title=f"Пост {prefix}{i}", platform=p)
        for i, p in enumerate(("vk", "telegram"))
    ]
    campaigns = [
        make_campaign(org, platform=platform, name=f"Кампания {prefix}{i}", external_id=f"c-{prefix}{i}")
        for i, platform in enumerate(("vk_ads", "meta_ads", "vk_ads"))
    ]
    codes = [link_for(organization=org, post=p, target_url=SITE).code for p in posts]
    codes += [link_for(organization=org, campaign=c, target_url=SITE).code for c in campaigns]
    for campaign in campaigns:
        for day in range(-3, 34):
            spend = None if rng.random() < 0.2 else Decimal(rng.randrange(0, 500000)) / 100
            AdStatDailyFactory(campaign=campaign, day=START + dt.timedelta(days=day), spend=spend)
    tag_choices = [
        *({"utm_content": code} for code in codes),
        {"utm_campaign": slug_of(campaigns[0].name), "utm_source": "vk"},
        {"utm_campaign": slug_of("Цель 1")},
        {"utm_source": "instagram"},
        {"utm_content": "unknown1"},
        {},
    ]
    items = []
    for i in range(leads):
        created = dt.datetime.combine(START, dt.time(), tzinfo=dt.UTC) + dt.timedelta(hours=rng.randint(-48, 33 * 24))
        items.append({"external_id": f"{prefix}L{i}", "created": created.isoformat(), **rng.choice(tag_choices)})
    upsert_leads(organization=org, items=items)
    sales = []
    for i in range(leads // 2):
        sold = dt.datetime.combine(START, dt.time(), tzinfo=dt.UTC) + dt.timedelta(hours=rng.randint(-30, 32 * 24))
        sale = {
            "external_id": f"{prefix}S{i}",
            "amount": str(Decimal(rng.randrange(100, 5000000)) / 100),
            "currency": "RUB",
            "sold_at": sold.isoformat(),
            "refunded": rng.random() < 0.15,
        }
        if rng.random() < 0.85:
            sale["lead_external_id"] = f"{prefix}L{rng.randrange(leads)}"
        sales.append(sale)
    upsert_sales(organization=org, items=sales)


def half_up(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected(org, by, margin):
    """The report computed with pandas from the stored rows."""
    tz = org.tzinfo
    key_field = {"post": "post_id", "campaign": "campaign_id", "platform": "attributed_platform", "goal": "goal_id"}[by]
    leads = pd.DataFrame(list(Lead.objects.for_organization(org).values("id", "created", key_field)))
    leads["key"] = leads[key_field].map(
        lambda v: "" if v is None or v == "" or pd.isna(v) else str(int(v)) if by != "platform" else v
    )
    leads["day"] = pd.to_datetime(leads["created"], utc=True).dt.tz_convert(tz).dt.date
    in_period = leads[(leads["day"] >= START) & (leads["day"] <= END)]
    lead_counts = in_period.groupby("key").size()

    sales = pd.DataFrame(list(Sale.objects.for_organization(org).values("amount", "sold_at", "refunded", "lead_id")))
    sales = sales.merge(leads[["id", "key"]], how="left", left_on="lead_id", right_on="id")
    sales["key"] = sales["key"].fillna("")
    sales["day"] = pd.to_datetime(sales["sold_at"], utc=True).dt.tz_convert(tz).dt.date
    sales = sales[(sales["day"] >= START) & (sales["day"] <= END) & ~sales["refunded"]]
    sale_counts = sales.groupby("key").size()
    revenue = sales.groupby("key")["amount"].apply(lambda s: sum(s, Decimal(0)))

    stats = pd.DataFrame(
        list(AdStatDaily.objects.for_organization(org).values("campaign_id", "day", "spend", "account__platform"))
    )
    stats = stats[(stats["day"] >= START) & (stats["day"] <= END) & stats["spend"].notna()]
    if by == "campaign":
        stats["key"] = stats["campaign_id"].astype(str)
    else:
        stats["key"] = stats["account__platform"].map(network_of)
    spend = stats.groupby("key")["spend"].apply(lambda s: sum(s, Decimal(0))) if by in ("campaign", "platform") else {}

    rows = {}
    for key in set(lead_counts.index) | set(sale_counts.index) | set(spend.keys()):
        n, r, s = int(lead_counts.get(key, 0)), revenue.get(key, Decimal(0)), spend.get(key) if key else None
        rows[key or "unattributed"] = {
            "leads": n,
            "sales": int(sale_counts.get(key, 0)),
            "revenue": str(half_up(r)),
            "spend": None if s is None else str(half_up(s)),
            "cpl": None if s is None or n == 0 else str(half_up(s / n)),
            "romi": None if s is None or not s or margin is None else str(half_up((r * margin / 100 - s) / s * 100)),
        }
    rows.setdefault(
        "unattributed", {"leads": 0, "sales": 0, "revenue": "0.00", "spend": None, "cpl": None, "romi": None}
    )
    return rows


@pytest.mark.parametrize("by", ["post", "campaign", "platform", "goal"])
@pytest.mark.parametrize("margin", [Decimal("42.50"), None])
def test_every_grouping_matches_an_independent_computation(token_client, org, by, margin):
    BusinessProfileFactory(organization=org, gross_margin_percent=margin)
    generate(org)
    response = token_client.get(url(org, f"?start={START}&end={END}&by={by}"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["start"], body["end"], body["by"], body["currency"]) == (str(START), str(END), by, org.currency)
    got = {
        row["key"]: {k: row[k] for k in ("leads", "sales", "revenue", "spend", "cpl", "romi")} for row in body["rows"]
    }
    assert got == expected(org, by, margin)
    assert body["rows"][-1]["unattributed"] is True
    assert [row["key"] for row in body["rows"]].count("unattributed") == 1
    if by in ("post", "goal"):
        assert all(row["spend"] is None and row["romi"] is None for row in body["rows"])


def test_an_empty_period_has_only_the_unattributed_row(token_client, org):
    response = token_client.get(url(org, "?start=2026-01-01&end=2026-01-31&by=campaign"))
    assert response.status_code == 200
    assert response.json()["rows"] == [
        {
            "key": "unattributed",
            "label": "Not attributed to a campaign",
            "unattributed": True,
            "leads": 0,
            "sales": 0,
            "revenue": "0.00",
            "spend": None,
            "cpl": None,
            "romi": None,
        }
    ]
    assert response.json()["gross_margin_percent"] is None


def test_zero_spend_gives_a_zero_cpl_and_no_romi(token_client, org):
    BusinessProfileFactory(organization=org, gross_margin_percent=Decimal(50))
    campaign = make_campaign(org)
    AdStatDailyFactory(campaign=campaign, day=START, spend=Decimal(0))
    link = link_for(organization=org, campaign=campaign, target_url=SITE)
    upsert_leads(
        organization=org, items=[{"external_id": "A", "created": "2026-03-02T10:00:00Z", "link_code": link.code}]
    )
    (row, _unattributed) = token_client.get(url(org, f"?start={START}&end={END}&by=campaign")).json()["rows"]
    assert (row["leads"], row["spend"], row["cpl"], row["romi"]) == (1, "0.00", "0.00", None)


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", {"start", "end"}),
        ("?start=2026-03-01", {"end"}),
        ("?start=2026-13-01&end=2026-03-31", {"start"}),
        ("?start=2026-03-31&end=2026-03-01", {"end"}),
        ("?start=1999-12-31&end=2026-03-01", {"start"}),
        ("?start=2026-03-01&end=2100-01-01", {"end"}),
        ("?start=2020-01-01&end=2026-03-01", {"end"}),
        ("?start=2026-03-01&end=2026-03-31&by=pillar", {"by"}),
    ],
)
def test_bad_parameters_are_400_with_field_messages(token_client, org, query, fields):
    response = token_client.get(url(org, query))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields


def test_a_read_token_reads_and_others_are_refused(read_client, org, other_org, api_client, token_client):
    query = f"?start={START}&end={END}&by=platform"
    assert read_client.get(url(org, query)).status_code == 200
    assert token_client.get(url(other_org, query)).status_code == 404
    assert api_client.get(url(org, query)).status_code == 401
    assert read_client.post(url(org, query), {}, format="json").status_code in (403, 405)


@pytest.mark.parametrize("by", ["post", "campaign", "platform", "goal"])
def test_the_query_count_does_not_grow_with_the_data(token_client, org, by):
    BusinessProfileFactory(organization=org, gross_margin_percent=Decimal(30))
    query = url(org, f"?start={START}&end={END}&by={by}")
    token_client.get(query)  # the token's first use is recorded once
    counts = []
    for leads, prefix in ((10, "A"), (600, "B")):
        generate(org, leads=leads, seed=len(prefix), prefix=prefix)
        with CaptureQueriesContext(connection) as queries:
            response = token_client.get(query)
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.json()["rows"]) > 3
    assert counts[0] == counts[1]


def test_sums_past_any_single_amount_are_answered(token_client, org):
    sales = [
        {"external_id": f"S{i}", "amount": "999999999999.99", "currency": "RUB", "sold_at": "2026-03-02T10:00:00Z"}
        for i in range(200)
    ]
    upsert_sales(organization=org, items=sales)
    response = token_client.get(url(org, f"?start={START}&end={END}&by=post"))
    assert response.status_code == 200
    assert response.json()["rows"][-1]["revenue"] == "199999999999998.00"
