"""Recorded platform responses → real connectors → the sync path → database rows.

The connectors' own tests check parsing; these check what lands in the fact tables, with the
expected values read straight from the fixture files (an independent computation), and the
account status the documented error responses lead to.
"""

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from ads.models import AdCampaign, AdStatDaily
from analytics.models import PostMetricDaily, SocialPost
from integrations.connectors.meta_ads import MetaAdsConnector
from integrations.connectors.vk import VKConnector
from integrations.models import AccountStatus, SyncRun, SyncStatus
from integrations.sync import SyncRetry, account_sync
from tests.integrations.factories import SocialAccountFactory
from tests.paths import PLATFORM_FIXTURES

pytestmark = pytest.mark.django_db

FIXTURES = PLATFORM_FIXTURES
VK_TOKEN = "vk1.a.fixture-community-token-0001"
META_TOKEN = "EAAG-fixture-ads-token-0002"
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)


def load(name):
    return json.loads((FIXTURES / name).read_text())


def serve(httpserver, routes):
    """``routes``: list of (predicate(request, params) -> bool, fixture name, status)."""

    def handler(request: Request) -> Response:
        params = {**request.args.to_dict(), **{k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}}
        for predicate, name, status in routes:
            if predicate(request, params):
                return Response((FIXTURES / name).read_bytes(), status=status, content_type="application/json")
        return Response(b'{"unmatched": true}', status=599)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)


# --------------------------------------------------------------------------- VK


def vk_routes(*, wall_error=None):
    return [
        (lambda r, p: r.path == "/method/wall.get" and wall_error, wall_error, 200),
        (lambda r, p: r.path == "/method/wall.get" and p.get("offset", "0") == "0", "vk/wall.get.json", 200),
        (lambda r, p: r.path == "/method/wall.get" and p.get("offset") == "3", "vk/wall.get.page2.json", 200),
        (lambda r, p: r.path == "/method/stats.getPostReach", "vk/stats.getPostReach.json", 200),
    ]


def vk_connector(httpserver):
    return VKConnector(VK_TOKEN, "218450731", base_url=httpserver.url_for("/method"), page_size=3, clock=lambda: NOW)


def test_vk_wall_and_post_reach_land_in_the_fact_tables(org, httpserver):
    serve(httpserver, vk_routes())
    account = SocialAccountFactory(organization=org, platform="vk", external_id="218450731")

    account_sync(account_id=account.pk, plan="full", kinds=["posts"], connector=vk_connector(httpserver))

    items = load("vk/wall.get.json")["response"]["items"] + load("vk/wall.get.page2.json")["response"]["items"]
    reach = {str(r["post_id"]): r for r in load("vk/stats.getPostReach.json")["response"]}
    posts = {p.external_id: p for p in SocialPost.objects.filter(organization=org)}
    assert set(posts) == {str(i["id"]) for i in items}
    metrics = {m.post.external_id: m for m in PostMetricDaily.objects.select_related("post")}
    for item in items:
        post_id = str(item["id"])
        post = posts[post_id]
        assert post.published_at == datetime.fromtimestamp(item["date"], UTC)
        assert post.text == item["text"]
        assert post.is_pinned == bool(item.get("is_pinned"))
        m = metrics[post_id]
        assert m.day == date(2026, 6, 13)
        assert (m.likes, m.comments, m.shares, m.views) == (
            item["likes"]["count"],
            item["comments"]["count"],
            item["reposts"]["count"],
            item["views"]["count"],
        )
        stats = reach.get(post_id)
        assert m.reach == (stats["reach_total"] if stats else None)
        assert m.link_clicks == (stats["links"] if stats else None)
        assert m.followers_gained == (stats["join_group"] if stats else None)
    run = SyncRun.objects.get(kind="posts")
    assert (run.status, run.rows_written) == (SyncStatus.SUCCESS, 2 * len(items))

    account_sync(account_id=account.pk, plan="full", kinds=["posts"], connector=vk_connector(httpserver))
    assert SocialPost.objects.count() == len(items)
    assert PostMetricDaily.objects.count() == len(items)
    assert SyncRun.objects.order_by("-pk").first().rows_written == 0


@pytest.mark.parametrize(
    ("fixture", "status", "message"),
    [
        ("vk/error.token_expired.json", AccountStatus.NEEDS_REAUTH, "VK: access expired — reconnect the account"),
        ("vk/error.invalid_token.json", AccountStatus.NEEDS_REAUTH, "VK: access expired — reconnect the account"),
    ],
)
def test_vk_token_errors_mean_reconnect(org, httpserver, fixture, status, message):
    serve(httpserver, vk_routes(wall_error=fixture))
    account = SocialAccountFactory(organization=org, platform="vk", external_id="218450731")
    account_sync(account_id=account.pk, plan="frequent", kinds=["posts"], connector=vk_connector(httpserver))
    account.refresh_from_db()
    assert account.status == status
    assert account.last_error.startswith("VK")
    assert SyncRun.objects.get().error_code == "5"
    assert not SocialPost.objects.exists()


def test_vk_permission_error_sets_error_with_the_reason(org, httpserver):
    serve(httpserver, vk_routes(wall_error="vk/error.permission_denied.json"))
    account = SocialAccountFactory(organization=org, platform="vk", external_id="218450731")
    account_sync(account_id=account.pk, plan="frequent", kinds=["posts"], connector=vk_connector(httpserver))
    account.refresh_from_db()
    assert account.status == AccountStatus.ERROR
    assert account.last_error
    assert SyncRun.objects.get().error_code == "7"


def test_vk_rate_limit_retries_after_the_advised_delay(org, httpserver):
    serve(httpserver, vk_routes(wall_error="vk/error.too_many_requests.json"))
    account = SocialAccountFactory(organization=org, platform="vk", external_id="218450731")
    with pytest.raises(SyncRetry) as caught:
        account_sync(account_id=account.pk, plan="frequent", kinds=["posts"], connector=vk_connector(httpserver))
    assert caught.value.retry_after == 1.0
    assert SyncRun.objects.get().status == SyncStatus.RETRYING


# --------------------------------------------------------------------------- Meta Ads


def meta_routes():
    act = "/v25.0/act_1029384756102938"
    return [
        (lambda r, p: r.path == f"{act}/campaigns" and "after" not in p, "meta_ads/act.campaigns.json", 200),
        (lambda r, p: r.path == f"{act}/campaigns" and "after" in p, "meta_ads/act.campaigns.page2.json", 200),
        # The campaigns step also reads ad sets and ads, the ad-stats step the ad-set and ad levels.
        (lambda r, p: r.path == f"{act}/adsets" and "after" not in p, "meta_ads/act.adsets.json", 200),
        (lambda r, p: r.path == f"{act}/adsets" and "after" in p, "meta_ads/act.adsets.page2.json", 200),
        (lambda r, p: r.path == f"{act}/ads", "meta_ads/act.ads.json", 200),
        (
            lambda r, p: r.path == f"{act}/insights" and p.get("level") == "adset" and "after" not in p,
            "meta_ads/act.insights.adset.json",
            200,
        ),
        (
            lambda r, p: r.path == f"{act}/insights" and p.get("level") == "adset" and "after" in p,
            "meta_ads/act.insights.adset.page2.json",
            200,
        ),
        (lambda r, p: r.path == f"{act}/insights" and p.get("level") == "ad", "meta_ads/act.insights.ad.json", 200),
        (lambda r, p: r.path == f"{act}/insights" and "after" not in p, "meta_ads/act.insights.json", 200),
        (lambda r, p: r.path == f"{act}/insights" and "after" in p, "meta_ads/act.insights.page2.json", 200),
    ]


def test_meta_ads_campaigns_and_daily_stats_land_with_money_as_decimal(org, httpserver):
    serve(httpserver, meta_routes())
    account = SocialAccountFactory(organization=org, platform="meta_ads", external_id="act_1029384756102938")
    connector = MetaAdsConnector(
        META_TOKEN, "act_1029384756102938", base_url=httpserver.url_for("/"), currency="USD", clock=lambda: NOW
    )

    account_sync(account_id=account.pk, plan="daily", kinds=["campaigns", "ad_stats"], days=4, connector=connector)

    campaigns = load("meta_ads/act.campaigns.json")["data"] + load("meta_ads/act.campaigns.page2.json")["data"]
    stored = {c.external_id: c for c in AdCampaign.objects.filter(organization=org)}
    assert set(stored) == {c["id"] for c in campaigns}
    for raw in campaigns:
        campaign = stored[raw["id"]]
        assert campaign.name == raw["name"]
        assert campaign.currency == "USD"
        if raw.get("daily_budget"):
            assert campaign.daily_budget == Decimal(raw["daily_budget"]) / 100  # minor units → dollars
    rows = load("meta_ads/act.insights.json")["data"] + load("meta_ads/act.insights.page2.json")["data"]
    stats = {(s.campaign.external_id, s.day.isoformat()): s for s in AdStatDaily.objects.select_related("campaign")}
    assert len(stats) == len(rows)
    for raw in rows:
        stat = stats[(raw["campaign_id"], raw["date_start"])]
        assert stat.spend == Decimal(raw["spend"])
        assert stat.impressions == int(raw["impressions"])
        assert stat.clicks == int(raw["clicks"])
        assert stat.currency == "USD"
    assert sum(s.spend for s in stats.values()) == sum(Decimal(r["spend"]) for r in rows)
    assert sum(s.leads for s in stats.values()) == 16
