"""Instagram connector against recorded Instagram Graph API v25.0 responses."""

import hashlib
import hmac
import re
from datetime import UTC, date, datetime

import pytest

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    AuthExpired,
    NotSupported,
    PermissionDenied,
    PostMetrics,
    PublishResult,
    RateLimited,
    RemoteComment,
    RemotePost,
    ReplyResult,
)
from integrations.connectors.graph import GraphUsage, MediaNotReady
from integrations.connectors.instagram import ACCOUNT_METRICS, MEDIA_FIELDS, InstagramConnector, MediaRejected

TOKEN = "EAAG-TEST-instagram-secret-token-0003"
IG_USER = "17841463210987654"
API = "/v25.0"
REEL, CAROUSEL, IMAGE = "18063512488123407", "17998765432109876", "18245630917340211"
PAGE2_CURSOR = "QVFIUmRzN2pCZAkxPcWVhNnBpb3lUUTBxcl9TSVlqMWZApOHJ3T1F3"
COMMENTS_CURSOR = "QVFIUmlWZAVd2Y3JrNXF3cVNOX2dqUUNmRzBaZAWI5bEx6M0xn"
CONTAINER = "17889615691921648"
FEED_METRICS = "reach,views,likes,comments,saved,shares,total_interactions,follows,profile_visits"
APOLOGY = (
    "@marina.lebedeva_kzn нам очень жаль 😔 Напишите, пожалуйста, в Direct дату и адрес — разберёмся и компенсируем."
)


def ts(*args: int) -> str:
    return str(int(datetime(*args, tzinfo=UTC).timestamp()))


@pytest.fixture
def instagram(platform_api, sleeper):
    return InstagramConnector(
        TOKEN, IG_USER, base_url=platform_api.url, username="zerno.coffee", sleep=sleeper, comments_lookback_days=0
    )


def assert_graph_get(request, path: str) -> None:
    assert request.method == "GET"
    assert request.path == f"{API}/{path}"
    assert request.query["access_token"] == TOKEN


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


def route_media(platform_api):
    path = f"{API}/{IG_USER}/media"
    platform_api.route("GET", path, "instagram/ig_user.media.page2.json", query={"after": PAGE2_CURSOR})
    platform_api.route("GET", path, "instagram/ig_user.media.json", absent=("after",))


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


# ---------------------------------------------------------------------- comments


def test_fetch_comments_with_inline_replies_and_paging(instagram, platform_api):
    route_media(platform_api)
    path = f"{API}/{REEL}/comments"
    platform_api.route("GET", path, "instagram/ig_media.comments.page2.json", query={"after": COMMENTS_CURSOR})
    platform_api.route("GET", path, "instagram/ig_media.comments.json", absent=("after",))
    platform_api.route("GET", f"{API}/{CAROUSEL}/comments", platform_api.inline({"data": []}))

    comments = instagram.fetch_comments(since=datetime(2026, 6, 11, tzinfo=UTC))

    assert [c.external_id for c in comments] == [
        "18049955312280741",
        "17887412093355620",
        "18112093475521068",
        "18230018844109322",
        "17971233580441256",
        "18003374412239876",
        "17854490021187735",
    ]
    assert comments[0] == RemoteComment(
        external_id="18049955312280741",
        post_external_id=REEL,
        parent_external_id=None,
        author_name="dmitry.sokolov",
        author_external_id="17841400110022334",
        text="Обожаю ваш раф! Лаванда идеально 😍🔥",
        created_at=datetime(2026, 6, 13, 15, 20, 5, tzinfo=UTC),
        like_count=12,
    )
    assert comments[2] == RemoteComment(
        external_id="18112093475521068",
        post_external_id=REEL,
        parent_external_id="17887412093355620",
        author_name="zerno.coffee",
        author_external_id=IG_USER,
        text=APOLOGY,
        created_at=datetime(2026, 6, 13, 17, 2, 40, tzinfo=UTC),
        like_count=None,
        is_from_account=True,
    )
    assert comments[6].created_at == datetime(2026, 6, 13, 20, 0, 4, tzinfo=UTC)
    assert comments[6].like_count == 0
    reel_calls = platform_api.requests_to(path)
    assert len(reel_calls) == 2  # page 2 has no paging.next → stop
    assert reel_calls[0].query["fields"] == (
        "id,text,timestamp,username,like_count,from,replies{id,text,timestamp,username,from}"
    )


def test_paged_reply_threads_are_read_from_the_replies_edge(instagram, platform_api):
    parent = "17887412093355620"
    page = {
        "data": [
            {
                "id": parent,
                "text": "Разочарована.",
                "timestamp": "2026-06-13T16:41:18+0000",
                "username": "marina.lebedeva_kzn",
                "replies": {
                    "data": [],
                    "paging": {"next": f"https://graph.facebook.com/v25.0/{parent}/replies?after=x"},
                },
            }
        ]
    }
    platform_api.route("GET", f"{API}/{IMAGE}/comments", platform_api.inline(page))
    platform_api.route("GET", f"{API}/{parent}/replies", "instagram/ig_comment.replies.json")

    comments = list(instagram._media_comments(IMAGE))

    assert [(c.external_id, c.parent_external_id) for c in comments] == [
        (parent, None),
        ("18112093475521068", parent),
        ("17920558761203349", parent),
    ]


def test_fetch_comment_replies(instagram, platform_api):
    platform_api.route("GET", f"{API}/17887412093355620/replies", "instagram/ig_comment.replies.json")

    replies = instagram.fetch_comment_replies("17887412093355620", post_external_id=REEL)

    assert replies == [
        RemoteComment(
            external_id="18112093475521068",
            post_external_id=REEL,
            parent_external_id="17887412093355620",
            author_name="zerno.coffee",
            author_external_id=None,
            text=APOLOGY,
            created_at=datetime(2026, 6, 13, 17, 2, 40, tzinfo=UTC),
            is_from_account=True,  # recognised by the account's username
        ),
        RemoteComment(
            external_id="17920558761203349",
            post_external_id=REEL,
            parent_external_id="17887412093355620",
            author_name="marina.lebedeva_kzn",
            author_external_id=None,
            text="Написала, спасибо за быстрый ответ!",
            created_at=datetime(2026, 6, 13, 17, 30, 12, tzinfo=UTC),
        ),
    ]
    assert platform_api.requests[0].query["fields"] == "id,text,timestamp,username,from"


def test_reply_to_comment_and_comment_on_media(instagram, platform_api):
    platform_api.route("POST", f"{API}/17887412093355620/replies", "instagram/ig_comment.replies.create.json")
    platform_api.route("POST", f"{API}/{REEL}/comments", "instagram/ig_media.comments.create.json")

    reply = instagram.reply("17887412093355620", "Спасибо, Марина!")
    comment = instagram.reply(None, "Рецепт в карусели выше 👆", post_external_id=REEL)

    assert reply == ReplyResult(external_id="18127760043915562", parent_external_id="17887412093355620")
    assert comment == ReplyResult(external_id="18090312277441023")
    first, second = platform_api.requests
    assert first.method == "POST"
    assert first.form == {"message": "Спасибо, Марина!", "access_token": TOKEN}
    assert "access_token" not in first.query  # POST: the token travels in the body
    assert second.form["message"] == "Рецепт в карусели выше 👆"


def test_hide_comment(instagram, platform_api):
    platform_api.route("POST", f"{API}/17971233580441256", "instagram/ig_comment.hide.json")

    instagram.hide_comment("17971233580441256")

    assert platform_api.requests[0].form == {"hide": "true", "access_token": TOKEN}


# ---------------------------------------------------------------------- publishing


def route_publish(platform_api, *statuses: str) -> None:
    platform_api.route(
        "GET", f"{API}/{IG_USER}/content_publishing_limit", "instagram/ig_user.content_publishing_limit.json"
    )
    platform_api.route("POST", f"{API}/{IG_USER}/media", "instagram/ig_user.media.create_container.json")
    for status in statuses:
        platform_api.route("GET", f"{API}/{CONTAINER}", status, times=1)


def test_publish_waits_for_the_container_then_publishes(instagram, platform_api, sleeper):
    route_publish(
        platform_api, "instagram/ig_container.status.in_progress.json", "instagram/ig_container.status.finished.json"
    )
    platform_api.route("POST", f"{API}/{IG_USER}/media_publish", "instagram/ig_user.media_publish.json")

    result = instagram.publish(
        "Мастер-класс 14 июня",
        media_urls=["https://zerno-coffee.example/mk.jpg"],
        link="https://zerno-coffee.example/mk",
    )

    assert result == PublishResult(external_id="18071239904516877")
    assert sleeper.calls == [5.0]  # one IN_PROGRESS poll
    paths = [(r.method, r.path) for r in platform_api.requests]
    assert paths == [
        ("GET", f"{API}/{IG_USER}/content_publishing_limit"),
        ("POST", f"{API}/{IG_USER}/media"),
        ("GET", f"{API}/{CONTAINER}"),
        ("GET", f"{API}/{CONTAINER}"),
        ("POST", f"{API}/{IG_USER}/media_publish"),
    ]
    create = platform_api.requests[1]
    assert create.form == {
        "caption": "Мастер-класс 14 июня\n\nhttps://zerno-coffee.example/mk",
        "image_url": "https://zerno-coffee.example/mk.jpg",
        "access_token": TOKEN,
    }
    assert platform_api.requests[2].query["fields"] == "status_code,status"
    assert platform_api.requests[4].form["creation_id"] == CONTAINER


def test_publish_video_as_reel_and_carousel_children(instagram, platform_api):
    platform_api.route(
        "GET", f"{API}/{IG_USER}/content_publishing_limit", "instagram/ig_user.content_publishing_limit.json"
    )
    media = f"{API}/{IG_USER}/media"
    platform_api.route("POST", media, platform_api.inline({"id": "c1"}), form={"is_carousel_item": "true"}, times=1)
    platform_api.route("POST", media, platform_api.inline({"id": "c2"}), form={"is_carousel_item": "true"}, times=1)
    platform_api.route("POST", media, "instagram/ig_user.media.create_container.json")
    platform_api.route("GET", re.compile(rf"{API}/(c1|c2|{CONTAINER})"), "instagram/ig_container.status.finished.json")
    platform_api.route("POST", f"{API}/{IG_USER}/media_publish", "instagram/ig_user.media_publish.json")

    instagram.publish("Карусель", media_urls=["https://x.example/a.jpg", "https://x.example/b.MP4"])

    creates = [r.form for r in platform_api.requests if r.method == "POST" and r.path == media]
    assert creates[0]["image_url"] == "https://x.example/a.jpg"
    assert (creates[1]["media_type"], creates[1]["video_url"]) == ("VIDEO", "https://x.example/b.MP4")
    assert (creates[2]["media_type"], creates[2]["children"]) == ("CAROUSEL", "c1,c2")


def test_publish_rejected_media_is_not_published(instagram, platform_api):
    route_publish(platform_api, "instagram/ig_container.status.error.json")

    with pytest.raises(MediaRejected) as excinfo:
        instagram.publish("x", media_urls=["https://zerno-coffee.example/broken.jpg"])

    assert excinfo.value.code == "ERROR"
    assert not platform_api.requests_to(f"{API}/{IG_USER}/media_publish")


def test_publish_before_the_media_is_ready_is_transient(instagram, platform_api):
    route_publish(platform_api, "instagram/ig_container.status.finished.json")
    platform_api.route("POST", f"{API}/{IG_USER}/media_publish", "instagram/error.media_not_ready.json")

    with pytest.raises(MediaNotReady) as excinfo:
        instagram.publish("x", media_urls=["https://zerno-coffee.example/a.jpg"])

    assert (excinfo.value.code, excinfo.value.subcode, excinfo.value.retry_after) == (9007, 2207027, 60.0)
    assert excinfo.value.is_transient is True


def test_publish_respects_the_24h_quota(instagram, platform_api):
    full = {"data": [{"config": {"quota_total": 100, "quota_duration": 86400}, "quota_usage": 100}]}
    platform_api.route("GET", f"{API}/{IG_USER}/content_publishing_limit", platform_api.inline(full))

    with pytest.raises(RateLimited) as excinfo:
        instagram.publish("x", media_urls=["https://zerno-coffee.example/a.jpg"])

    assert excinfo.value.code == "publishing_limit"
    assert len(platform_api.requests) == 1


def test_publishing_quota(instagram, platform_api):
    platform_api.route(
        "GET", f"{API}/{IG_USER}/content_publishing_limit", "instagram/ig_user.content_publishing_limit.json"
    )

    assert instagram.publishing_quota() == (7, 100)
    assert platform_api.requests[0].query["fields"] == "config,quota_usage"


def test_publish_without_media_is_not_supported(instagram, platform_api):
    with pytest.raises(NotSupported, match="at least one image"):
        instagram.publish("text only")
    assert platform_api.requests == []


# ---------------------------------------------------------------------- errors
# Every error fixture's class, code, subcode and wait: test_contract.py.


def test_auth_error_user_message(instagram, platform_api):
    platform_api.route("GET", f"{API}/{IG_USER}", "instagram/error.token_expired.json")

    with pytest.raises(AuthExpired) as excinfo:
        instagram.fetch_profile()

    assert excinfo.value.user_message == "Instagram access expired — reconnect the account"


def test_app_secret_proof_is_sent_and_never_shown(platform_api):
    connector = InstagramConnector(TOKEN, IG_USER, base_url=platform_api.url, app_secret="app-secret-xyz")
    platform_api.route("GET", f"{API}/{IG_USER}", "instagram/ig_user.fields.json")

    connector.fetch_profile()

    expected = hmac.new(b"app-secret-xyz", TOKEN.encode(), hashlib.sha256).hexdigest()
    assert platform_api.requests[0].query["appsecret_proof"] == expected
    assert "app-secret-xyz" not in repr(connector)
