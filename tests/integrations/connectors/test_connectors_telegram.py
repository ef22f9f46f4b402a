"""Telegram channel connector against recorded Bot API responses."""

# Russian channel content in expected values is intended.

import logging
from datetime import UTC, date, datetime

import pytest

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    NotSupported,
    PublishResult,
    RemoteComment,
    RemotePost,
    ReplyResult,
)
from integrations.connectors.telegram import ChatMigrated, TelegramConnector, WebhookConflict

TOKEN = "7000000001:AAF-TEST_secret_bot_token_value_1234"
CHANNEL = "@zerno_coffee_kzn"
DISCUSSION = "-1002251907334"
NOW = datetime(2026, 6, 13, 18, 0, tzinfo=UTC)
BOT = f"/bot{TOKEN}"
ALLOWED_UPDATES = ["message", "edited_message", "channel_post", "edited_channel_post", "message_reaction_count"]


def make(platform_api, external_id=CHANNEL, **kwargs):
    return TelegramConnector(TOKEN, external_id, base_url=platform_api.url, clock=lambda: NOW, **kwargs)


@pytest.fixture
def telegram(platform_api):
    return make(platform_api, discussion_chat_id=DISCUSSION, update_offset=583920141)


def route_updates(platform_api):
    path = f"{BOT}/getUpdates"
    platform_api.route("POST", path, "telegram/getUpdates.json", json={"offset": 583920141})
    platform_api.route("POST", path, "telegram/getUpdates.page2.json", json={"offset": 583920147})
    platform_api.route("POST", path, "telegram/getUpdates.empty.json", json={"offset": 583920151})


def test_fetch_profile_reads_chat_and_member_count(platform_api):
    connector = make(platform_api)
    platform_api.route("POST", f"{BOT}/getChat", "telegram/getChat.json")
    platform_api.route("POST", f"{BOT}/getChatMemberCount", "telegram/getChatMemberCount.json")

    profile = connector.fetch_profile()

    assert profile == AccountProfile(
        external_id="-1002143658790",
        name="Кофейня «Зерно» | Казань",
        username="zerno_coffee_kzn",
        followers=12873,
        url="https://t.me/zerno_coffee_kzn",
        extra={"linked_chat_id": -1002251907334, "type": "channel"},
    )
    assert connector.discussion_chat_id == DISCUSSION  # learned from linked_chat_id
    get_chat, member_count = platform_api.requests
    assert (get_chat.method, get_chat.path, get_chat.json) == ("POST", f"{BOT}/getChat", {"chat_id": CHANNEL})
    assert member_count.path == f"{BOT}/getChatMemberCount"
    assert member_count.json == {"chat_id": CHANNEL}


def test_account_metrics_is_todays_subscriber_count_only(telegram, platform_api):
    platform_api.route("POST", f"{BOT}/getChatMemberCount", "telegram/getChatMemberCount.json")

    assert telegram.fetch_account_metrics(date(2026, 6, 1), date(2026, 6, 13)) == [
        AccountDay(day=date(2026, 6, 13), followers=12873)
    ]
    assert telegram.fetch_account_metrics(date(2026, 6, 1), date(2026, 6, 12)) == []  # history does not exist
    assert len(platform_api.requests) == 1


def test_fetch_posts_reads_updates_until_an_empty_batch(telegram, platform_api):
    route_updates(platform_api)

    posts = telegram.fetch_posts(since=datetime(2026, 6, 13, tzinfo=UTC))

    assert posts == [
        RemotePost(
            external_id="410",
            published_at=datetime(2026, 6, 13, 5, 0, 12, tzinfo=UTC),
            text=(
                "Доброе утро! Сегодня кофейня на Кремлёвской откроется в 10:00 из-за плановых работ 🙏\n"
                "UPD: уже открылись, ждём вас!"
            ),  # the edit from page 2 replaced the original text
            format="text",
            permalink="https://t.me/zerno_coffee_kzn/410",
            extra={"edited_at": "2026-06-13T07:02:00+00:00"},
        ),
        RemotePost(
            external_id="411",
            published_at=datetime(2026, 6, 13, 14, 45, tzinfo=UTC),
            text="Раф «Лавандовый мёд» уже в меню обеих кофеен. Напишите в комментариях, как вам!",
            format="photo",
            permalink="https://t.me/zerno_coffee_kzn/411",
            likes=95,  # latest reaction snapshot (page 2): 61 + 24 + 2 + 3 + 5
            extra={
                "reactions": {"❤": 61, "🔥": 24, "👎": 2, "custom:5368324170671202286": 3, "paid": 5},
                "author_signature": "Анна Ковалева",
            },
        ),
    ]
    assert all(p.views is None for p in posts)
    requests = platform_api.requests
    assert [r.json["offset"] for r in requests] == [583920141, 583920147, 583920151]
    assert all(r.json["timeout"] == 0 and r.json["allowed_updates"] == ALLOWED_UPDATES for r in requests)
    assert telegram.next_update_offset == 583920151  # persisted by the sync for the next run


def test_fetch_comments_maps_threads_to_channel_posts(telegram, platform_api):
    route_updates(platform_api)
    telegram.fetch_posts(since=datetime(2026, 6, 13, tzinfo=UTC))

    comments = telegram.fetch_comments(since=datetime(2026, 6, 13, tzinfo=UTC))

    assert comments == [
        RemoteComment(
            external_id="-1002251907334:2302",
            post_external_id="411",
            parent_external_id=None,
            author_name="Дмитрий Соколов",
            author_external_id="5120443871",
            text="Уже попробовал — очень нежный, лаванда не перебивает кофе 👍",
            created_at=datetime(2026, 6, 13, 14, 58, 40, tzinfo=UTC),
        ),
        RemoteComment(
            external_id="-1002251907334:2303",
            post_external_id="411",
            parent_external_id=None,
            author_name="Марина",
            author_external_id="948211307",
            text="А почему в приложении доставки его до сих пор нет? Третий день жду 😕",
            created_at=datetime(2026, 6, 13, 15, 12, 9, tzinfo=UTC),
        ),
        RemoteComment(
            external_id="-1002251907334:2304",
            post_external_id="411",
            parent_external_id=None,
            author_name="Игорь Петров",
            author_external_id="6605118240",
            text="Во сколько завтра открываетесь на Баумана?",
            created_at=datetime(2026, 6, 13, 16, 1, 30, tzinfo=UTC),
        ),
        RemoteComment(
            external_id="-1002251907334:2305",
            post_external_id="411",  # via the thread root 2301 (automatic forward of post 411)
            parent_external_id="-1002251907334:2304",
            author_name="Администратор",
            author_external_id="-1002251907334",
            text="Игорь, с 8:00, как обычно. Ждём!",
            created_at=datetime(2026, 6, 13, 16, 6, 2, tzinfo=UTC),
            is_from_account=True,
        ),
    ]
    assert len(platform_api.requests) == 3  # posts and comments share one pass over the updates


def test_empty_update_batch_leaves_offset_unchanged(platform_api):
    connector = make(platform_api, discussion_chat_id=DISCUSSION, update_offset=583920151)
    platform_api.route("POST", f"{BOT}/getUpdates", "telegram/getUpdates.empty.json")

    assert connector.fetch_posts(since=datetime(2026, 6, 1, tzinfo=UTC)) == []
    assert connector.fetch_comments(since=datetime(2026, 6, 1, tzinfo=UTC)) == []
    assert connector.next_update_offset == 583920151
    assert len(platform_api.requests) == 1


def test_reply_quotes_the_comment_in_its_chat(telegram, platform_api):
    platform_api.route("POST", f"{BOT}/sendMessage", "telegram/sendMessage.json")

    result = telegram.reply("-1002251907334:2304", "С 8:00!")

    assert result == ReplyResult(external_id="-1002143658790:412", parent_external_id="-1002251907334:2304")
    (request,) = platform_api.requests
    assert request.json == {
        "chat_id": "-1002251907334",
        "text": "С 8:00!",
        "reply_parameters": {"message_id": 2304, "allow_sending_without_reply": True},
    }


def test_publish_text_and_photo(telegram, platform_api):
    platform_api.route("POST", f"{BOT}/sendMessage", "telegram/sendMessage.json")
    platform_api.route("POST", f"{BOT}/sendPhoto", "telegram/sendPhoto.json")

    text = telegram.publish("Сегодня в 12:00 — мастер-класс", link="https://zerno-coffee.example/masterclass")
    photo = telegram.publish("Новое сезонное меню", media_urls=["https://zerno-coffee.example/menu.jpg"])

    assert text == PublishResult(external_id="412", permalink="https://t.me/zerno_coffee_kzn/412")
    assert photo == PublishResult(external_id="413", permalink="https://t.me/zerno_coffee_kzn/413")
    send_message, send_photo = platform_api.requests
    assert send_message.json == {
        "chat_id": CHANNEL,
        "text": "Сегодня в 12:00 — мастер-класс\n\nhttps://zerno-coffee.example/masterclass",
    }  # plain text: no parse_mode, so user text cannot break markup
    assert send_photo.json == {
        "chat_id": CHANNEL,
        "photo": "https://zerno-coffee.example/menu.jpg",
        "caption": "Новое сезонное меню",
    }


def test_delete_comment(telegram, platform_api):
    platform_api.route("POST", f"{BOT}/deleteMessage", "telegram/deleteMessage.json")

    telegram.delete_comment("-1002251907334:2305")

    (request,) = platform_api.requests
    assert request.json == {"chat_id": "-1002251907334", "message_id": 2305}


def test_migrated_group_is_retried_once_with_the_new_id(platform_api):
    connector = make(platform_api, external_id="-4012345678")
    path = f"{BOT}/sendMessage"
    platform_api.route("POST", path, "telegram/error.migrated_to_supergroup.json", json={"chat_id": "-4012345678"})
    platform_api.route("POST", path, "telegram/sendMessage.json", json={"chat_id": "-1002251907334"})

    result = connector.publish("Привет")

    assert result.external_id == "412"
    assert connector.chat_migrations == {"-4012345678": "-1002251907334"}
    assert connector.external_id == "-1002251907334"  # the sync stores the new id
    assert [r.json["chat_id"] for r in platform_api.requests] == ["-4012345678", "-1002251907334"]


def test_served_status_equals_error_code(platform_api):
    platform_api.route("POST", f"{BOT}/getUpdates", "telegram/error.conflict_webhook.json")

    with pytest.raises(WebhookConflict) as excinfo:
        make(platform_api).poll_updates()

    assert excinfo.value.account_status == "error"
    assert "webhook" in excinfo.value.user_message


def test_migration_error_carries_the_new_chat_id(platform_api):
    platform_api.route("POST", f"{BOT}/deleteMessage", "telegram/error.migrated_to_supergroup.json")

    with pytest.raises(ChatMigrated) as excinfo:
        make(platform_api).delete_comment("-4012345678:10")

    assert excinfo.value.new_chat_id == "-1002251907334"
    assert len(platform_api.requests) == 2  # original + one retry with the new id, then give up


def test_views_and_mentions_are_not_supported(telegram):
    with pytest.raises(NotSupported) as excinfo:
        telegram.fetch_post_metrics(["411"])
    assert excinfo.value.user_message.startswith("Telegram Bot API does not report view counts")
    with pytest.raises(NotSupported):
        telegram.search_mentions("Зерно", since=NOW)


def test_token_in_url_path_is_scrubbed_from_httpx_logs(telegram, platform_api, caplog):
    platform_api.route("POST", f"{BOT}/deleteMessage", "telegram/deleteMessage.json")

    # Settings keep httpx at WARNING; turned up, its URL lines must still be scrubbed.
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="httpx"):
        telegram.delete_comment("-1002251907334:2305")

    # Only the client's loggers matter here (the local test server logs its own request line).
    client_log = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("httpx", "httpcore")))
    assert "/bot7000000001:***/deleteMessage" in client_log
    assert TOKEN.split(":")[1] not in client_log
