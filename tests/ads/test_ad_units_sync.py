"""Ad sets, creatives and their daily rows synced from Meta Ads and VK Ads through the sync steps,
against recorded-format responses served over real HTTP: idempotent (two syncs = one copy)."""

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from ads.models import AdCampaign, AdCreative, AdCreativeStatDaily, AdSet, AdSetStatDaily, AdStatDaily
from ads.services import lead_code
from integrations.connectors.meta_ads import MetaAdsConnector
from integrations.connectors.vk_ads import VKAdsConnector
from integrations.sync import account_sync
from tests.integrations.factories import SocialAccountFactory
from tests.paths import PLATFORM_FIXTURES

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
ACT = "/v25.0/act_1029384756102938"


def load(name):
    return json.loads((PLATFORM_FIXTURES / name).read_text())


def serve(httpserver, routes):
    def handler(request: Request) -> Response:
        params = {**request.args.to_dict(), **{k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}}
        for predicate, name in routes:
            if predicate(request, params):
                return Response((PLATFORM_FIXTURES / name).read_bytes(), status=200, content_type="application/json")
        return Response(b'{"unmatched": true}', status=599)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)


def meta_routes():
    def insights(level, after):
        return lambda r, p: r.path == f"{ACT}/insights" and p.get("level") == level and ("after" in p) == after

    return [
        (lambda r, p: r.path == f"{ACT}/campaigns" and "after" not in p, "meta_ads/act.campaigns.json"),
        (lambda r, p: r.path == f"{ACT}/campaigns" and "after" in p, "meta_ads/act.campaigns.page2.json"),
        (lambda r, p: r.path == f"{ACT}/adsets" and "after" not in p, "meta_ads/act.adsets.json"),
        (lambda r, p: r.path == f"{ACT}/adsets" and "after" in p, "meta_ads/act.adsets.page2.json"),
        (lambda r, p: r.path == f"{ACT}/ads", "meta_ads/act.ads.json"),
        (insights("campaign", False), "meta_ads/act.insights.json"),
        (insights("campaign", True), "meta_ads/act.insights.page2.json"),
        (insights("adset", False), "meta_ads/act.insights.adset.json"),
        (insights("adset", True), "meta_ads/act.insights.adset.page2.json"),
        (insights("ad", False), "meta_ads/act.insights.ad.json"),
    ]


def counts(org):
    return [
        m.objects.filter(organization=org).count()
        for m in (AdCampaign, AdSet, AdCreative, AdStatDaily, AdSetStatDaily, AdCreativeStatDaily)
    ]


def test_meta_sync_stores_ad_sets_creatives_and_their_days_once(org, other_org, httpserver):
    serve(httpserver, meta_routes())
    account = SocialAccountFactory(organization=org, platform="meta_ads", external_id="act_1029384756102938")
    # The same ad account connected by another organization: its rows stay its own.
    other = SocialAccountFactory(organization=other_org, platform="meta_ads", external_id="act_1029384756102938")

    def sync(acc):
        connector = MetaAdsConnector(
            "EAAG-fixture-ads-token-0002", "act_1029384756102938", base_url=httpserver.url_for("/"), currency="USD"
        )
        account_sync(account_id=acc.pk, plan="daily", kinds=["campaigns", "ad_stats"], days=4, connector=connector)

    sync(account)
    first = counts(org)
    sync(account)
    sync(other)

    assert counts(org) == first == counts(other_org)
    assert first[1:3] == [2, 2]  # two ad sets, two ads
    ad_set = AdSet.objects.get(organization=org, external_id="120210987654322101")
    assert (ad_set.age_min, ad_set.age_max, ad_set.gender) == (25, 45, "female")
    assert ad_set.geo == ["KZ", "Almaty"]
    assert ad_set.interests == ["Coffee", "Breakfast"]
    assert ad_set.custom_audiences == ["CRM: покупатели 2026"]
    assert ad_set.raw_spec == load("meta_ads/act.adsets.json")["data"][0]["targeting"]
    assert ad_set.campaign.external_id == "120210987654321001"
    assert ad_set.daily_budget == Decimal("15.00")
    creative = AdCreative.objects.get(organization=org, external_id="120210987654323201")
    assert creative.ad_set_id == ad_set.pk
    assert creative.utm["utm_content"] == "Ad8amPh"
    assert creative.lead_code == "Ad8amPh"
    assert (creative.cta, creative.destination_url) == ("LEARN_MORE", "https://zerno.example/menu")
    # Every recorded row landed, to the cent.
    set_rows = load("meta_ads/act.insights.adset.json")["data"] + load("meta_ads/act.insights.adset.page2.json")["data"]
    ad_rows = load("meta_ads/act.insights.ad.json")["data"]
    stored_sets = AdSetStatDaily.objects.filter(organization=org)
    stored_ads = AdCreativeStatDaily.objects.filter(organization=org)
    assert stored_sets.count() == len(set_rows)
    assert stored_ads.count() == len(ad_rows)
    assert sum(s.spend for s in stored_sets) == sum(Decimal(r["spend"]) for r in set_rows)
    assert sum(s.reach for s in stored_sets) == sum(int(r["reach"]) for r in set_rows)
    assert sum(s.spend for s in stored_ads) == sum(Decimal(r["spend"]) for r in ad_rows)
    assert {s.creative.external_id: s.leads for s in stored_ads} == {"120210987654323201": 5, "120210987654323202": 2}
    assert all(s.campaign_id == ad_set.campaign_id for s in stored_ads)
    # Campaign totals are untouched by the new levels.
    assert AdStatDaily.objects.filter(organization=org).count() == first[3]


def test_vk_sync_maps_each_ad_to_an_ad_set_and_a_creative(org, httpserver):
    routes = [
        (lambda r, p: r.path == "/method/ads.getCampaigns", "vk/ads.getCampaigns.json"),
        (lambda r, p: r.path == "/method/ads.getAds", "vk/ads.getAds.json"),
        (lambda r, p: r.path == "/method/ads.getAdsTargeting", "vk/ads.getAdsTargeting.json"),
        (lambda r, p: r.path == "/method/ads.getAdsLayout", "vk/ads.getAdsLayout.json"),
        (
            lambda r, p: r.path == "/method/ads.getStatistics" and p.get("ids_type") == "ad",
            "vk/ads.getStatistics.ad.json",
        ),
        (lambda r, p: r.path == "/method/ads.getStatistics", "vk/ads.getStatistics.json"),
    ]
    serve(httpserver, routes)
    account = SocialAccountFactory(organization=org, platform="vk_ads", external_id="1900012345")
    for _ in range(2):
        connector = VKAdsConnector(
            "vk1.a.fixture", "1900012345", base_url=httpserver.url_for("/method"), clock=lambda: NOW
        )
        account_sync(account_id=account.pk, plan="daily", kinds=["campaigns", "ad_stats"], days=4, connector=connector)

    assert counts(org)[1:3] == [2, 2]
    ad_set = AdSet.objects.get(organization=org, external_id="51770911")
    assert (ad_set.gender, ad_set.age_min, ad_set.custom_audiences) == ("female", 25, ["7712301"])
    creative = AdCreative.objects.get(organization=org, external_id="51770911")
    assert creative.ad_set_id == ad_set.pk
    assert creative.lead_code == "Vk51911"
    assert AdCreativeStatDaily.objects.filter(organization=org).count() == 3
    assert AdSetStatDaily.objects.filter(organization=org, ad_set=ad_set).count() == 2
    assert sum(s.spend for s in AdCreativeStatDaily.objects.filter(organization=org)) == Decimal("2412.37")
    assert all(s.leads is None for s in AdSetStatDaily.objects.filter(organization=org))


def test_lead_code_prefers_the_tracked_link_code():
    assert lead_code("https://sm.example/l/Ab12Cd", {"utm_content": "x"}) == "Ab12Cd"
    assert lead_code("https://zerno.example/menu?utm_medium=cpc", {"utm_content": "x"}) == "x"
    assert lead_code("", {}) == ""
