"""VK community connector against recorded VK API 5.199 responses."""

# The fixtures are Russian-language content; Cyrillic letters in expected strings are intended.

from datetime import UTC, date, datetime

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    PostMetrics,
    RemotePost,
)
from integrations.connectors.vk import VKConnector
from tests.integrations.connectors.vk_support import GROUP, NOW, TOKEN, assert_vk_request, route_wall


def test_fetch_profile_reads_groups_get_by_id(vk, platform_api):
    platform_api.route("POST", "/method/groups.getById", "vk/groups.getById.json")

    profile = vk.fetch_profile()

    assert profile == AccountProfile(
        external_id="218450731",
        name="Кофейня «Зерно» | Казань",
        username="zerno_coffee_kzn",
        followers=48213,
        url="https://vk.com/zerno_coffee_kzn",
        extra={"activity": "Кофейня", "verified": False},
    )
    (request,) = platform_api.requests
    assert_vk_request(request, "groups.getById")
    assert request.form["group_id"] == "218450731"
    assert request.form["fields"] == "members_count,activity,description,verified"


def test_account_metrics_are_per_moscow_day(vk, platform_api):
    platform_api.route("POST", "/method/stats.get", "vk/stats.get.json")

    days = vk.fetch_account_metrics(date(2026, 6, 10), date(2026, 6, 12))

    assert days == [
        AccountDay(
            day=date(2026, 6, 10),
            followers_gained=51,
            followers_lost=14,
            reach=10480,
            likes=266,
            comments=30,
            shares=21,
            profile_visits=1932,
            extra={"unique_visitors": 1240, "reach_subscribers": 7710, "mobile_reach": 9120, "hidden": 2},
        ),
        AccountDay(
            day=date(2026, 6, 11),
            followers_gained=38,
            followers_lost=9,
            reach=9630,
            likes=214,
            comments=22,
            shares=9,
            profile_visits=1805,
            extra={"unique_visitors": 1172, "reach_subscribers": 7340, "mobile_reach": 8410, "hidden": 1},
        ),
        AccountDay(
            day=date(2026, 6, 12),
            followers_gained=64,
            followers_lost=12,
            reach=11250,
            likes=301,
            comments=41,
            shares=17,
            profile_visits=2140,
            extra={"unique_visitors": 1388, "reach_subscribers": 8120, "mobile_reach": 9860, "hidden": 3},
        ),
    ]
    assert all(d.views is None and d.followers is None for d in days)  # not reported per day by VK
    (request,) = platform_api.requests
    assert_vk_request(request, "stats.get")
    assert request.form["group_id"] == GROUP
    assert request.form["interval"] == "day"
    assert request.form["intervals_count"] == "3"
    assert request.form["timestamp_from"] == "1781038800"  # 2026-06-10 00:00 MSK
    assert request.form["timestamp_to"] == "1781298000"  # 2026-06-13 00:00 MSK
    assert request.form["stats_groups"] == "visitors,reach,activity"


EXPECTED_POSTS = {
    "1842": RemotePost(
        external_id="1842",
        published_at=datetime(2026, 6, 1, 7, 0, 4, tzinfo=UTC),
        text=(
            "Друзья, мы открыли вторую кофейню — на Баумана, 44! ☕\n\nВесь июнь скидка 20% на фильтр-кофе по "
            "промокоду ЗЕРНО20. Работаем ежедневно с 8:00 до 22:00.\n\n#кофейнязерно #казань #кофе"
        ),
        format="photo",
        permalink="https://vk.com/wall-218450731_1842",
        likes=312,
        comments=47,
        shares=28,
        views=15420,
        media_urls=("https://sun9-61.userapi.com/impg/c457239101/v457239101/w.jpg",),
        is_pinned=True,
    ),
    "1851": RemotePost(
        external_id="1851",
        published_at=datetime(2026, 6, 12, 15, 30, tzinfo=UTC),
        text=(
            "Новое сезонное меню уже в кофейнях 🌿\n— раф «Лавандовый мёд»\n— колд брю на апельсиновом соке\n"
            "— домашний лимонад с базиликом\n\nЧто попробуете первым? Пишите в комментариях 👇"
        ),
        format="carousel",
        permalink="https://vk.com/wall-218450731_1851",
        likes=186,
        comments=10,
        shares=9,
        views=8931,
        media_urls=(
            "https://sun9-78.userapi.com/impg/c457239118/v457239118/w.jpg",
            "https://sun9-79.userapi.com/impg/c457239119/v457239119/w.jpg",
        ),
    ),
    "1849": RemotePost(
        external_id="1849",
        published_at=datetime(2026, 6, 10, 9, 0, tzinfo=UTC),
        text=(
            "Мастер-класс по альтернативному завариванию: пуровер, аэропресс и кемекс.\n"
            "Суббота, 14 июня, 12:00, Баумана, 44. Мест всего 12 — запись по ссылке."
        ),
        format="link",
        permalink="https://vk.com/wall-218450731_1849",
        likes=74,
        comments=11,
        shares=15,
        views=6204,
    ),
    "1846": RemotePost(
        external_id="1846",
        published_at=datetime(2026, 6, 7, 6, 15, 22, tzinfo=UTC),
        text=(
            "Доброе утро! Сегодня кофейня на Кремлёвской, 2 открывается в 10:00 из-за плановых работ. "
            "Приносим извинения за неудобства 🙏"
        ),
        format="text",
        permalink="https://vk.com/wall-218450731_1846",
        likes=41,
        comments=19,
        shares=2,
        views=5012,
    ),
    "1843": RemotePost(
        external_id="1843",
        published_at=datetime(2026, 6, 3, 13, 40, 9, tzinfo=UTC),
        text="Выбираем новый десерт для июльского меню. Голосуйте!",
        format="poll",
        permalink="https://vk.com/wall-218450731_1843",
        likes=98,
        comments=6,
        shares=4,
        views=7340,
    ),
}


def test_fetch_posts_pages_by_offset_until_count(vk, platform_api):
    route_wall(platform_api)

    posts = vk.fetch_posts(since=datetime(2026, 6, 1, tzinfo=UTC))

    assert posts == list(EXPECTED_POSTS.values())
    requests = platform_api.requests
    assert [r.form["offset"] for r in requests] == ["0", "3"]  # page 2: 3 + 2 == count 5 → stop
    for request in requests:
        assert_vk_request(request, "wall.get")
        assert request.form["owner_id"] == "-218450731"
        assert request.form["count"] == "3"
        assert request.form["filter"] == "owner"


def test_fetch_posts_pinned_old_post_does_not_stop_the_scan(vk, platform_api):
    route_wall(platform_api)

    posts = vk.fetch_posts(since=datetime(2026, 6, 8, tzinfo=UTC))

    assert [p.external_id for p in posts] == ["1851", "1849"]
    assert len(platform_api.requests) == 2  # pinned 1842 is older but page 2 was still read


def test_fetch_posts_stops_paging_at_first_older_unpinned_post(vk, platform_api):
    route_wall(platform_api)

    posts = vk.fetch_posts(since=datetime(2026, 6, 10, 12, 0, tzinfo=UTC))

    assert posts == [EXPECTED_POSTS["1851"]]
    assert len(platform_api.requests) == 1


def test_extended_wall_answer_parses_like_the_plain_one(platform_api):
    connector = VKConnector(TOKEN, GROUP, base_url=f"{platform_api.url}/method", clock=lambda: NOW)
    platform_api.route("POST", "/method/wall.get", "vk/wall.get.extended.json", form={"offset": 0})
    platform_api.route("POST", "/method/wall.get", platform_api.inline({"response": {"count": 5, "items": []}}))

    posts = connector.fetch_posts(since=datetime(2026, 5, 1, tzinfo=UTC))

    assert posts == [EXPECTED_POSTS["1842"]]
    assert [r.form["offset"] for r in platform_api.requests] == ["0", "1"]  # empty page ends the scan


def test_fetch_post_metrics_uses_post_reach(vk, platform_api):
    platform_api.route("POST", "/method/stats.getPostReach", "vk/stats.getPostReach.json")

    metrics = vk.fetch_post_metrics(["1851", "1849"])

    assert metrics == [
        PostMetrics(
            external_id="1851",
            reach=8931,
            link_clicks=0,
            followers_gained=14,
            extra={
                "reach_subscribers": 6120,
                "reach_viral": 2411,
                "reach_ads": 400,
                "to_group": 58,
                "hide": 3,
                "unsubscribe": 2,
                "report": 0,
            },
        ),
        PostMetrics(
            external_id="1849",
            reach=6204,
            link_clicks=412,
            followers_gained=6,
            extra={
                "reach_subscribers": 4980,
                "reach_viral": 1224,
                "reach_ads": 0,
                "to_group": 31,
                "hide": 1,
                "unsubscribe": 1,
                "report": 0,
            },
        ),
    ]
    (request,) = platform_api.requests
    assert_vk_request(request, "stats.getPostReach")
    assert request.form["owner_id"] == "-218450731"
    assert request.form["post_ids"] == "1851,1849"
