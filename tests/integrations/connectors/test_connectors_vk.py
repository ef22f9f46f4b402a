"""VK community connector against recorded VK API 5.199 responses."""

# The fixtures are Russian-language content; Cyrillic letters in expected strings are intended.

import copy
import re
from datetime import UTC, date, datetime

import pytest

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    AuthExpired,
    NotSupported,
    PostMetrics,
    PublishResult,
    RateLimited,
    RemoteComment,
    RemoteMention,
    RemotePost,
    ReplyResult,
)
from integrations.connectors.vk import CaptchaRequired, VKConnector

TOKEN = "vk1.a.TEST-secret-community-token-0001"
GROUP = "218450731"
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)  # 15:00 Moscow time
ANY_METHOD = re.compile(r"/method/[\w.]+")


@pytest.fixture
def vk(platform_api):
    return VKConnector(
        TOKEN, GROUP, base_url=f"{platform_api.url}/method", clock=lambda: NOW, page_size=3, comments_page_size=5
    )


def assert_vk_request(request, method: str) -> None:
    """Every VK call: POST /method/<name>?v=5.199 with the token in the form body only."""
    assert request.method == "POST"
    assert request.path == f"/method/{method}"
    assert request.query == {"v": "5.199"}
    assert request.form["access_token"] == TOKEN


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


def route_wall(platform_api):
    platform_api.route("POST", "/method/wall.get", "vk/wall.get.json", form={"offset": 0})
    platform_api.route("POST", "/method/wall.get", "vk/wall.get.page2.json", form={"offset": 3})


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


def test_unknown_keys_are_ignored(vk, platform_api):
    body = copy.deepcopy(platform_api.load("vk/wall.get.page2.json"))
    body["response"]["next_generation_field"] = {"x": 1}
    for item in body["response"]["items"]:
        item["reactions"] = {"count": 5, "items": [{"id": 0, "count": 5}]}
        item["reaction_set_id"] = "reactions"
        item["likes"]["brand_new"] = True
    body["response"]["count"] = 2
    platform_api.route("POST", "/method/wall.get", platform_api.inline(body))

    posts = vk.fetch_posts(since=datetime(2026, 6, 1, tzinfo=UTC))

    assert posts == [EXPECTED_POSTS["1846"], EXPECTED_POSTS["1843"]]


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


EMPTY_COMMENTS = {"response": {"count": 0, "items": [], "current_level_count": 0}}


def route_comments(platform_api, first_page: str) -> None:
    route_wall(platform_api)
    path = "/method/wall.getComments"
    platform_api.route("POST", path, first_page, form={"post_id": 1851, "offset": 0})
    platform_api.route("POST", path, "vk/wall.getComments.page2.json", form={"post_id": 1851, "offset": 5})
    platform_api.route("POST", path, "vk/error.wall_access_replies.json", form={"post_id": 1849})
    platform_api.route("POST", path, platform_api.inline(EMPTY_COMMENTS))


def test_fetch_comments_pages_threads_and_skips_closed_posts(vk, platform_api):
    route_comments(platform_api, "vk/wall.getComments.json")

    comments = vk.fetch_comments(since=datetime(2026, 6, 12, tzinfo=UTC))

    assert [c.external_id for c in comments] == [
        "1853", "1854", "1856", "1855", "1857", "1860", "1858", "1859", "1861", "1862",
    ]  # fmt: skip
    by_id = {c.external_id: c for c in comments}
    assert by_id["1853"] == RemoteComment(
        external_id="1853",
        post_external_id="1851",
        parent_external_id=None,
        author_name=None,  # the plain (non-extended) answer carries no profiles
        author_external_id="51238907",
        text="Раф с лавандой — просто космос! Взял вчера на Баумана, теперь хожу только к вам 😍",
        created_at=datetime(2026, 6, 12, 15, 40, tzinfo=UTC),
        like_count=14,
    )
    assert by_id["1856"].parent_external_id == "1854"
    assert by_id["1856"].is_from_account is True
    assert by_id["1856"].author_external_id == "-218450731"
    assert by_id["1860"].parent_external_id == "1857"
    assert by_id["1862"].created_at == datetime(2026, 6, 12, 17, 10, tzinfo=UTC)
    assert by_id["1862"].like_count == 6

    comment_calls = platform_api.requests_to("/method/wall.getComments")
    calls_1851 = [r for r in comment_calls if r.form["post_id"] == "1851"]
    assert [r.form["offset"] for r in calls_1851] == ["0", "5"]  # page 2 has 3 < 5 items → stop
    first = calls_1851[0]
    assert_vk_request(first, "wall.getComments")
    assert first.form["owner_id"] == "-218450731"
    assert first.form["count"] == "5"
    assert first.form["sort"] == "asc"
    assert first.form["need_likes"] == "1"
    assert first.form["extended"] == "1"
    assert sorted(r.form["post_id"] for r in comment_calls) == ["1842", "1843", "1846", "1849", "1851", "1851"]


def test_fetch_comments_resolves_author_names_from_extended_answer(vk, platform_api):
    route_comments(platform_api, "vk/wall.getComments.extended.json")

    comments = {c.external_id: c for c in vk.fetch_comments(since=datetime(2026, 6, 12, tzinfo=UTC))}

    assert comments["1853"].author_name == "Дмитрий Соколов"
    assert comments["1857"].author_name == "Марина Лебедева"
    assert comments["1856"].author_name == "Кофейня «Зерно» | Казань"
    assert comments["1858"].author_name == "Артём Никитин"
    assert comments["1859"].author_name is None  # page 2 has no profiles


def test_fetch_comments_filters_by_since(vk, platform_api):
    route_comments(platform_api, "vk/wall.getComments.json")

    comments = vk.fetch_comments(since=datetime(2026, 6, 12, 16, 5, tzinfo=UTC))

    # Replies 1856 (16:05, since is inclusive) and 1860 (16:25) count although their parents are older.
    assert [c.external_id for c in comments] == ["1856", "1860", "1858", "1859", "1861", "1862"]


def test_reply_creates_comment_as_the_community(vk, platform_api):
    platform_api.route("POST", "/method/wall.createComment", "vk/wall.createComment.json")

    result = vk.reply("1855", "С 9:00, ждём вас!", post_external_id="1851")

    assert result == ReplyResult(external_id="1863", parent_external_id="1855")
    (request,) = platform_api.requests
    assert_vk_request(request, "wall.createComment")
    assert request.form == {
        "owner_id": "-218450731",
        "post_id": "1851",
        "from_group": "218450731",
        "reply_to_comment": "1855",
        "message": "С 9:00, ждём вас!",
        "access_token": TOKEN,
    }


def test_reply_without_post_id_is_a_caller_error(vk, platform_api):
    with pytest.raises(ValueError, match="post_external_id"):
        vk.reply("1855", "text")
    assert platform_api.requests == []


def test_publish_posts_to_the_wall(vk, platform_api):
    platform_api.route("POST", "/method/wall.post", "vk/wall.post.json")

    result = vk.publish(
        "Мастер-класс в субботу",
        media_urls=["photo-218450731_457239118"],
        link="https://zerno-coffee.example/masterclass",
    )

    assert result == PublishResult(external_id="1852", permalink="https://vk.com/wall-218450731_1852")
    (request,) = platform_api.requests
    assert_vk_request(request, "wall.post")
    assert request.form["owner_id"] == "-218450731"
    assert request.form["from_group"] == "1"
    assert request.form["message"] == "Мастер-класс в субботу"
    assert request.form["attachments"] == "photo-218450731_457239118,https://zerno-coffee.example/masterclass"


def test_publish_from_url_is_not_supported(vk, platform_api):
    with pytest.raises(NotSupported) as excinfo:
        vk.publish("text", media_urls=["https://zerno-coffee.example/menu.jpg"])
    assert "uploaded to VK" in excinfo.value.user_message
    assert platform_api.requests == []


def test_search_mentions_follows_next_from(vk, platform_api):
    path = "/method/newsfeed.search"
    platform_api.route("POST", path, "vk/newsfeed.search.page2.json", form={"start_from": "2/-193004512_78214"})
    platform_api.route("POST", path, "vk/newsfeed.search.json", absent=("start_from",))

    mentions = vk.search_mentions("Зерно кофейня", since=datetime(2026, 6, 11, tzinfo=UTC))

    assert mentions == [
        RemoteMention(
            external_id="287430112_3391",
            url="https://vk.com/wall287430112_3391",
            author_name="Елена Смирнова",
            author_external_id="287430112",
            text="Лучший флэт уайт в Казани — в кофейне «Зерно» на Баумана. Рекомендую всем, кто ценит хороший кофе!",
            created_at=datetime(2026, 6, 13, 6, 12, tzinfo=UTC),
            likes=23,
            comments=2,
            shares=0,
            views=640,
        ),
        RemoteMention(
            external_id="-193004512_78214",
            url="https://vk.com/wall-193004512_78214",
            author_name="Афиша Казани | Куда сходить",
            author_external_id="-193004512",
            text=(
                "Подборка: 5 кофеен Казани для работы с ноутбуком. №3 — «Зерно»: розетки у каждого стола, "
                "но по вечерам шумно."
            ),
            created_at=datetime(2026, 6, 12, 17, 5, tzinfo=UTC),
            likes=412,
            comments=38,
            shares=57,
            views=21870,
        ),
        RemoteMention(
            external_id="405118723_1120",
            url="https://vk.com/wall405118723_1120",
            author_name="Артём Никитин",
            author_external_id="405118723",
            text="В «Зерне» опять подняли цены. Кофе хороший, но 390 за колд брю — это уже слишком.",
            created_at=datetime(2026, 6, 11, 11, 47, tzinfo=UTC),
            likes=5,
            comments=7,
            shares=0,
            views=310,
        ),
    ]
    first, second = platform_api.requests
    assert_vk_request(first, "newsfeed.search")
    assert first.form["q"] == "Зерно кофейня"
    assert first.form["extended"] == "1"
    assert first.form["start_time"] == "1781136000"
    assert second.form["start_from"] == "2/-193004512_78214"


# ---------------------------------------------------------------------- errors
# Every error fixture's class, code and wait: test_contract.py.


def test_vk_auth_error_says_reconnect(vk, platform_api):
    platform_api.route("POST", ANY_METHOD, "vk/error.token_expired.json")

    with pytest.raises(AuthExpired) as excinfo:
        vk.fetch_account_metrics(date(2026, 6, 12), date(2026, 6, 12))

    assert excinfo.value.user_message == "VK token expired — reconnect the account"
    assert excinfo.value.needs_reauth is True
    assert excinfo.value.account_status == "needs_reauth"


def test_vk_captcha_carries_the_captcha_reference(vk, platform_api):
    platform_api.route("POST", ANY_METHOD, "vk/error.captcha_needed.json")

    with pytest.raises(RateLimited) as excinfo:
        vk.reply("1855", "text", post_external_id="1851")

    assert isinstance(excinfo.value, CaptchaRequired)
    assert excinfo.value.captcha_sid == "617204335981"
    assert excinfo.value.captcha_img == "https://api.vk.com/captcha.php?sid=617204335981&s=1"


def test_unsupported_vk_features_say_why(vk):
    with pytest.raises(NotSupported) as excinfo:
        vk.hide_comment("1858")
    assert excinfo.value.user_message == ("VK cannot hide a comment, only delete it; answer negative comments instead")
    with pytest.raises(NotSupported):
        vk.fetch_campaigns()
