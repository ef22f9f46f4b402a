"""Connecting a Telegram bot: getMe and getChat validate the token and the channel before anything is stored."""

import pytest
from django.urls import reverse

from core.errors import DomainError
from integrations.models import SocialAccount
from integrations.services import telegram_account_connect
from tests.integrations.connect_support import BOT_TOKEN, serve_fixture

pytestmark = pytest.mark.django_db


def test_telegram_bot_connect_validates_with_getme_and_getchat(org, owner_access, telegram_env):
    telegram_env.expect_request(f"/bot{BOT_TOKEN}/getMe", method="POST").respond_with_json(
        {"ok": True, "result": {"id": 7012345678, "is_bot": True, "first_name": "Zerno", "username": "zerno_smm_bot"}}
    )
    serve_fixture(telegram_env, f"/bot{BOT_TOKEN}/getChat", "getChat.json")
    serve_fixture(telegram_env, f"/bot{BOT_TOKEN}/getChatMemberCount", "getChatMemberCount.json")

    account = telegram_account_connect(access=owner_access, bot_token=BOT_TOKEN, chat="https://t.me/zerno_coffee_kzn")

    assert (account.platform, account.external_id, account.display_name) == (
        "telegram",
        "-1002143658790",
        "Кофейня «Зерно» | Казань",
    )
    assert account.username == "zerno_coffee_kzn"
    assert account.options["connector"] == {"discussion_chat_id": "-1002251907334"}
    assert account.options["bot_username"] == "zerno_smm_bot"
    assert account.credentials == {"access_token": BOT_TOKEN}


def test_telegram_bad_token_is_a_field_error(org, owner_access, telegram_env):
    serve_fixture(telegram_env, f"/bot{BOT_TOKEN}/getMe", "error.unauthorized.json", status=401)
    with pytest.raises(DomainError) as caught:
        telegram_account_connect(access=owner_access, bot_token=BOT_TOKEN, chat="@zerno_coffee_kzn")
    assert list(caught.value.fields) == ["bot_token"]
    assert not SocialAccount.objects.exists()


def test_telegram_bot_not_in_channel_is_a_field_error_with_the_reason(org, owner_access, telegram_env):
    telegram_env.expect_request(f"/bot{BOT_TOKEN}/getMe", method="POST").respond_with_json(
        {"ok": True, "result": {"id": 7012345678, "is_bot": True, "username": "zerno_smm_bot"}}
    )
    serve_fixture(telegram_env, f"/bot{BOT_TOKEN}/getChat", "error.bot_not_member.json", status=403)
    with pytest.raises(DomainError) as caught:
        telegram_account_connect(access=owner_access, bot_token=BOT_TOKEN, chat="@zerno_coffee_kzn")
    assert list(caught.value.fields) == ["chat"]
    assert "Add the bot to the channel as an administrator" in str(caught.value)
    assert not SocialAccount.objects.exists()


def test_telegram_form_errors_render_on_the_page_without_echoing_the_token(owner_web, org, telegram_env):
    serve_fixture(telegram_env, f"/bot{BOT_TOKEN}/getMe", "error.unauthorized.json", status=401)
    response = owner_web.post(
        reverse("integrations:connect_telegram", kwargs={"org_slug": org.slug}),
        {"tg-bot_token": BOT_TOKEN, "tg-chat": "@zerno_coffee_kzn"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Telegram does not accept this bot token" in html
    assert BOT_TOKEN not in html
