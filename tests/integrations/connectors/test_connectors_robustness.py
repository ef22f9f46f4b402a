"""One odd item never fails a page; any 429 is a rate limit; a 403 firewall page is a block.

Issue 9, "Data that is lost or hidden today" and the 429/403 item of "Syncs that are lost".
"""

import copy
import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime

import httpx
import pytest
from werkzeug import Response

from integrations.connectors.base import (
    MalformedResponse,
    RateLimited,
    SkippedItem,
    TemporarilyBlocked,
    parse_retry_after,
)
from integrations.connectors.facebook import FacebookConnector
from integrations.connectors.instagram import InstagramConnector
from integrations.connectors.meta_ads import MetaAdsConnector
from integrations.connectors.telegram import TelegramConnector
from integrations.connectors.vk import VKConnector
from integrations.connectors.vk_ads import VKAdsConnector
from tests.integrations.connectors.vk_support import GROUP, NOW, TOKEN

HTML = b"<html><head><title>429 Too Many Requests</title></head><body>slow down</body></html>"
EMPTY_COMMENTS = {"response": {"count": 0, "current_level_count": 0, "items": []}}


def one_post_wall(platform_api) -> None:
    wall = platform_api.load("vk/wall.get.json")
    post = next(p for p in wall["response"]["items"] if p["id"] == 1851)
    body = {"response": {"count": 1, "items": [post]}}
    platform_api.route("POST", "/method/wall.get", platform_api.inline(body))


# --------------------------------------------------------------------------- one odd item


def test_vk_comment_deleted_by_its_author_is_skipped_and_the_page_is_kept(vk, platform_api, caplog):
    """The recorded page with comment 1855 deleted by its author (VK then sends no from_id):
    before the fix a KeyError failed the whole page, so none of its comments were stored."""
    one_post_wall(platform_api)
    page = platform_api.load("vk/wall.getComments.json")
    deleted = next(c for c in page["response"]["items"] if c["id"] == 1855)
    del deleted["from_id"]
    deleted.update(deleted=True, text="")
    path = "/method/wall.getComments"
    platform_api.route("POST", path, platform_api.inline(page), form={"post_id": 1851, "offset": 0})
    platform_api.route("POST", path, "vk/wall.getComments.page2.json", form={"post_id": 1851, "offset": 5})

    with caplog.at_level(logging.WARNING, logger="integrations.connectors"):
        comments = vk.fetch_comments(since=datetime(2026, 6, 12, tzinfo=UTC))

    assert [c.external_id for c in comments] == ["1853", "1854", "1856", "1857", "1860", "1858", "1859", "1861", "1862"]
    assert vk.skipped == [SkippedItem(kind="comment", item_id="1855", reason="deleted by its author")]
    (record,) = [r for r in caplog.records if r.name == "integrations.connectors"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "vk account 218450731: skipped comment 1855 (deleted by its author)"
    assert TOKEN not in record.getMessage()
    assert vk.take_skipped() == [SkippedItem(kind="comment", item_id="1855", reason="deleted by its author")]
    assert vk.skipped == []


def test_vk_comment_without_from_id_and_not_flagged_deleted_is_skipped_too(vk, platform_api):
    one_post_wall(platform_api)
    page = platform_api.load("vk/wall.getComments.json")
    del page["response"]["items"][0]["from_id"]  # 1853
    path = "/method/wall.getComments"
    platform_api.route("POST", path, platform_api.inline(page), form={"post_id": 1851, "offset": 0})
    platform_api.route("POST", path, "vk/wall.getComments.page2.json", form={"post_id": 1851, "offset": 5})

    comments = vk.fetch_comments(since=datetime(2026, 6, 12, tzinfo=UTC))

    assert "1853" not in {c.external_id for c in comments}
    assert len(comments) == 9
    assert vk.skipped == [SkippedItem(kind="comment", item_id="1853", reason="missing 'from_id'")]


def test_vk_post_without_date_is_skipped_and_the_others_returned(vk, platform_api):
    wall = platform_api.load("vk/wall.get.json")
    del wall["response"]["items"][1]["date"]
    wall["response"]["count"] = len(wall["response"]["items"])
    skipped_id = str(wall["response"]["items"][1]["id"])
    platform_api.route("POST", "/method/wall.get", platform_api.inline(wall))

    posts = vk.fetch_posts(datetime(2026, 1, 1, tzinfo=UTC))

    assert [p.external_id for p in posts] == [str(p["id"]) for p in wall["response"]["items"] if "date" in p]
    assert vk.skipped == [SkippedItem(kind="post", item_id=skipped_id, reason="missing 'date'")]


def test_meta_insight_row_without_campaign_id_is_skipped(platform_api):
    meta = MetaAdsConnector("EAAG-TEST-token", "1029384756102938", base_url=platform_api.url, currency="USD")
    body = platform_api.load("meta_ads/act.insights.page2.json")
    body.pop("paging", None)
    del body["data"][0]["campaign_id"]
    platform_api.route("GET", "/v25.0/act_1029384756102938/insights", platform_api.inline(body))

    rows = meta.fetch_ad_stats(date(2026, 6, 11), date(2026, 6, 11))

    assert len(rows) == len(body["data"]) - 1
    assert meta.skipped == [SkippedItem(kind="ad_stat", item_id=None, reason="missing 'campaign_id'")]


def test_meta_row_without_action_values_reports_no_revenue_not_zero(platform_api):
    """Before: revenue and conversions 0 for a campaign that tracks no purchases."""
    meta = MetaAdsConnector("EAAG-TEST-token", "1029384756102938", base_url=platform_api.url, currency="USD")
    body = platform_api.load("meta_ads/act.insights.json")
    body.pop("paging", None)
    platform_api.route("GET", "/v25.0/act_1029384756102938/insights", platform_api.inline(body))

    rows = meta.fetch_ad_stats(date(2026, 6, 10), date(2026, 6, 10))

    raw = {r["campaign_id"]: r for r in body["data"]}
    for stat in rows:
        has_values = "action_values" in raw[stat.campaign_external_id]
        assert (stat.revenue is None) is not has_values
        assert (stat.conversions is None) is not has_values


def test_vk_ads_day_without_spent_reports_none_not_zero(platform_api):
    connector = VKAdsConnector(TOKEN, "1900012345", base_url=f"{platform_api.url}/method", clock=lambda: NOW)
    body = platform_api.load("vk/ads.getStatistics.json")
    del body["response"][0]["stats"][0]["spent"]
    del body["response"][0]["stats"][1]["clicks"]
    platform_api.route("POST", "/method/ads.getStatistics", platform_api.inline(body))

    rows = connector.fetch_ad_stats(date(2026, 6, 10), date(2026, 6, 12), campaign_ids=["1019384", "1019402"])

    assert [(r.spend, r.clicks) for r in rows] == [
        (None, 402),
        (Decimal("1500.00"), None),
        (Decimal("1488.90"), 451),
        (Decimal("230.15"), 61),
    ]


def test_a_profile_that_cannot_be_read_is_a_malformed_response(vk, platform_api):
    platform_api.route("POST", "/method/groups.getById", platform_api.inline({"response": {"groups": []}}))

    with pytest.raises(MalformedResponse) as excinfo:
        vk.fetch_profile()

    assert excinfo.value.code == "malformed"
    assert "IndexError" in excinfo.value.message


# --------------------------------------------------------------------------- HTTP statuses


def html(status: int, headers: dict[str, str] | None = None):
    return lambda _: Response(HTML, status=status, headers={"Content-Type": "text/html", **(headers or {})})


def test_vk_429_with_html_body_is_a_rate_limit_with_retry_after_seconds(vk, platform_api):
    """Before: InvalidRequest "response is not JSON" — retried never, "needs a fix on our side"."""
    platform_api.route("POST", "/method/groups.getById", html(429, {"Retry-After": "120"}))

    with pytest.raises(RateLimited) as excinfo:
        vk.fetch_profile()

    error = excinfo.value
    assert type(error) is RateLimited
    assert error.code == 429
    assert error.retry_after == 120.0
    assert error.user_message == "VK: rate limit reached — sync resumes in about 2 min"
    assert TOKEN not in str(error) + error.user_message


def test_429_retry_after_as_http_date(platform_api):
    fb = FacebookConnector("EAAG-TEST-page-token", "104", base_url=platform_api.url)
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    platform_api.route("GET", "/v25.0/104", html(429, {"Retry-After": format_datetime(when, usegmt=True)}))

    with pytest.raises(RateLimited) as excinfo:
        fb.fetch_profile()

    assert 590 <= excinfo.value.retry_after <= 600


def test_429_without_retry_after_waits_the_default(platform_api):
    ig = InstagramConnector("EAAG-TEST-ig-token", "1784", base_url=platform_api.url)
    platform_api.route("GET", "/v25.0/1784", html(429))

    with pytest.raises(RateLimited) as excinfo:
        ig.fetch_profile()

    assert excinfo.value.retry_after == 60.0


def test_vk_429_with_a_json_error_keeps_the_platform_code(vk, platform_api):
    body = {"error": {"error_code": 6, "error_msg": "Too many requests per second"}}
    platform_api.route("POST", "/method/groups.getById", platform_api.inline(body, status=429))

    with pytest.raises(RateLimited) as excinfo:
        vk.fetch_profile()

    assert excinfo.value.code == 6
    assert excinfo.value.retry_after == 60.0


def test_telegram_429_reads_retry_after_from_its_json_body(platform_api):
    tg = TelegramConnector("123456:TEST-bot-token", "@zerno", base_url=platform_api.url)
    platform_api.route("POST", "/bot123456:TEST-bot-token/getChat", "telegram/error.too_many_requests.json")

    with pytest.raises(RateLimited) as excinfo:
        tg.fetch_profile()

    assert excinfo.value.retry_after == 35.0


def test_403_with_html_body_is_a_temporary_block_with_a_clear_message(vk, platform_api):
    """Before: InvalidRequest "response is not JSON (HTTP 403)"."""
    platform_api.route("POST", "/method/groups.getById", html(403))

    with pytest.raises(TemporarilyBlocked) as excinfo:
        vk.fetch_profile()

    error = excinfo.value
    assert error.is_transient
    assert error.code == 403
    assert error.retry_after == 900.0
    assert error.user_message == (
        "VK is blocking our requests for now (HTTP 403 from its firewall, not a missing permission) — "
        "sync resumes in about 15 min; if this lasts, check the account on VK"
    )


def test_403_with_a_json_api_error_is_still_the_platform_mapping(platform_api):
    tg = TelegramConnector("123456:TEST-bot-token", "@zerno", base_url=platform_api.url)
    platform_api.route("POST", "/bot123456:TEST-bot-token/getChat", "telegram/error.bot_not_member.json")

    from integrations.connectors.base import PermissionDenied

    with pytest.raises(PermissionDenied) as excinfo:
        tg.fetch_profile()

    assert type(excinfo.value) is PermissionDenied


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
        ("1e12", 7 * 86400.0),  # capped: a datetime + an absurd wait must not overflow
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date_in_the_past_is_zero():
    now = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
    assert parse_retry_after("Sat, 13 Jun 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("Sat, 13 Jun 2026 12:05:00 GMT", now=now) == 300.0


def test_non_json_4xx_other_than_403_and_429_never_crashes():
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(418, content=HTML)))
    connector = VKConnector(TOKEN, GROUP, base_url="http://vk.test/method", http_client=client, clock=lambda: NOW)

    from integrations.connectors.base import InvalidRequest

    with pytest.raises(InvalidRequest):
        connector.fetch_profile()


def test_a_deep_copy_of_a_fixture_is_what_the_tests_mutate(platform_api):
    # Guards the helpers above: load() returns a fresh object each time.
    first = platform_api.load("vk/wall.get.json")
    second = copy.deepcopy(first)
    first["response"]["items"].clear()
    assert platform_api.load("vk/wall.get.json") == second


def test_a_created_object_without_id_is_a_malformed_response_not_a_key_error(platform_api):
    fb = FacebookConnector("EAAG-TEST-page-token", "104", base_url=platform_api.url)
    platform_api.route("POST", "/v25.0/104_1/comments", platform_api.inline({"success": True}))

    with pytest.raises(MalformedResponse) as excinfo:
        fb.reply(None, "Спасибо!", post_external_id="104_1")

    assert excinfo.value.message == "no id in the comment answer"
