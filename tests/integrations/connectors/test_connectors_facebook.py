"""Facebook Page connector against recorded Graph API v25.0 responses."""

# Russian post texts in expected values are intended.

from datetime import UTC, date, datetime

import pytest

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    NotSupported,
    PermissionDenied,
    PostMetrics,
    PublishResult,
    RemoteComment,
    RemotePost,
    ReplyResult,
)
from integrations.connectors.facebook import PAGE_METRICS, POST_FIELDS, POST_METRICS, FacebookConnector
from integrations.connectors.graph import GraphUsage

TOKEN = "EAAG-TEST-page-secret-token-0004"
PAGE = "104857362519874"
API = "/v25.0"
POST = "104857362519874_122134502211987654"
VIDEO_POST = "104857362519874_122134567890123456"
PAGE2_CURSOR = "QVFIUmx5UUl0ZAFVCY3RSUkpxTV9OeU1aRWhqX0RLSGd2SlhxdmNn"


def ts(*args: int) -> str:
    return str(int(datetime(*args, tzinfo=UTC).timestamp()))


@pytest.fixture
def facebook(platform_api):
    return FacebookConnector(TOKEN, PAGE, base_url=platform_api.url, comments_lookback_days=0)


def test_fetch_profile_and_usage_headers(facebook, platform_api):
    body = {
        "id": PAGE,
        "name": "Кофейня «Зерно»",
        "username": "zernocoffee",
        "link": "https://www.facebook.com/zernocoffee",
        "followers_count": 9876,
        "fan_count": 9502,
    }
    platform_api.route(
        "GET", f"{API}/{PAGE}", platform_api.with_headers("facebook/http_headers.rate_limit_usage.json", body)
    )

    profile = facebook.fetch_profile()

    assert profile == AccountProfile(
        external_id=PAGE,
        name="Кофейня «Зерно»",
        username="zernocoffee",
        followers=9876,
        url="https://www.facebook.com/zernocoffee",
        extra={"fan_count": 9502},
    )
    assert facebook.last_usage == GraphUsage(max_percent=12.0, regain_seconds=None)


def test_page_insights_by_day(facebook, platform_api):
    platform_api.route("GET", f"{API}/{PAGE}/insights", "facebook/page.insights.json")

    days = facebook.fetch_account_metrics(date(2026, 6, 10), date(2026, 6, 12))

    assert days == [
        AccountDay(
            day=date(2026, 6, 10), followers=9841, followers_gained=18, reach=3302, views=6210, interactions=412
        ),
        AccountDay(
            day=date(2026, 6, 11), followers=9850, followers_gained=11, reach=3011, views=5874, interactions=365
        ),
        AccountDay(
            day=date(2026, 6, 12), followers=9876, followers_gained=29, reach=4876, views=9120, interactions=701
        ),
    ]
    (request,) = platform_api.requests  # paging.next of insights is the next window: not followed
    assert request.method == "GET"
    assert request.query == {
        "metric": PAGE_METRICS,
        "period": "day",
        "since": ts(2026, 6, 10),
        "until": ts(2026, 6, 13),
        "access_token": TOKEN,
    }


EXPECTED_POSTS = [
    RemotePost(
        external_id=VIDEO_POST,
        published_at=datetime(2026, 6, 13, 15, 5, tzinfo=UTC),
        text="Как мы готовим раф «Лавандовый мёд» 💜",
        format="video",
        permalink="https://www.facebook.com/104857362519874/posts/122134567890123456",
        likes=231,
        comments=18,
        shares=14,
        media_urls=(
            "https://scontent.fala5-1.fna.fbcdn.net/v/t39.30808-6/122134567890123456_n.jpg?_nc_cat=105&oh=00_AfD23456&oe=6852C3B1",
        ),
        extra={"status_type": "added_video"},
    ),
    RemotePost(
        external_id=POST,
        published_at=datetime(2026, 6, 12, 9, 31, 12, tzinfo=UTC),
        text="Сезонное меню: раф «Лавандовый мёд», колд брю на апельсиновом соке и лимонад с базиликом.",
        format="photo",
        permalink="https://www.facebook.com/104857362519874/posts/122134502211987654",
        likes=118,
        comments=3,
        shares=6,
        media_urls=(
            "https://scontent.fala5-1.fna.fbcdn.net/v/t39.30808-6/122134502211987654_n.jpg?_nc_cat=105&oh=00_AfD87654&oe=6852C3B1",
        ),
        extra={"status_type": "added_photos"},
    ),
    RemotePost(
        external_id="104857362519874_122134411009876543",
        published_at=datetime(2026, 6, 10, 7, 2, tzinfo=UTC),
        text="Мастер-класс по альтернативному завариванию — 14 июня, 12:00. Запись: https://zerno-coffee.example/masterclass",
        format="link",
        permalink="https://www.facebook.com/104857362519874/posts/122134411009876543",
        likes=64,
        comments=5,
        shares=11,
        media_urls=(
            "https://scontent.fala5-1.fna.fbcdn.net/v/t39.30808-6/122134411009876543_n.jpg?_nc_cat=105&oh=00_AfD76543&oe=6852C3B1",
        ),
        extra={"status_type": "shared_story"},
    ),
    RemotePost(
        external_id="104857362519874_122133998877665544",
        published_at=datetime(2026, 6, 7, 6, 15, 40, tzinfo=UTC),
        text="Сегодня кофейня на Кремлёвской открывается в 10:00. Приносим извинения!",
        format="text",
        permalink="https://www.facebook.com/104857362519874/posts/122133998877665544",
        likes=22,
        comments=7,
        shares=0,  # Graph omits "shares" when there are none
        extra={"status_type": "mobile_status_update"},
    ),
    RemotePost(
        external_id="104857362519874_122133790011223344",
        published_at=datetime(2026, 6, 1, 7, 0, 9, tzinfo=UTC),
        text="Мы открыли вторую кофейню — на Баумана, 44! ☕ Весь июнь скидка 20% на фильтр-кофе.",
        format="photo",
        permalink="https://www.facebook.com/104857362519874/posts/122133790011223344",
        likes=540,
        comments=61,
        shares=37,
        media_urls=(
            "https://scontent.fala5-1.fna.fbcdn.net/v/t39.30808-6/122133790011223344_n.jpg?_nc_cat=105&oh=00_AfD23344&oe=6852C3B1",
        ),
        extra={"status_type": "added_photos"},
    ),
]


def route_posts(platform_api):
    path = f"{API}/{PAGE}/posts"
    platform_api.route("GET", path, "facebook/page.posts.page2.json", query={"after": PAGE2_CURSOR})
    platform_api.route("GET", path, "facebook/page.posts.json", absent=("after",))


def test_fetch_posts_pages_with_cursor(facebook, platform_api):
    route_posts(platform_api)

    posts = facebook.fetch_posts(since=datetime(2026, 6, 1, tzinfo=UTC))

    assert posts == EXPECTED_POSTS
    first, second = platform_api.requests
    assert first.query == {"fields": POST_FIELDS, "limit": "50", "since": ts(2026, 6, 1), "access_token": TOKEN}
    assert second.query["after"] == PAGE2_CURSOR
    assert second.query["access_token"] == TOKEN


def test_fetch_posts_stops_at_older_posts(facebook, platform_api):
    route_posts(platform_api)

    posts = facebook.fetch_posts(since=datetime(2026, 6, 11, tzinfo=UTC))

    assert posts == EXPECTED_POSTS[:2]
    assert len(platform_api.requests) == 1


def test_post_insights(facebook, platform_api):
    platform_api.route("GET", f"{API}/{POST}/insights", "facebook/post.insights.json")

    metrics = facebook.fetch_post_metrics([POST])

    assert metrics == [
        PostMetrics(
            external_id=POST,
            reach=3390,
            views=4817,
            likes=118,  # 84 + 27 + 3 + 2 + 0 + 2 reactions, equal to the listing's reaction total
            extra={"clicks": 212, "reactions": {"like": 84, "love": 27, "wow": 3, "haha": 2, "sorry": 0, "anger": 2}},
        )
    ]
    assert platform_api.requests[0].query["metric"] == POST_METRICS


def test_fetch_comments_with_replies(facebook, platform_api):
    route_posts(platform_api)
    platform_api.route("GET", f"{API}/{POST}/comments", "facebook/post.comments.json")
    platform_api.route("GET", f"{API}/{VIDEO_POST}/comments", platform_api.inline({"data": []}))
    reply = {
        "id": "122134502211987654_1209345566779012",
        "created_time": "2026-06-12T12:05:00+0000",
        "message": "Сергей, простите за ожидание — напишите нам в сообщения, разберёмся.",
        "from": {"name": "Кофейня «Зерно»", "id": PAGE},
        "like_count": 0,
        "comment_count": 0,
    }
    platform_api.route(
        "GET", f"{API}/122134502211987654_1209345566778901/comments", platform_api.inline({"data": [reply]})
    )

    comments = facebook.fetch_comments(since=datetime(2026, 6, 12, tzinfo=UTC))

    assert comments == [
        RemoteComment(
            external_id="122134502211987654_1209345566778899",
            post_external_id=POST,
            parent_external_id=None,
            author_name="Aigerim Nurlanova",
            author_external_id="8123456789012345",
            text="Очень вкусно, особенно колд брю! 👍",
            created_at=datetime(2026, 6, 12, 10, 2, 11, tzinfo=UTC),
            like_count=5,
        ),
        RemoteComment(
            external_id="122134502211987654_1209345566778901",
            post_external_id=POST,
            parent_external_id=None,
            author_name="Sergey Kuznetsov",
            author_external_id="7012345678901234",
            text="Ждал заказ 40 минут, так и не дождался. Ужасный сервис.",
            created_at=datetime(2026, 6, 12, 11, 40, 3, tzinfo=UTC),
            like_count=2,
        ),
        RemoteComment(
            external_id="122134502211987654_1209345566779012",
            post_external_id=POST,
            parent_external_id="122134502211987654_1209345566778901",
            author_name="Кофейня «Зерно»",
            author_external_id=PAGE,
            text="Сергей, простите за ожидание — напишите нам в сообщения, разберёмся.",
            created_at=datetime(2026, 6, 12, 12, 5, tzinfo=UTC),
            like_count=0,
            is_from_account=True,
        ),
        RemoteComment(
            external_id="122134502211987654_1209345566778955",
            post_external_id=POST,
            parent_external_id=None,
            author_name=None,  # "from" is omitted when the commenter has not authorised the app
            author_external_id=None,
            text="Какие часы работы в субботу?",
            created_at=datetime(2026, 6, 12, 13, 15, 48, tzinfo=UTC),
            like_count=0,
        ),
    ]
    top_level = platform_api.requests_to(f"{API}/{POST}/comments")[0]
    assert top_level.query["filter"] == "toplevel"
    assert top_level.query["fields"] == "id,message,created_time,from,like_count,comment_count"


def test_reply_as_the_page(facebook, platform_api):
    platform_api.route(
        "POST", f"{API}/122134502211987654_1209345566778901/comments", "facebook/post.comments.create.json"
    )

    result = facebook.reply("122134502211987654_1209345566778901", "Сергей, простите!")

    assert result == ReplyResult(
        external_id="122134502211987654_1209345566779012", parent_external_id="122134502211987654_1209345566778901"
    )
    assert platform_api.requests[0].form == {"message": "Сергей, простите!", "access_token": TOKEN}


def test_hide_comment(facebook, platform_api):
    platform_api.route("POST", f"{API}/122134502211987654_1209345566778901", platform_api.inline({"success": True}))

    facebook.hide_comment("122134502211987654_1209345566778901")

    assert platform_api.requests[0].form == {"is_hidden": "true", "access_token": TOKEN}


def test_publish_link_post_and_photo(facebook, platform_api):
    platform_api.route("POST", f"{API}/{PAGE}/feed", "facebook/page.feed.create.json")
    platform_api.route("POST", f"{API}/{PAGE}/photos", "facebook/page.photos.create.json")

    link_post = facebook.publish("Мастер-класс 14 июня", link="https://zerno-coffee.example/masterclass")
    photo_post = facebook.publish("Сезонное меню", media_urls=["https://zerno-coffee.example/menu.jpg"])

    assert link_post == PublishResult(
        external_id="104857362519874_122134610022334455",
        permalink="https://www.facebook.com/104857362519874_122134610022334455",
    )
    assert photo_post == PublishResult(
        external_id="104857362519874_122134610099887767",  # post_id, not the photo id
        permalink="https://www.facebook.com/104857362519874_122134610099887767",
    )
    feed, photos = platform_api.requests
    assert feed.form == {
        "message": "Мастер-класс 14 июня",
        "link": "https://zerno-coffee.example/masterclass",
        "access_token": TOKEN,
    }
    assert photos.form == {
        "url": "https://zerno-coffee.example/menu.jpg",
        "caption": "Сезонное меню",
        "access_token": TOKEN,
    }


def test_publish_video_is_not_supported(facebook, platform_api):
    with pytest.raises(NotSupported):
        facebook.publish("x", media_urls=["https://zerno-coffee.example/clip.mp4"])
    assert platform_api.requests == []


def test_permission_error_shows_the_platform_reason(facebook, platform_api):
    platform_api.route("GET", f"{API}/{PAGE}/insights", "facebook/error.pages_permission.json")

    with pytest.raises(PermissionDenied) as excinfo:
        facebook.fetch_account_metrics(date(2026, 6, 12), date(2026, 6, 12))

    assert excinfo.value.account_status == "error"
    assert "pages_read_engagement" in excinfo.value.user_message
