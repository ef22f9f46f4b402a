"""Each connector's recorded list answers (posts, comments, campaigns, ad stats) as scenarios:
which fixture, where its items are, how a connector is built to parse it, and which fields are
ids and metrics. Shared by the contract suite (test_contract.py) and the property-based tests
(test_connectors_properties.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx

from integrations.connectors.facebook import FacebookConnector
from integrations.connectors.instagram import InstagramConnector
from integrations.connectors.meta_ads import MetaAdsConnector
from integrations.connectors.telegram import TelegramConnector
from integrations.connectors.vk import VKConnector
from integrations.connectors.vk_ads import VKAdsConnector

NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
OLD = datetime(2000, 1, 1, tzinfo=UTC)
BIG = 2**53
MISSING = object()


def get_path(item: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(item, dict) or key not in item:
            return MISSING
        item = item[key]
    return item


def set_path(item: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(item.get(key), dict):
            return  # the parent was dropped: nothing to null
        item = item[key]
    item[path[-1]] = value


def number(raw: Any) -> Decimal:
    return Decimal(str(raw))


@dataclass
class Scenario:
    name: str
    fixture: str
    items: Callable[[Any], list]  # the list of items inside the (mutable) body
    call: Callable[[Any, Callable[[], httpx.Client]], tuple[Any, list]]  # body → (connector, results)
    id_path: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]
    big_ids: bool = True  # False when the item's key is not an id (a day); ids then tested in prepare
    metrics: tuple[tuple[tuple[str, ...], str], ...] = ()
    # Metrics a platform documents as "absent means zero" (not invented: the platform's rule).
    absent_is_zero: frozenset[str] = frozenset()
    inner: Callable[[dict], dict | None] = lambda item: item  # the dict that is mutated/checked
    result_id: Callable[[Any], str] = lambda result: result.external_id
    keeps_repeats: bool = True  # False: the platform's repeats are edits (the last one wins)
    # With keeps_repeats=False: what must be readable to collapse repeats (before parsing).
    key_required: tuple[tuple[str, ...], ...] = ()
    prepare: Callable[[Any], None] = lambda body: None  # e.g. drop paging, fix counts
    extra_check: Callable[[dict, Any], None] = lambda item, result: None
    parsable: Callable[[dict], bool] = field(default=lambda item: True)


def client_for(route: Callable[[httpx.Request], Any]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(route(request)).encode())

    return httpx.Client(transport=httpx.MockTransport(handler))


# --------------------------------------------------------------------------- scenarios


def vk_posts(body, _):
    connector = VKConnector("vk1.a.TEST", "218450731", http_client=client_for(lambda r: body), clock=lambda: NOW)
    return connector, connector.fetch_posts(OLD)


def vk_fix_count(body):
    body["response"]["count"] = len(body["response"]["items"])


def vk_comments(body, _):
    post = {"id": 1851, "date": 1781200000, "text": "", "comments": {"count": 5}}

    def route(request: httpx.Request):
        form = dict(httpx.QueryParams(request.content.decode()))
        if request.url.path.endswith("/wall.get"):
            return {"response": {"count": 1, "items": [post]}}
        if form.get("comment_id"):
            return {"response": {"count": 0, "current_level_count": 0, "items": []}}
        return body

    connector = VKConnector("vk1.a.TEST", "218450731", http_client=client_for(route), clock=lambda: NOW)
    return connector, connector.fetch_comments(OLD)


def vk_comments_prepare(body):
    items = body["response"]["items"]
    for item in items:  # replies come inline only (no extra thread call in this scenario)
        thread = item.get("thread") or {}
        thread["count"] = len(thread.get("items") or [])
    body["response"]["count"] = body["response"]["current_level_count"] = len(items)


def vk_comment_ids(body_items: list) -> list[str]:
    """Reference flattening: each parsable comment, then its parsable inline replies."""
    ids = []
    for item in body_items:
        if all(get_path(item, p) not in (MISSING, None) for p in (("id",), ("from_id",), ("date",))):
            ids.append(str(item["id"]))
        thread = item.get("thread") if isinstance(item.get("thread"), dict) else {}
        ids.extend(str(reply["id"]) for reply in thread.get("items") or [])
    return ids


def vk_ads_stats(body, _):
    connector = VKAdsConnector("vk1.a.TEST", "1900012345", http_client=client_for(lambda r: body), clock=lambda: NOW)
    return connector, connector.fetch_ad_stats(date(2026, 6, 10), date(2026, 6, 12), campaign_ids=["1"])


VK_ADS_CAMPAIGN = str(BIG + 7)


def vk_ads_prepare(body):
    del body["response"][1:]  # one campaign: its stats are the items
    body["response"][0]["id"] = int(VK_ADS_CAMPAIGN)  # an id above 2^53 must stay exact


def meta_stats(body, _):
    connector = MetaAdsConnector(
        "EAAG-TEST", "1029384756102938", currency="USD", http_client=client_for(lambda r: body), clock=lambda: NOW
    )
    return connector, connector.fetch_ad_stats(date(2026, 6, 10), date(2026, 6, 11))


def meta_campaigns(body, _):
    connector = MetaAdsConnector(
        "EAAG-TEST", "1029384756102938", currency="USD", http_client=client_for(lambda r: body), clock=lambda: NOW
    )
    return connector, connector.fetch_campaigns()


def drop_paging(body):
    body.pop("paging", None)


def meta_revenue_is_not_invented(item: dict, stat) -> None:
    values = item.get("action_values")
    purchases = [a for a in values if isinstance(a, dict) and a.get("action_type") == "purchase"] if values else []
    if not purchases:
        assert stat.revenue is None
    else:
        assert stat.revenue == number(purchases[0]["value"])


def facebook_posts(body, _):
    connector = FacebookConnector("EAAG-TEST", "104", http_client=client_for(lambda r: body), clock=lambda: NOW)
    return connector, connector.fetch_posts(OLD)


def instagram_posts(body, _):
    connector = InstagramConnector("EAAG-TEST", "1784", http_client=client_for(lambda r: body), clock=lambda: NOW)
    return connector, connector.fetch_posts(OLD)


def telegram_posts(body, _):
    calls = []

    def route(request):
        calls.append(request)
        return body if len(calls) == 1 else {"ok": True, "result": []}

    connector = TelegramConnector("123:TEST", "-1002143658790", http_client=client_for(route), clock=lambda: NOW)
    return connector, connector.fetch_posts(OLD)


def channel_message(update: dict) -> dict | None:
    message = update.get("channel_post") or update.get("edited_channel_post")
    return message if isinstance(message, dict) else None


def fb_shares(item: dict, post) -> None:
    count = get_path(item, ("shares", "count"))
    # Graph omits "shares" when a post has none (documented in facebook.py): absent means 0.
    assert post.shares == (0 if count in (MISSING, None) else int(number(count)))


SCENARIOS = [
    Scenario(
        "vk.fetch_posts",
        "vk/wall.get.json",
        items=lambda body: body["response"]["items"],
        call=vk_posts,
        id_path=("id",),
        required=(("id",), ("date",)),
        metrics=(
            (("likes", "count"), "likes"),
            (("comments", "count"), "comments"),
            (("reposts", "count"), "shares"),
            (("views", "count"), "views"),
        ),
        prepare=vk_fix_count,
    ),
    Scenario(
        "vk_ads.fetch_ad_stats",
        "vk/ads.getStatistics.json",
        items=lambda body: body["response"][0]["stats"],
        call=vk_ads_stats,
        id_path=("day",),
        required=(("day",),),
        metrics=(
            (("spent",), "spend"),
            (("impressions",), "impressions"),
            (("clicks",), "clicks"),
            (("reach",), "reach"),
        ),
        result_id=lambda stat: stat.day.isoformat(),
        prepare=vk_ads_prepare,
        big_ids=False,
        extra_check=lambda item, stat: _assert(stat.campaign_external_id == VK_ADS_CAMPAIGN),
    ),
    Scenario(
        "meta_ads.fetch_ad_stats",
        "meta_ads/act.insights.json",
        items=lambda body: body["data"],
        call=meta_stats,
        id_path=("campaign_id",),
        required=(("campaign_id",), ("date_start",)),
        metrics=((("spend",), "spend"), (("impressions",), "impressions"), (("clicks",), "clicks")),
        result_id=lambda stat: stat.campaign_external_id,
        prepare=drop_paging,
        extra_check=meta_revenue_is_not_invented,
    ),
    Scenario(
        "meta_ads.fetch_campaigns",
        "meta_ads/act.campaigns.json",
        items=lambda body: body["data"],
        call=meta_campaigns,
        id_path=("id",),
        required=(("id",),),
        prepare=drop_paging,
        extra_check=lambda item, c: (
            None if item.get("daily_budget") not in (None, "") else _assert(c.daily_budget is None)
        ),
    ),
    Scenario(
        "facebook.fetch_posts",
        "facebook/page.posts.json",
        items=lambda body: body["data"],
        call=facebook_posts,
        id_path=("id",),
        required=(("id",), ("created_time",)),
        metrics=(
            (("reactions", "summary", "total_count"), "likes"),
            (("comments", "summary", "total_count"), "comments"),
        ),
        prepare=drop_paging,
        extra_check=fb_shares,
    ),
    Scenario(
        "instagram.fetch_posts",
        "instagram/ig_user.media.json",
        items=lambda body: body["data"],
        call=instagram_posts,
        id_path=("id",),
        required=(("id",), ("timestamp",)),
        metrics=((("like_count",), "likes"), (("comments_count",), "comments")),
        prepare=drop_paging,
    ),
    Scenario(
        "telegram.fetch_posts",
        "telegram/getUpdates.json",
        items=lambda body: body["result"],
        call=telegram_posts,
        id_path=("message_id",),
        required=(("message_id",), ("date",), ("chat",)),
        inner=channel_message,
        keeps_repeats=False,  # a repeated channel post is an edit: the last version wins
        key_required=(("message_id",), ("chat",)),
    ),
]


def _assert(condition: bool) -> None:
    assert condition
