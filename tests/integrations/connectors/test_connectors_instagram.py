"""Instagram connector against recorded Instagram Graph API v25.0 responses."""

from datetime import UTC, date, datetime

import pytest

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    PermissionDenied,
    PostMetrics,
    RemotePost,
)
from integrations.connectors.graph import GraphUsage
from integrations.connectors.instagram import ACCOUNT_METRICS, MEDIA_FIELDS
from tests.integrations.connectors.instagram_support import (
    API,
    CAROUSEL,
    FEED_METRICS,
    IG_USER,
    IMAGE,
    PAGE2_CURSOR,
    REEL,
    TOKEN,
    assert_graph_get,
    route_media,
    ts,
)

# ---------------------------------------------------------------------- account


def test_fetch_profile_and_usage_headers(instagram, platform_api):
    platform_api.route(
        "GET",
        f"{API}/{IG_USER}",
        platform_api.with_headers("instagram/http_headers.rate_limit_usage.json", "instagram/ig_user.fields.json"),
    )

    profile = instagram.fetch_profile()

    assert profile == AccountProfile(
        external_id=IG_USER,
        name="Кофейня Зерно",
        username="zerno.coffee",
        followers=21408,
        url="https://www.instagram.com/zerno.coffee/",
        extra={"follows_count": 312, "media_count": 644},
    )
    # X-Business-Use-Case-Usage call_count 28 is the highest utilisation reported.
    assert instagram.last_usage == GraphUsage(max_percent=28.0, regain_seconds=None)
    (request,) = platform_api.requests
    assert_graph_get(request, IG_USER)
    assert (
        request.query["fields"]
        == "id,username,name,followers_count,follows_count,media_count,biography,profile_picture_url"
    )


def route_user_insights(platform_api):
    path = f"{API}/{IG_USER}/insights"
    platform_api.route(
        "GET", path, "instagram/ig_user.insights.follower_count.json", query={"metric": "follower_count"}
    )
    platform_api.route(
        "GET", path, "instagram/ig_user.insights.breakdowns.json", query={"metric": "follows_and_unfollows"}
    )
    platform_api.route("GET", path, "instagram/ig_user.insights.total_value.json", query={"metric": ACCOUNT_METRICS})


def test_account_metrics_for_one_day(instagram, platform_api):
    route_user_insights(platform_api)

    days = instagram.fetch_account_metrics(date(2026, 6, 12), date(2026, 6, 12))

    assert days == [
        AccountDay(
            day=date(2026, 6, 12),
            followers_gained=39,  # follower_count value stamped 2026-06-13T07:00 (end of the 12th)
            followers_lost=56,
            reach=48203,
            views=131877,
            engaged=3906,
            interactions=6614,
            likes=4870,
            comments=402,
            shares=611,
            saves=731,
            link_clicks=188,
            extra={
                "views_by_media_product_type": {
                    "REEL": 98213,
                    "POST": 21406,
                    "CAROUSEL_CONTAINER": 7902,
                    "STORY": 4356,
                },
                "follows": 356,
            },
        )
    ]
    series, totals, breakdown = platform_api.requests
    assert_graph_get(series, f"{IG_USER}/insights")
    assert series.query | {"access_token": "-"} == {
        "metric": "follower_count",
        "period": "day",
        "since": ts(2026, 6, 12),
        "until": ts(2026, 6, 13),
        "access_token": "-",
    }
    assert totals.query["metric_type"] == "total_value"
    assert (totals.query["since"], totals.query["until"]) == (ts(2026, 6, 12), ts(2026, 6, 13))
    assert breakdown.query["breakdown"] == "follow_type"


def test_account_metrics_asks_one_total_value_window_per_day(instagram, platform_api):
    route_user_insights(platform_api)

    days = instagram.fetch_account_metrics(date(2026, 6, 11), date(2026, 6, 12))

    assert [(d.day, d.followers_gained) for d in days] == [(date(2026, 6, 11), 44), (date(2026, 6, 12), 39)]
    windows = [
        (r.query["since"], r.query["until"]) for r in platform_api.requests if r.query["metric"] == ACCOUNT_METRICS
    ]
    assert windows == [(ts(2026, 6, 11), ts(2026, 6, 12)), (ts(2026, 6, 12), ts(2026, 6, 13))]


# ---------------------------------------------------------------------- media

EXPECTED_MEDIA = [
    RemotePost(
        external_id=REEL,
        published_at=datetime(2026, 6, 13, 15, 4, 11, tzinfo=UTC),
        text="Как мы готовим раф «Лавандовый мёд» 💜 Сохраняйте рецепт! #кофейнязерно #раф",
        format="reel",
        permalink="https://www.instagram.com/reel/DKx8aQ1tZrP/",
        likes=1240,
        comments=7,
        media_urls=(
            "https://scontent-ams2-1.cdninstagram.com/v/t51.29350-15/18063512488123407_n.mp4?stp=dst-jpg&_nc_cat=104&oh=00_AfB123407&oe=6852F1A2",
        ),
        extra={"media_type": "VIDEO", "media_product_type": "REELS", "shortcode": "DKx8aQ1tZrP"},
    ),
    RemotePost(
        external_id=CAROUSEL,
        published_at=datetime(2026, 6, 12, 9, 30, 2, tzinfo=UTC),
        text="Сезонное меню: 3 новых напитка. Листайте →",
        format="carousel",
        permalink="https://www.instagram.com/p/DKvQm2LtA9c/",
        likes=486,
        comments=34,
        media_urls=(
            "https://scontent-ams2-1.cdninstagram.com/v/t51.29350-15/17998765432109876_n.jpg?stp=dst-jpg&_nc_cat=104&oh=00_AfB109876&oe=6852F1A2",
        ),
        extra={"media_type": "CAROUSEL_ALBUM", "media_product_type": "FEED", "shortcode": "DKvQm2LtA9c"},
    ),
    RemotePost(
        external_id=IMAGE,
        published_at=datetime(2026, 6, 10, 7, 0, 45, tzinfo=UTC),
        text="Мастер-класс по альтернативному завариванию — 14 июня. Ссылка на запись в профиле.",
        format="photo",
        permalink="https://www.instagram.com/p/DKq0Lb7tX4e/",
        likes=211,
        comments=12,
        media_urls=(
            "https://scontent-ams2-1.cdninstagram.com/v/t51.29350-15/18245630917340211_n.jpg?stp=dst-jpg&_nc_cat=104&oh=00_AfB340211&oe=6852F1A2",
        ),
        extra={"media_type": "IMAGE", "media_product_type": "FEED", "shortcode": "DKq0Lb7tX4e"},
    ),
    RemotePost(
        external_id="18051177263390142",
        published_at=datetime(2026, 6, 1, 7, 0, 3, tzinfo=UTC),
        text="Мы открылись на Баумана, 44! ☕",
        format="photo",
        permalink="https://www.instagram.com/p/DJz7TnGt1Qk/",
        likes=932,
        comments=58,
        media_urls=(
            "https://scontent-ams2-1.cdninstagram.com/v/t51.29350-15/18051177263390142_n.jpg?stp=dst-jpg&_nc_cat=104&oh=00_AfB390142&oe=6852F1A2",
        ),
        extra={"media_type": "IMAGE", "media_product_type": "FEED", "shortcode": "DJz7TnGt1Qk"},
    ),
    RemotePost(
        external_id="17912244871650338",
        published_at=datetime(2026, 5, 28, 16, 20, tzinfo=UTC),
        text="Один день из жизни бариста 🎬",
        format="reel",
        permalink="https://www.instagram.com/reel/DJtB5xhtW0m/",
        likes=3410,
        comments=121,
        media_urls=(
            "https://scontent-ams2-1.cdninstagram.com/v/t51.29350-15/17912244871650338_n.mp4?stp=dst-jpg&_nc_cat=104&oh=00_AfB650338&oe=6852F1A2",
        ),
        extra={"media_type": "VIDEO", "media_product_type": "REELS", "shortcode": "DJtB5xhtW0m"},
    ),
]


def test_fetch_posts_follows_cursor_until_no_next(instagram, platform_api):
    route_media(platform_api)

    posts = instagram.fetch_posts(since=datetime(2026, 5, 1, tzinfo=UTC))

    assert posts == EXPECTED_MEDIA
    first, second = platform_api.requests
    assert_graph_get(first, f"{IG_USER}/media")
    assert first.query == {"fields": MEDIA_FIELDS, "limit": "50", "access_token": TOKEN}
    # Page 2 uses Meta's cursor but our base URL and our token (not the one inside "next").
    assert_graph_get(second, f"{IG_USER}/media")
    assert second.query["after"] == PAGE2_CURSOR
    assert second.query["access_token"] == TOKEN


def test_fetch_posts_stops_once_a_page_reaches_older_media(instagram, platform_api):
    route_media(platform_api)

    posts = instagram.fetch_posts(since=datetime(2026, 6, 11, tzinfo=UTC))

    assert posts == EXPECTED_MEDIA[:2]
    assert len(platform_api.requests) == 1


def route_media_type(platform_api, media_id: str, media_type: str, product: str) -> None:
    body = {"media_type": media_type, "media_product_type": product, "id": media_id}
    platform_api.route(
        "GET", f"{API}/{media_id}", platform_api.inline(body), query={"fields": "media_type,media_product_type"}
    )


def test_post_metrics_feed_reels_and_not_yet_available(instagram, platform_api):
    route_media_type(platform_api, IMAGE, "IMAGE", "FEED")
    route_media_type(platform_api, REEL, "VIDEO", "REELS")
    route_media_type(platform_api, CAROUSEL, "CAROUSEL_ALBUM", "FEED")
    platform_api.route("GET", f"{API}/{IMAGE}/insights", "instagram/ig_media.insights.json")
    platform_api.route("GET", f"{API}/{REEL}/insights", "instagram/ig_media.insights.reels.json")
    platform_api.route("GET", f"{API}/{CAROUSEL}/insights", "instagram/ig_media.insights.empty.json")

    metrics = instagram.fetch_post_metrics([IMAGE, REEL, CAROUSEL])

    assert metrics == [
        PostMetrics(
            external_id=IMAGE,
            reach=5120,
            views=7436,
            likes=211,
            comments=12,
            shares=19,
            saves=64,
            followers_gained=9,
            extra={"total_interactions": 306, "profile_visits": 77},
        ),
        PostMetrics(
            external_id=REEL,
            reach=28140,
            views=41872,
            likes=1240,
            comments=7,
            shares=356,
            saves=402,
            video_views=41872,
            extra={
                "total_interactions": 2005,
                "ig_reels_avg_watch_time": 7812,
                "ig_reels_video_view_total_time": 327104448,
            },
        ),
        PostMetrics(external_id=CAROUSEL),  # empty data: unknown (None), never zeros
    ]
    insight_calls = {r.path: r.query["metric"] for r in platform_api.requests if r.path.endswith("/insights")}
    assert insight_calls == {
        f"{API}/{IMAGE}/insights": FEED_METRICS,
        f"{API}/{REEL}/insights": (
            "reach,views,likes,comments,saved,shares,total_interactions,"
            "ig_reels_avg_watch_time,ig_reels_video_view_total_time"
        ),
        f"{API}/{CAROUSEL}/insights": FEED_METRICS,
    }


def test_story_with_too_few_viewers_has_unknown_metrics(instagram, platform_api):
    story = "18100000000000001"
    route_media_type(platform_api, story, "IMAGE", "STORY")
    platform_api.route("GET", f"{API}/{story}/insights", "instagram/error.story_not_enough_viewers.json")

    assert instagram.fetch_post_metrics([story]) == [PostMetrics(external_id=story)]


def test_code_10_outside_stories_is_still_a_permission_problem(instagram, platform_api):
    route_media_type(platform_api, IMAGE, "IMAGE", "FEED")
    platform_api.route("GET", f"{API}/{IMAGE}/insights", "instagram/error.permission_denied.json")

    with pytest.raises(PermissionDenied):
        instagram.fetch_post_metrics([IMAGE])
