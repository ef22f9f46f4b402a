"""No connect or refresh flow (VK ID, Meta, Telegram) writes a token, code, verifier or app secret to a log."""

import logging

import pytest
from django.urls import reverse

from core.errors import DomainError
from integrations.connectors.base import AuthExpired
from integrations.models import OAuthState, SocialAccount
from integrations.services import credentials_refresh, oauth_start, telegram_account_connect
from tests.integrations.connect_support import (
    BOT_TOKEN,
    META_LONG,
    META_PAGE,
    META_SHORT,
    VK_ACCESS,
    VK_REFRESH,
    VK_TOKEN_BODY,
    query,
    serve_fixture,
)
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_no_connect_or_refresh_flow_logs_a_secret(owner_web, org, owner_access, vk_env, meta_env, telegram_env, caplog):
    """Every connect/refresh flow, with every logger at DEBUG (httpx and httpcore too, although the
    settings keep them at WARNING): no token, code, verifier or app secret appears in any record."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "httpcore.connection", "httpcore.http11"):
        caplog.set_level(logging.DEBUG, logger=name)
    server = vk_env  # one local server plays VK ID, Graph and the Bot API

    # VK ID: code exchange through the callback page, then a refresh.
    start = owner_web.post(
        reverse("integrations:oauth_start", kwargs={"org_slug": org.slug, "provider": "vk"}),
        {"vk-platform": "vk", "vk-external_id": "218450731"},
    )
    vk_state = query(start["Location"])["state"]
    verifier = OAuthState.objects.get(state=vk_state).code_verifier
    server.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(VK_TOKEN_BODY)
    owner_web.get(
        reverse("oauth_callback", kwargs={"provider": "vk"}),
        {"code": "vk-auth-code-secret", "state": vk_state, "device_id": "device-42"},
    )
    vk_account = SocialAccount.objects.get(platform="vk")
    server.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(
        {**VK_TOKEN_BODY, "access_token": "vk2.a.RefreshedAccess-5555", "refresh_token": "vk2.a.RefreshedRefresh-6666"}
    )
    credentials_refresh(account=vk_account)
    # A refused refresh: the error path must not leak either.
    server.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json({"error": "invalid_grant"}, 400)
    with pytest.raises(AuthExpired):
        credentials_refresh(account=vk_account)

    # Meta: code → short-lived → long-lived → Page token, then the long-lived renewal.
    meta_url = oauth_start(access=owner_access, provider="meta", platform="facebook", external_id="104857600123456")
    server.expect_ordered_request("/v25.0/oauth/access_token", method="POST").respond_with_json(
        {"access_token": META_SHORT, "token_type": "bearer", "expires_in": 5183}
    )
    server.expect_ordered_request("/v25.0/oauth/access_token", method="POST").respond_with_json(
        {"access_token": META_LONG, "token_type": "bearer", "expires_in": 5183944}
    )
    server.expect_ordered_request("/v25.0/104857600123456").respond_with_json(
        {"id": "104857600123456", "name": "Кофейня Зерно", "access_token": META_PAGE}
    )
    owner_web.get(
        reverse("oauth_callback", kwargs={"provider": "meta"}),
        {"code": "meta-code-secret", "state": query(meta_url)["state"]},
    )
    assert SocialAccount.objects.filter(platform="facebook").exists()
    instagram = SocialAccountFactory(organization=org, platform="instagram", credentials={"access_token": META_LONG})
    server.expect_oneshot_request("/v25.0/oauth/access_token", method="POST").respond_with_json(
        {"access_token": "EAARenewedLongLived000", "token_type": "bearer", "expires_in": 5183944}
    )
    credentials_refresh(account=instagram)

    # Telegram: the bot token check (getMe, getChat, getChatMemberCount), then a refused token.
    server.expect_request(f"/bot{BOT_TOKEN}/getMe", method="POST").respond_with_json(
        {"ok": True, "result": {"id": 7012345678, "is_bot": True, "first_name": "Zerno", "username": "zerno_smm_bot"}}
    )
    serve_fixture(server, f"/bot{BOT_TOKEN}/getChat", "getChat.json")
    serve_fixture(server, f"/bot{BOT_TOKEN}/getChatMemberCount", "getChatMemberCount.json")
    telegram_account_connect(access=owner_access, bot_token=BOT_TOKEN, chat="https://t.me/zerno_coffee_kzn")
    bad_bot = "7099999999:AAF-RefusedBotToken_abcdefghijklmnop"
    serve_fixture(server, f"/bot{bad_bot}/getMe", "error.unauthorized.json", status=401)
    with pytest.raises(DomainError):
        telegram_account_connect(access=owner_access, bot_token=bad_bot, chat="@zerno_coffee_kzn")

    secrets = {
        "vk-auth-code-secret",
        verifier,
        VK_ACCESS,
        VK_REFRESH,
        VK_TOKEN_BODY["id_token"],
        "vk2.a.RefreshedAccess-5555",
        "vk2.a.RefreshedRefresh-6666",
        "meta-code-secret",
        "meta-app-secret-xyz",
        META_SHORT,
        META_LONG,
        META_PAGE,
        "EAARenewedLongLived000",
        BOT_TOKEN.split(":", 1)[1],
        bad_bot.split(":", 1)[1],
    }
    records = caplog.records
    captured = caplog.text + "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {vars(record)}" for record in records
    )
    # The flows were logged (httpx request lines for each platform), so the check had something to read.
    requests = [r.getMessage() for r in records if r.name == "httpx"]
    assert any("/oauth2/auth" in line for line in requests)
    assert any("/v25.0/104857600123456?" in line and "access_token=***" in line for line in requests)
    assert any("/bot7012345678:***/getMe" in line for line in requests)
    assert sorted(secret for secret in secrets if secret in captured) == []
