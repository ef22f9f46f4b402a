"""The ads page: campaign figures against an independent computation, launch gate in the UI, tenancy."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from ads.models import AdStatDaily, CampaignStatus
from analytics.kpi_values import kpi_value
from core.formatting import format_number
from tenancy.roles import Role

from .test_campaigns import approve_strategy, campaign

pytestmark = pytest.mark.django_db


def _stats(org, c, days):
    rows = [
        AdStatDaily(
            organization=org,
            account=c.account,
            campaign=c,
            day=day,
            spend=Decimal("100.50") + i,
            impressions=1000 + i,
            clicks=20 + i % 5,
            leads=None if i % 4 == 1 else i % 3,  # some days report no leads / no revenue
            revenue=None if i % 5 == 2 else Decimal("150.00") * (i % 2),
            currency="RUB",
        )
        for i, day in enumerate(days)
    ]
    AdStatDaily.objects.bulk_create(rows)
    return rows


def test_campaign_figures_match_raw_rows(owner_web, org, other_org, django_assert_max_num_queries):
    today = org.today()
    c1 = campaign(org, external_id="c1")
    c2 = campaign(org, external_id="c2", status=CampaignStatus.ACTIVE)
    raw = _stats(org, c1, [today - dt.timedelta(days=i) for i in range(45)])  # 15 days fall outside
    foreign = campaign(other_org, external_id="c1")
    _stats(other_org, foreign, [today])

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = owner_web.get(f"/o/{org.slug}/ads/")
    assert response.status_code == 200
    rows = {row["campaign"].pk: row["figures"] for row in response.context["rows"]}
    assert set(rows) == {c1.pk, c2.pk}

    frame = pd.DataFrame([vars(r) for r in raw])
    frame = frame[frame["day"] > today - dt.timedelta(days=30)]
    spend, clicks, impressions = frame["spend"].sum(), int(frame["clicks"].sum()), int(frame["impressions"].sum())
    got = rows[c1.pk]
    cent = Decimal("0.01")
    assert got["ad_spend"] == format_number(spend, unit="money", currency="RUB")
    assert got["clicks"] == format_number(clicks, unit="count")
    assert got["cpc"] == format_number((Decimal(spend) / clicks).quantize(cent), unit="money", currency="RUB")
    assert got["ctr"] == format_number((Decimal(clicks) * 100 / impressions).quantize(cent), unit="percent")
    # The same rule as the organization KPIs (only c1 has stats in this organization).
    assert kpi_value(organization=org, kpi="cpc", on=today) == (Decimal(spend) / clicks).quantize(cent)
    assert rows[c2.pk]["ad_spend"] == "—"
    assert rows[c2.pk]["cpl"] == "—"


PAGE_QUERIES = 22


def test_ads_page_query_count_does_not_grow_with_campaigns(owner_web, org, django_assert_max_num_queries):
    today = org.today()
    for n in range(12):
        c = campaign(org, external_id=f"many{n}")
        _stats(org, c, [today - dt.timedelta(days=i) for i in range(3)])
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = owner_web.get(f"/o/{org.slug}/ads/")
    assert len(response.context["rows"]) == 12


def test_launch_in_the_ui_obeys_the_strategy_gate(owner_web, org):
    c = campaign(org)
    response = owner_web.post(f"/o/{org.slug}/ads/campaigns/{c.pk}/launch/", follow=True)
    assert "no approved strategy" in response.content.decode()
    c.refresh_from_db()
    assert c.status == CampaignStatus.PAUSED

    approve_strategy(org)
    owner_web.post(f"/o/{org.slug}/ads/campaigns/{c.pk}/launch/")
    c.refresh_from_db()
    assert c.status == CampaignStatus.ACTIVE
    owner_web.post(f"/o/{org.slug}/ads/campaigns/{c.pk}/pause/")
    c.refresh_from_db()
    assert c.status == CampaignStatus.PAUSED


def test_client_cannot_launch_and_other_orgs_campaign_is_404(client, owner_web, org, other_org, make_member):
    approve_strategy(org)
    mine = campaign(org)
    foreign = campaign(other_org)
    assert owner_web.post(f"/o/{org.slug}/ads/campaigns/{foreign.pk}/launch/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == CampaignStatus.PAUSED  # a foreign id is a 404, like a missing one; nothing changes
    assert owner_web.get(f"/o/{other_org.slug}/ads/").status_code == 404

    viewer = make_member(org, Role.CLIENT)
    client.force_login(viewer.user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/o/{org.slug}/ads/campaigns/{mine.pk}/launch/").status_code == 403
    mine.refresh_from_db()
    assert mine.status == CampaignStatus.PAUSED
    html = client.get(f"/o/{org.slug}/ads/").content.decode()
    assert "/launch/" not in html


def test_empty_state(owner_web, org):
    response = owner_web.get(f"/o/{org.slug}/ads/")
    assert "No campaigns yet" in response.content.decode()
