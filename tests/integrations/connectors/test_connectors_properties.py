"""Property-based tests: every connector, fed mutated copies of its recorded answers.

Each scenario starts from a recorded fixture (read through the ``fixtures_dir`` fixture of this
folder's conftest) and hypothesis mutates its list of items: drops fields, adds unknown ones,
repeats items, empties the list, puts ids above 2^53 and nulls where numbers are expected.
Properties:

* no crash: item-level oddities never raise (at most a documented ConnectorError);
* every parsable item is returned, in order, repeats included (duplicates are the storage
  layer's to report, never silently dropped here); every unparsable one is in ``skipped``;
* ids are exact strings (no float rounding of ids above 2^53);
* no invented number: a metric the item does not carry is None, never 0 (documented
  exceptions are listed per scenario).

Bounded and deterministic: ``derandomize=True`` and 25 examples per scenario.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.connectors.base import ConnectorError, PostMetrics
from integrations.connectors.facebook import FacebookConnector
from integrations.connectors.instagram import InstagramConnector
from integrations.connectors.meta_ads import MetaAdsConnector
from integrations.connectors.telegram import TelegramConnector
from integrations.connectors.vk import VKConnector
from integrations.connectors.vk_ads import VKAdsConnector

PROPERTY_SETTINGS = settings(
    max_examples=25,
    derandomize=True,  # a fixed seed: the same examples in CI and locally
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
OLD = datetime(2000, 1, 1, tzinfo=UTC)
BIG = 2**53
MISSING = object()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


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


# --------------------------------------------------------------------------- the property


OPS = ("drop", "unknown", "repeat", "bigid", "null", "empty")


def mutate(data: st.DataObject, scenario: Scenario, items: list) -> None:
    """Apply 0–5 random mutations to the items (in place)."""
    for _ in range(data.draw(st.integers(0, 5), label="mutations")):
        targets = [i for i, item in enumerate(items) if scenario.inner(item) is not None]
        if not targets:
            return
        op = data.draw(st.sampled_from(OPS), label="op")
        index = data.draw(st.sampled_from(targets), label="item")
        target = scenario.inner(items[index])
        if op == "drop" and target:
            del target[data.draw(st.sampled_from(sorted(target)), label="key")]
        elif op == "unknown":
            target[f"x_unknown_{data.draw(st.integers(0, 99))}"] = data.draw(JSON_VALUES, label="value")
        elif op == "repeat":
            items.insert(index + 1, copy.deepcopy(items[index]))
        elif op == "bigid" and scenario.big_ids:
            set_path(target, scenario.id_path, BIG + data.draw(st.integers(1, 10**9), label="id"))
        elif op == "null" and scenario.metrics:
            path = data.draw(st.sampled_from([p for p, _ in scenario.metrics]), label="metric")
            set_path(target, path, None)
        elif op == "empty":
            items.clear()


def is_parsable(scenario: Scenario, target: dict) -> bool:
    return all(get_path(target, path) not in (MISSING, None) for path in scenario.required)


def check_metrics(scenario: Scenario, target: dict, result: Any) -> None:
    for path, attr in scenario.metrics:
        raw, got = get_path(target, path), getattr(result, attr)
        if raw in (MISSING, None, ""):
            expected_absent = 0 if attr in scenario.absent_is_zero else None
            assert got == expected_absent, f"{scenario.name}: {attr} invented as {got!r}"
        else:
            assert got is not None, f"{scenario.name}: reported {attr} lost"
            assert number(got) == number(raw).to_integral_value() or number(got) == number(raw)
    scenario.extra_check(target, result)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_connector_survives_mutated_answers(scenario: Scenario, fixtures_dir: Path, data: st.DataObject):
    body = json.loads((fixtures_dir / scenario.fixture).read_text(encoding="utf-8"))
    scenario.prepare(body)
    items = scenario.items(body)
    mutate(data, scenario, items)
    scenario.prepare(body)  # counts follow the mutated list

    try:
        connector, results = scenario.call(body, client_for)
    except ConnectorError as exc:  # pragma: no cover - a documented error is allowed, never a crash
        pytest.fail(f"{scenario.name}: item-level mutations must not fail the call: {exc!r}")

    relevant = [scenario.inner(item) for item in items if scenario.inner(item) is not None]
    got_ids = [scenario.result_id(result) for result in results]
    if scenario.keeps_repeats:
        parsable = [target for target in relevant if is_parsable(scenario, target)]
        expected_skips = len(relevant) - len(parsable)
        assert got_ids == [str(get_path(target, scenario.id_path)) for target in parsable]
        pairs = list(zip(parsable, results, strict=True))
    else:
        keyed = [t for t in relevant if all(get_path(t, p) not in (MISSING, None) for p in scenario.key_required)]
        last = {str(get_path(t, scenario.id_path)): t for t in keyed}  # an edit replaces the original
        final = {key: t for key, t in last.items() if is_parsable(scenario, t)}
        expected_skips = (len(relevant) - len(keyed)) + (len(last) - len(final))
        assert sorted(got_ids) == sorted(final)
        pairs = [(final[scenario.result_id(r)], r) for r in results]
    assert all(isinstance(i, str) for i in got_ids)
    assert len(connector.skipped) == expected_skips
    for target, result in pairs:
        check_metrics(scenario, target, result)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_vk_comments_survive_mutated_answers(fixtures_dir: Path, data: st.DataObject):
    """The case of the issue: the comments of a page, mutated; the rest of the page is kept."""
    body = json.loads((fixtures_dir / "vk/wall.getComments.json").read_text(encoding="utf-8"))
    vk_comments_prepare(body)
    items = body["response"]["items"]
    scenario = Scenario(
        "vk.fetch_comments",
        "",
        items=lambda b: b,
        call=vk_comments,
        id_path=("id",),
        required=(("id",), ("from_id",), ("date",)),
        metrics=((("likes", "count"), "like_count"),),
    )
    mutate(data, scenario, items)
    vk_comments_prepare(body)

    connector, comments = vk_comments(body, client_for)

    assert [c.external_id for c in comments] == vk_comment_ids(items)
    unparsable = [i for i in items if not is_parsable(scenario, i)]
    assert len(connector.skipped) == len(unparsable)
    tops = {str(i["id"]): i for i in items if is_parsable(scenario, i)}
    for comment in comments:
        if comment.external_id in tops:
            check_metrics(scenario, tops[comment.external_id], comment)
        assert comment.author_external_id is not None


@PROPERTY_SETTINGS
@given(data=st.data())
def test_graph_insight_values_never_invent_a_metric(fixtures_dir: Path, data: st.DataObject):
    """graph.py's insights reader under Instagram media insights with metrics dropped or nulled:
    a metric the answer does not carry is None, a carried one is exact."""
    body = json.loads((fixtures_dir / "instagram/ig_media.insights.json").read_text(encoding="utf-8"))
    metrics = body["data"]
    for _ in range(data.draw(st.integers(0, 4))):
        if not metrics:
            break
        index = data.draw(st.integers(0, len(metrics) - 1))
        op = data.draw(st.sampled_from(("drop", "null", "repeat", "garbage")))
        if op == "drop":
            metrics.pop(index)
        elif op == "null":
            for point in metrics[index].get("values") or []:
                point["value"] = None
        elif op == "repeat":
            metrics.insert(index, copy.deepcopy(metrics[index]))
        else:
            metrics[index] = data.draw(JSON_VALUES)

    def route(request: httpx.Request):
        return body if request.url.path.endswith("/insights") else {"media_type": "IMAGE", "media_product_type": "FEED"}

    connector = InstagramConnector("EAAG-TEST", "1784", http_client=client_for(route), clock=lambda: NOW)
    (result,) = connector.fetch_post_metrics(["17900000000000001"])

    assert isinstance(result, PostMetrics)
    reported: dict[str, Any] = {}
    for metric in metrics:
        if isinstance(metric, dict) and isinstance(metric.get("name"), str):
            values = metric.get("values")
            if isinstance(values, list) and values and isinstance(values[-1], dict):
                reported[metric["name"]] = values[-1].get("value")
    for name, attr in (("reach", "reach"), ("views", "views"), ("likes", "likes"), ("saved", "saves")):
        value = reported.get(name)
        assert getattr(result, attr) == (None if value is None else int(value)), name
