"""VK Ads connector (ads.* methods) against recorded VK API 5.199 responses."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from integrations.connectors.base import AdStatDay, InvalidRequest, NotSupported, RemoteCampaign
from integrations.connectors.vk_ads import VKAdsConnector

TOKEN = "vk1.a.TEST-secret-ads-token-0002"
ACCOUNT = "1900012345"
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)

CAMPAIGNS = [
    RemoteCampaign(
        external_id="1019384",
        name="Июнь — открытие на Баумана",
        status="active",
        objective="promoted_posts",
        daily_budget=Decimal("1500"),
        lifetime_budget=Decimal("30000"),
        currency="RUB",
        start=datetime(2026, 6, 1, 6, 0, tzinfo=UTC),
        stop=datetime(2026, 6, 30, 20, 59, tzinfo=UTC),
        effective_status="1",
    ),
    RemoteCampaign(
        external_id="1019402",
        name="Ретаргетинг — сезонное меню",
        status="paused",
        objective="normal",
        daily_budget=None,  # "0" = no daily limit
        lifetime_budget=Decimal("12000"),
        currency="RUB",
        start=None,
        stop=None,
        effective_status="0",
    ),
]


@pytest.fixture
def ads(platform_api):
    return VKAdsConnector(TOKEN, ACCOUNT, base_url=f"{platform_api.url}/method", clock=lambda: NOW)


def test_fetch_campaigns(ads, platform_api):
    platform_api.route("POST", "/method/ads.getCampaigns", "vk/ads.getCampaigns.json")

    assert ads.fetch_campaigns() == CAMPAIGNS

    (request,) = platform_api.requests
    assert request.query == {"v": "5.199"}
    assert request.form == {"account_id": ACCOUNT, "include_deleted": "1", "access_token": TOKEN}


def test_fetch_ad_stats_reads_campaign_ids_then_daily_statistics(ads, platform_api):
    platform_api.route("POST", "/method/ads.getCampaigns", "vk/ads.getCampaigns.json")
    platform_api.route("POST", "/method/ads.getStatistics", "vk/ads.getStatistics.json")

    rows = ads.fetch_ad_stats(date(2026, 6, 10), date(2026, 6, 12))

    common = {"leads": None, "conversions": None, "revenue": None, "currency": "RUB"}
    assert rows == [
        AdStatDay("1019384", date(2026, 6, 10), Decimal("1412.37"), 38211, 402, **common, reach=24310,
                  extra={"join_rate": 31}),
        AdStatDay("1019384", date(2026, 6, 11), Decimal("1500.00"), 40977, 388, **common, reach=25504,
                  extra={"join_rate": 27}),
        AdStatDay("1019384", date(2026, 6, 12), Decimal("1488.90"), 39340, 451, **common, reach=24876,
                  extra={"join_rate": 35}),
        AdStatDay("1019402", date(2026, 6, 11), Decimal("230.15"), 5120, 61, **common, reach=3904),
    ]  # fmt: skip
    assert sum(r.spend for r in rows) == Decimal("4631.42")
    stats_request = platform_api.requests_to("/method/ads.getStatistics")[0]
    assert stats_request.form == {
        "account_id": ACCOUNT,
        "ids_type": "campaign",
        "ids": "1019384,1019402",
        "period": "day",
        "date_from": "2026-06-10",
        "date_to": "2026-06-12",
        "access_token": TOKEN,
    }


def test_fetch_ad_stats_with_known_ids_skips_the_campaign_list(ads, platform_api):
    platform_api.route("POST", "/method/ads.getStatistics", "vk/ads.getStatistics.json")

    rows = ads.fetch_ad_stats(date(2026, 6, 10), date(2026, 6, 12), campaign_ids=["1019384", "1019402"])

    assert len(rows) == 4
    assert [r.path for r in platform_api.requests] == ["/method/ads.getStatistics"]


def test_set_campaign_status_and_budget_send_update_specs(ads, platform_api):
    platform_api.route("POST", "/method/ads.updateCampaigns", platform_api.inline({"response": [{"id": 1019384}]}))

    ads.set_campaign_status("1019384", "paused")
    ads.set_campaign_budget("1019384", Decimal("2000"))

    specs = [json.loads(r.form["data"]) for r in platform_api.requests]
    assert specs == [[{"campaign_id": 1019384, "status": 0}], [{"campaign_id": 1019384, "day_limit": "2000"}]]
    assert all(r.form["account_id"] == ACCOUNT for r in platform_api.requests)


def test_per_campaign_update_failure_is_raised(ads, platform_api):
    failure = {"response": [{"id": 1019384, "error_code": 100, "error_desc": "Invalid day_limit"}]}
    platform_api.route("POST", "/method/ads.updateCampaigns", platform_api.inline(failure))

    with pytest.raises(InvalidRequest) as excinfo:
        ads.set_campaign_budget("1019384", Decimal("10"))
    assert excinfo.value.code == 100


def test_archive_and_fractional_budgets_are_refused_before_any_request(ads, platform_api):
    with pytest.raises(NotSupported):
        ads.set_campaign_status("1019384", "archived")
    with pytest.raises(ValueError, match="whole amount"):
        ads.set_campaign_budget("1019384", Decimal("1500.50"))
    assert platform_api.requests == []
