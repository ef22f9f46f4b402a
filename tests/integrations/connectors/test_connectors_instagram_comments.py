"""Instagram connector: comments, replies and hiding, against recorded Graph API v25.0 responses."""

from datetime import UTC, datetime

from integrations.connectors.base import (
    RemoteComment,
    ReplyResult,
)
from tests.integrations.connectors.instagram_support import (
    API,
    APOLOGY,
    CAROUSEL,
    COMMENTS_CURSOR,
    IG_USER,
    IMAGE,
    REEL,
    TOKEN,
    route_media,
)

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
