"""Meta Marketing API connector against recorded v25.0 responses."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from werkzeug import Response

from integrations.connectors.base import (
    AdStatDay,
    InvalidRequest,
    RateLimited,
    RemoteCampaign,
)
from integrations.connectors.graph import GraphUsage, parse_usage
from integrations.connectors.meta_ads import (
    CAMPAIGN_FIELDS,
    INSIGHT_FIELDS,
    MetaAdsConnector,
    from_minor_units,
    to_minor_units,
)

TOKEN = "EAAG-TEST-ads-secret-token-0005"
ACCOUNT = "1029384756102938"
API = "/v25.0"
ACT = f"{API}/act_{ACCOUNT}"
RUN = "1483920175522109"
PLUS5 = timezone(timedelta(hours=5))
CAMPAIGNS_CURSOR = "QVFIUmhTTW5TZAFlhY0x0M3NDX0YwZAWNUSFkzRk9BTkc4cWhR"


@pytest.fixture
def meta(platform_api, sleeper):
    return MetaAdsConnector(TOKEN, f"act_{ACCOUNT}", base_url=platform_api.url, currency="USD", sleep=sleeper)


EXPECTED_CAMPAIGNS = [
    RemoteCampaign(
        external_id="120210987654321001",
        name="KZ | Лиды | Мастер-классы | июнь",
        status="active",
        objective="OUTCOME_LEADS",
        daily_budget=Decimal("25.00"),
        currency="USD",
        start=datetime(2026, 6, 1, 9, 0, tzinfo=PLUS5),
        effective_status="ACTIVE",
    ),
    RemoteCampaign(
        external_id="120210987654321002",
        name="KZ | Продажи | Доставка",
        status="active",
        objective="OUTCOME_SALES",
        daily_budget=Decimal("40.00"),
        currency="USD",
        start=datetime(2026, 5, 20, 0, 0, tzinfo=PLUS5),
        effective_status="ACTIVE",
    ),
    RemoteCampaign(
        external_id="120210987654321003",
        name="KZ | Охват | Открытие Баумана",
        status="paused",
        objective="OUTCOME_AWARENESS",
        lifetime_budget=Decimal("300.00"),
        currency="USD",
        start=datetime(2026, 5, 28, 0, 0, tzinfo=PLUS5),
        stop=datetime(2026, 6, 10, 23, 59, tzinfo=PLUS5),
        effective_status="PAUSED",
    ),
    RemoteCampaign(
        external_id="120210987654321004",
        name="KZ | Трафик | Сезонное меню",
        status="active",
        objective="OUTCOME_TRAFFIC",
        daily_budget=Decimal("15.00"),
        currency="USD",
        start=datetime(2026, 6, 12, 10, 0, tzinfo=PLUS5),
        effective_status="WITH_ISSUES",
    ),
]


def test_fetch_campaigns_pages_and_converts_minor_units(meta, platform_api):
    path = f"{ACT}/campaigns"
    platform_api.route("GET", path, "meta_ads/act.campaigns.page2.json", query={"after": CAMPAIGNS_CURSOR})
    platform_api.route(
        "GET",
        path,
        platform_api.with_headers("meta_ads/http_headers.rate_limit_usage.json", "meta_ads/act.campaigns.json"),
        absent=("after",),
    )

    campaigns = meta.fetch_campaigns()

    assert campaigns == EXPECTED_CAMPAIGNS
    first, second = platform_api.requests
    assert first.method == "GET"
    assert first.query == {"fields": CAMPAIGN_FIELDS, "limit": "100", "access_token": TOKEN}
    assert second.query["after"] == CAMPAIGNS_CURSOR
    # Usage headers of page 1 (page 2 sends none): the BUC call_count 22 is the highest value.
    assert meta.last_usage == GraphUsage(max_percent=22.0, regain_seconds=None)


def test_currency_is_looked_up_once_when_not_given(platform_api):
    connector = MetaAdsConnector(TOKEN, ACCOUNT, base_url=platform_api.url)
    platform_api.route("GET", ACT, platform_api.inline({"currency": "USD", "id": f"act_{ACCOUNT}"}))
    platform_api.route("GET", f"{API}/120210987654321001", "meta_ads/campaign.get.json")

    connector.fetch_campaign("120210987654321001")
    campaign = connector.fetch_campaign("120210987654321001")

    assert campaign == RemoteCampaign(
        external_id="120210987654321001",
        name="KZ | Лиды | Мастер-классы | июнь",
        status="paused",
        currency="USD",
        effective_status="PAUSED",
    )
    assert [r.path for r in platform_api.requests].count(ACT) == 1
    assert platform_api.requests_to(ACT)[0].query["fields"] == "currency"


def row(campaign, day, spend, impressions, clicks, leads, conversions, revenue, extra):
    return AdStatDay(
        campaign_external_id=campaign,
        day=day,
        spend=Decimal(spend),
        impressions=impressions,
        clicks=clicks,
        leads=leads,
        conversions=conversions,
        revenue=None if revenue is None else Decimal(revenue),
        currency="USD",
        extra=extra,
    )


D10, D11 = date(2026, 6, 10), date(2026, 6, 11)
LEADS, SALES, REACH, TRAFFIC = (f"12021098765432100{i}" for i in (1, 2, 3, 4))
# Campaigns that report no purchase have conversions/revenue None ("not reported"), never 0.
EXPECTED_ROWS = [
    row(LEADS, D10, "24.87", 9512, 143, 7, None, None,
        {"campaign_name": "KZ | Лиды | Мастер-классы | июнь", "link_clicks": 131}),
    row(SALES, D10, "39.12", 15420, 212, 0, 6, "141.30",
        {"campaign_name": "KZ | Продажи | Доставка", "link_clicks": 198}),
    row(REACH, D10, "21.55", 30118, 47, 0, None, None, {"campaign_name": "KZ | Охват | Открытие Баумана"}),
    row(LEADS, D11, "25.00", 9930, 151, 9, None, None,
        {"campaign_name": "KZ | Лиды | Мастер-классы | июнь", "link_clicks": 140}),
    row(SALES, D11, "40.00", 16011, 188, 0, 4, "96.80",
        {"campaign_name": "KZ | Продажи | Доставка", "link_clicks": 175}),
    row(TRAFFIC, D11, "0.42", 310, 0, 0, None, None, {"campaign_name": "KZ | Трафик | Сезонное меню"}),
]  # fmt: skip


def route_insights(platform_api, path=f"{ACT}/insights"):
    platform_api.route("GET", path, "meta_ads/act.insights.json", absent=("after",))
    platform_api.route("GET", f"{ACT}/insights", "meta_ads/act.insights.page2.json", query={"after": "MgZDZD"})


def test_fetch_ad_stats_daily_rows_with_paging(meta, platform_api):
    route_insights(platform_api)

    rows = meta.fetch_ad_stats(D10, D11)

    assert rows == EXPECTED_ROWS
    first, second = platform_api.requests
    assert first.query == {
        "level": "campaign",
        "fields": INSIGHT_FIELDS,
        "time_increment": "1",
        "time_range": '{"since":"2026-06-10","until":"2026-06-11"}',
        "limit": "500",
        "access_token": TOKEN,
    }
    assert second.query["after"] == "MgZDZD"


def test_ad_stats_agree_with_meta_cpc(meta, platform_api):
    """Independent check: spend / clicks equals the cpc Meta reports on every row that has one."""
    route_insights(platform_api)
    raw = (
        platform_api.load("meta_ads/act.insights.json")["data"]
        + platform_api.load("meta_ads/act.insights.page2.json")["data"]
    )
    reported_cpc = {(r["campaign_id"], r["date_start"]): Decimal(r["cpc"]) for r in raw if "cpc" in r}

    rows = meta.fetch_ad_stats(D10, D11)

    for stat in rows:
        key = (stat.campaign_external_id, stat.day.isoformat())
        if key in reported_cpc:
            assert (stat.spend / stat.clicks).quantize(Decimal("0.000001")) == reported_cpc[key]
    assert sum(r.spend for r in rows) == Decimal("150.96")
    assert sum(r.leads for r in rows) == 16  # "lead" only: onsite_conversion.lead_grouped/leadgen_grouped not added


def test_breakdown_rows_sum_to_the_campaign_day(meta, platform_api):
    platform_api.route("GET", f"{ACT}/insights", "meta_ads/act.insights.breakdown_age_gender.json")

    rows = meta.fetch_ad_stats(D10, D10, breakdowns=("age", "gender"))

    assert len(rows) == 7
    assert rows[0] == AdStatDay(
        campaign_external_id=LEADS,
        day=D10,
        spend=Decimal("3.91"),
        impressions=1620,
        clicks=27,
        leads=1,
        conversions=None,
        revenue=None,
        currency="USD",
        breakdown={"age": "18-24", "gender": "female"},
        extra={"link_clicks": 24},
    )
    assert rows[6].breakdown == {"age": "45-54", "gender": "unknown"}
    assert rows[1].leads == 0  # a slice without actions
    # The slices add up to the campaign's unsplit day in act.insights.json.
    assert sum(r.spend for r in rows) == Decimal("24.87")
    assert sum(r.impressions for r in rows) == 9512
    assert sum(r.clicks for r in rows) == 143
    assert sum(r.leads for r in rows) == 7
    assert platform_api.requests[0].query["breakdowns"] == "age,gender"


def test_long_ranges_run_as_async_report(platform_api, sleeper):
    meta = MetaAdsConnector(
        TOKEN, ACCOUNT, base_url=platform_api.url, currency="USD", sleep=sleeper, async_after_days=7
    )
    platform_api.route("POST", f"{ACT}/insights", "meta_ads/act.insights.async_start.json")
    platform_api.route("GET", f"{API}/{RUN}", "meta_ads/report_run.status.running.json", times=1)
    platform_api.route("GET", f"{API}/{RUN}", "meta_ads/report_run.status.json")
    platform_api.route("GET", f"{API}/{RUN}/insights", "meta_ads/act.insights.json")
    platform_api.route("GET", f"{ACT}/insights", "meta_ads/act.insights.page2.json", query={"after": "MgZDZD"})

    rows = meta.fetch_ad_stats(date(2026, 6, 1), date(2026, 6, 12))

    assert rows == EXPECTED_ROWS
    assert sleeper.calls == [10.0]  # polled once while "Job Running"
    start = platform_api.requests[0]
    assert (start.method, start.path) == ("POST", f"{ACT}/insights")
    assert start.form["time_range"] == '{"since":"2026-06-01","until":"2026-06-12"}'
    assert start.form["time_increment"] == "1"
    assert start.form["access_token"] == TOKEN
    assert [r.path for r in platform_api.requests[1:]] == [
        f"{API}/{RUN}",
        f"{API}/{RUN}",
        f"{API}/{RUN}/insights",
        f"{ACT}/insights",
    ]


def test_set_status_then_read_back(meta, platform_api):
    platform_api.route("POST", f"{API}/120210987654321001", "meta_ads/campaign.update_status.json")
    platform_api.route("GET", f"{API}/120210987654321001", "meta_ads/campaign.get.json")

    meta.set_campaign_status("120210987654321001", "paused")
    campaign = meta.fetch_campaign("120210987654321001")

    assert campaign.status == "paused"
    assert campaign.effective_status == "PAUSED"
    update = platform_api.requests[0]
    assert (update.method, update.form) == ("POST", {"status": "PAUSED", "access_token": TOKEN})


def test_set_budget_sends_minor_units(meta, platform_api):
    platform_api.route("POST", f"{API}/120210987654321004", platform_api.inline({"success": True}))

    meta.set_campaign_budget("120210987654321004", Decimal("30.50"))

    assert platform_api.requests[0].form == {"daily_budget": "3050", "access_token": TOKEN}


def test_unconfirmed_update_is_an_error(meta, platform_api):
    platform_api.route("POST", f"{API}/120210987654321004", platform_api.inline({"success": False}))

    with pytest.raises(InvalidRequest):
        meta.set_campaign_status("120210987654321004", "active")


def test_minor_unit_conversions():
    assert from_minor_units("2500", "USD") == Decimal("25.00")
    assert from_minor_units("30000", "USD") == Decimal("300.00")
    assert from_minor_units("5000", "JPY") == Decimal("5000")  # JPY has no minor unit at Meta
    assert from_minor_units(None, "USD") is None
    assert to_minor_units(Decimal("25"), "USD") == 2500
    assert to_minor_units(Decimal("5000"), "JPY") == 5000
    with pytest.raises(ValueError, match="more decimals"):
        to_minor_units(Decimal("12.345"), "USD")
    with pytest.raises(ValueError, match="positive"):
        to_minor_units(Decimal("0"), "USD")


def test_rate_limited_usage_headers_parse(platform_api):
    headers = platform_api.load("meta_ads/http_headers.rate_limited.json")["headers"]

    assert parse_usage(headers) == GraphUsage(max_percent=100.0, regain_seconds=300.0)


def test_regain_time_from_header_beats_the_default(meta, platform_api):
    # The recorded sidecar says 5 minutes, which equals the default; use 9 to tell them apart.
    headers = dict(platform_api.load("meta_ads/http_headers.rate_limited.json")["headers"])
    headers["x-business-use-case-usage"] = headers["x-business-use-case-usage"].replace(
        '"estimated_time_to_regain_access":5', '"estimated_time_to_regain_access":9'
    )
    body = platform_api.raw("meta_ads/error.rate_limit_ads_insights.json")
    platform_api.route("GET", f"{ACT}/insights", lambda _: Response(body, status=400, headers=headers))

    with pytest.raises(RateLimited) as excinfo:
        meta.fetch_ad_stats(D10, D11)

    assert excinfo.value.retry_after == 540.0
    assert excinfo.value.user_message == "Meta Ads rate limit reached — sync resumes in about 9 min"
