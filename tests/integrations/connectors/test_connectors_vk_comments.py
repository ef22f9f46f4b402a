"""VK community connector: comments, replies, publishing, mentions and VK-specific errors."""

# The fixtures are Russian-language content; Cyrillic letters in expected strings are intended.

from datetime import UTC, date, datetime

import pytest

from integrations.connectors.base import (
    AuthExpired,
    NotSupported,
    PublishResult,
    RateLimited,
    RemoteComment,
    RemoteMention,
    ReplyResult,
)
from integrations.connectors.vk import CaptchaRequired
from tests.integrations.connectors.vk_support import ANY_METHOD, TOKEN, assert_vk_request, route_wall

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
    # That every missing capability raises NotSupported with a reason: test_contract.py.
    with pytest.raises(NotSupported) as excinfo:
        vk.hide_comment("1858")
    assert excinfo.value.user_message == ("VK cannot hide a comment, only delete it; answer negative comments instead")
