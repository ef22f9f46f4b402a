"""Ad sets, ads (creatives) and their daily statistics from Meta Marketing API v25.0 and VK Ads,
against recorded-format responses: paging, targeting mapping, an error and a rate limit."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from integrations.connectors.base import (
    AdUnitStatDay,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    RemoteAd,
    RemoteAdSet,
)
from integrations.connectors.meta_ads import AD_FIELDS, ADSET_FIELDS, MetaAdsConnector
from integrations.connectors.vk_ads import VKAdsConnector

META_TOKEN = "EAAG-TEST-ads-secret-token-0005"
META_ACCOUNT = "1029384756102938"
ACT = f"/v25.0/act_{META_ACCOUNT}"
VK_TOKEN = "vk1.a.TEST-secret-ads-token-0002"
VK_ACCOUNT = "1900012345"
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
D10, D11 = date(2026, 6, 10), date(2026, 6, 11)


@pytest.fixture
def meta(platform_api, sleeper):
    return MetaAdsConnector(META_TOKEN, f"act_{META_ACCOUNT}", base_url=platform_api.url, currency="USD", sleep=sleeper)


@pytest.fixture
def vk_ads(platform_api):
    return VKAdsConnector(VK_TOKEN, VK_ACCOUNT, base_url=f"{platform_api.url}/method", clock=lambda: NOW)


# --------------------------------------------------------------------------- Meta


def test_meta_ad_sets_follow_paging_and_map_targeting(meta, platform_api):
    platform_api.route(
        "GET", f"{ACT}/adsets", "meta_ads/act.adsets.page2.json", query={"after": "QVFIUmFkc2V0QWZ0ZXIx"}
    )
    platform_api.route("GET", f"{ACT}/adsets", "meta_ads/act.adsets.json", absent=("after",))

    first, second = meta.fetch_ad_sets()

    raw = platform_api.load("meta_ads/act.adsets.json")["data"][0]["targeting"]
    assert first == RemoteAdSet(
        external_id="120210987654322101",
        campaign_external_id="120210987654321001",
        name="Алматы 25–45 | кофе",
        status="active",
        daily_budget=Decimal("15.00"),  # "1500" cents
        geo=("KZ", "Almaty"),
        age_min=25,
        age_max=45,
        gender="female",
        interests=("Coffee", "Breakfast"),
        custom_audiences=("CRM: покупатели 2026",),
        raw_spec=raw,
    )
    assert (second.status, second.daily_budget, second.gender, second.geo) == ("paused", None, "all", ("KZ", "Almaty"))
    assert second.custom_audiences == ("Lookalike (KZ, 1%) - CRM",)
    assert platform_api.requests[0].query == {"fields": ADSET_FIELDS, "limit": "100", "access_token": META_TOKEN}
    assert len(platform_api.requests) == 2


def test_meta_ads_carry_creative_text_media_cta_and_utm(meta, platform_api):
    platform_api.route("GET", f"{ACT}/ads", "meta_ads/act.ads.json")

    photo, video = meta.fetch_ads()

    assert photo == RemoteAd(
        external_id="120210987654323201",
        ad_set_external_id="120210987654322101",
        campaign_external_id="120210987654321001",
        name="Кофе к 8 утра — фото",
        status="active",
        creative_id="120210987654324301",
        title="Кофе к 8 утра",
        text="Свежая обжарка и завтрак с собой — закажите в приложении.",
        media_url="https://scontent.xx.fbcdn.net/v/t45.1600-4/coffee_8am.jpg",
        cta="LEARN_MORE",
        destination_url="https://zerno.example/menu",
        utm={
            "utm_source": "facebook",
            "utm_medium": "paid_social",
            "utm_campaign": "master-klassy",
            "utm_content": "Ad8amPh",
        },
    )
    assert (video.cta, video.destination_url, video.title, video.status) == (
        "ORDER_NOW",
        "https://zerno.example/order",
        "",
        "paused",
    )
    assert platform_api.requests[0].query["fields"] == AD_FIELDS


def test_meta_unit_insights_read_adset_then_ad_level(meta, platform_api):
    platform_api.route("GET", f"{ACT}/insights", "meta_ads/act.insights.adset.page2.json", query={"after": "MQZDZD"})
    platform_api.route("GET", f"{ACT}/insights", "meta_ads/act.insights.adset.json", query={"level": "adset"})
    platform_api.route("GET", f"{ACT}/insights", "meta_ads/act.insights.ad.json", query={"level": "ad"})

    rows = meta.fetch_ad_unit_stats(D10, D11)

    sets = [r for r in rows if r.level == "ad_set"]
    ads = [r for r in rows if r.level == "ad"]
    assert len(sets) == 3
    assert len(ads) == 2
    assert sets[0] == AdUnitStatDay(
        "ad_set", "120210987654321001", "120210987654322101", None, D10,
        Decimal("24.87"), 9512, 143, 7311, 7, None, None, "USD",
    )  # fmt: skip
    assert (sets[1].conversions, sets[1].revenue) == (3, Decimal("118.50"))
    assert sets[2].spend == Decimal("0")
    assert sets[2].leads == 0
    assert [a.ad_external_id for a in ads] == ["120210987654323201", "120210987654323202"]
    # The ads of an ad set add up to it (spend, leads); reach does not add up, so it is read per level.
    assert sum(a.spend for a in ads) == sets[0].spend
    assert sum(a.leads for a in ads) == sets[0].leads
    levels = [r.query["level"] for r in platform_api.requests if "level" in r.query]
    assert levels == ["adset", "adset", "ad"]  # page 2 of the ad-set level, then the ad level
    assert json.loads(platform_api.requests[0].query["time_range"]) == {"since": "2026-06-10", "until": "2026-06-11"}


def test_meta_unit_insights_rate_limit_is_raised_with_the_delay(meta, platform_api):
    platform_api.route("GET", f"{ACT}/insights", "meta_ads/http_headers.rate_limited.json")

    with pytest.raises(RateLimited) as excinfo:
        meta.fetch_ad_unit_stats(D10, D11)
    assert excinfo.value.retry_after == 300.0


def test_meta_ads_error_is_raised(meta, platform_api):
    platform_api.route("GET", f"{ACT}/ads", "meta_ads/error.invalid_parameter.json")

    with pytest.raises(InvalidRequest):
        meta.fetch_ads()


# --------------------------------------------------------------------------- VK Ads


def test_vk_ad_targeting_maps_to_ad_sets(vk_ads, platform_api):
    platform_api.route("POST", "/method/ads.getAds", "vk/ads.getAds.json")
    platform_api.route("POST", "/method/ads.getAdsTargeting", "vk/ads.getAdsTargeting.json")

    first, second = vk_ads.fetch_ad_sets()

    raw = platform_api.load("vk/ads.getAdsTargeting.json")["response"][0]
    assert first == RemoteAdSet(
        external_id="51770911",
        campaign_external_id="1019384",
        name="Открытие — карусель",
        status="active",
        daily_budget=None,  # "0" = no limit
        geo=("country:1", "city:1", "city:2"),
        age_min=25,
        age_max=45,
        gender="female",
        interests=("interest:10013", "interest:10034"),
        custom_audiences=("7712301",),
        raw_spec=raw,
    )
    assert (second.status, second.daily_budget, second.gender, second.age_min, second.age_max) == (
        "paused",
        Decimal("700"),
        "all",
        None,
        None,
    )
    targeting = platform_api.requests_to("/method/ads.getAdsTargeting")[0]
    assert targeting.form == {"account_id": VK_ACCOUNT, "include_deleted": "1", "access_token": VK_TOKEN}


def test_vk_ad_layout_maps_to_creatives_with_utm(vk_ads, platform_api):
    platform_api.route("POST", "/method/ads.getAds", "vk/ads.getAds.json")
    platform_api.route("POST", "/method/ads.getAdsLayout", "vk/ads.getAdsLayout.json")

    first, second = vk_ads.fetch_ads()

    assert first.external_id == first.ad_set_external_id == "51770911"
    assert (first.title, first.media_url) == (
        "Открылись на Баумана",
        "https://sun9-21.userapi.com/impf/c855/ad_51770911.jpg",
    )
    assert first.text == "Кофе и завтраки с 8 утра. Первая чашка — в подарок."
    assert first.utm == {
        "utm_source": "vk",
        "utm_medium": "cpm",
        "utm_campaign": "otkrytie",
        "utm_content": "Vk51911",
    }
    assert second.utm == {}
    assert second.destination_url == "https://vk.com/zerno_coffee"


def test_vk_ad_statistics_become_ad_set_and_ad_rows(vk_ads, platform_api):
    platform_api.route("POST", "/method/ads.getAds", "vk/ads.getAds.json")
    platform_api.route("POST", "/method/ads.getStatistics", "vk/ads.getStatistics.ad.json")

    rows = vk_ads.fetch_ad_unit_stats(D10, D11)

    assert len(rows) == 6  # 3 ad-days, each as the ad and as its "ad set"
    ads = [r for r in rows if r.level == "ad"]
    assert [(r.ad_external_id, r.day, r.spend, r.reach) for r in ads] == [
        ("51770911", D10, Decimal("912.37"), 16020),
        ("51770911", D11, Decimal("1000.00"), 17304),
        ("51770912", D10, Decimal("500.00"), 8290),
    ]
    assert all(r.leads is None and r.revenue is None for r in rows)  # VK reports none: unknown, not 0
    request = platform_api.requests_to("/method/ads.getStatistics")[0]
    assert request.form["ids_type"] == "ad"
    assert request.form["ids"] == "51770911,51770912"


def test_vk_ad_list_is_read_once_per_connector(vk_ads, platform_api):
    for method, fixture in (
        ("ads.getAds", "vk/ads.getAds.json"),
        ("ads.getAdsTargeting", "vk/ads.getAdsTargeting.json"),
        ("ads.getAdsLayout", "vk/ads.getAdsLayout.json"),
        ("ads.getStatistics", "vk/ads.getStatistics.ad.json"),
    ):
        platform_api.route("POST", f"/method/{method}", fixture)

    sets, ads, rows = vk_ads.fetch_ad_sets(), vk_ads.fetch_ads(), vk_ads.fetch_ad_unit_stats(D10, D11)

    assert (len(sets), len(ads), len(rows)) == (2, 2, 6)
    assert len(platform_api.requests_to("/method/ads.getAds")) == 1
    assert sets[1].status == "paused"  # the one ad list serves ad sets and ads alike
    assert ads[1].status == "paused"


def test_vk_flood_limit_is_a_rate_limit(vk_ads, platform_api):
    platform_api.route("POST", "/method/ads.getAds", "vk/error.ads_weighted_flood.json")

    with pytest.raises(RateLimited):
        vk_ads.fetch_ad_sets()


def test_vk_no_cabinet_access_is_permission_denied(vk_ads, platform_api):
    platform_api.route("POST", "/method/ads.getAds", "vk/error.ads_permission.json")

    with pytest.raises(PermissionDenied):
        vk_ads.fetch_ads()
