"""Connect flows against local HTTP servers answering in the platforms' documented token shapes:
VK ID (OAuth 2.1 + PKCE, refresh), Meta (code → long-lived token, Page token), Telegram bot."""

import datetime as dt
import json
from urllib.parse import parse_qs

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.errors import DomainError
from integrations.connectors.base import AuthExpired
from integrations.models import AccountStatus, OAuthState, SocialAccount
from integrations.oauth import code_challenge
from integrations.services import credentials_refresh, oauth_finish, oauth_start
from tenancy.models import AuditLog
from tests.integrations.connect_support import (
    META_LONG,
    META_PAGE,
    META_SHORT,
    VK_ACCESS,
    VK_REFRESH,
    VK_TOKEN_BODY,
    query,
)
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- VK ID


def test_vk_authorize_url_carries_state_and_pkce_and_the_state_is_stored(org, owner_access, vk_env):
    url = oauth_start(access=owner_access, provider="vk", platform="vk", external_id="club218450731")
    params = query(url)
    stored = OAuthState.objects.get()
    assert url.startswith(vk_env.url_for("/authorize"))
    assert params["state"] == stored.state
    assert params["code_challenge"] == code_challenge(stored.code_verifier)
    assert params["code_challenge_method"] == "S256"
    assert params["client_id"] == "51234567"
    assert params["redirect_uri"] == "https://smm.example.com/integrations/oauth/vk/callback/"
    assert stored.payload == {"provider": "vk", "external_id": "218450731"}


def test_vk_callback_exchanges_the_code_and_stores_encrypted_tokens(owner_web, org, vk_env):
    start = owner_web.post(
        reverse("integrations:oauth_start", kwargs={"org_slug": org.slug, "provider": "vk"}),
        {"vk-platform": "vk", "vk-external_id": "218450731"},
    )
    assert start.status_code == 302
    state = query(start["Location"])["state"]
    verifier = OAuthState.objects.get(state=state).code_verifier
    vk_env.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(VK_TOKEN_BODY)

    callback = owner_web.get(
        reverse("oauth_callback", kwargs={"provider": "vk"}),
        {"code": "vk-auth-code", "state": state, "device_id": "device-42", "type": "code_v2"},
    )

    assert callback.status_code == 302
    sent = parse_qs(vk_env.log[-1][0].get_data(as_text=True))
    assert sent["grant_type"] == ["authorization_code"]
    assert sent["code"] == ["vk-auth-code"]
    assert sent["code_verifier"] == [verifier]
    assert sent["device_id"] == ["device-42"]
    account = SocialAccount.objects.get(organization=org, platform="vk", external_id="218450731")
    assert account.status == AccountStatus.ACTIVE
    assert account.credentials == {
        "access_token": VK_ACCESS,
        "refresh_token": VK_REFRESH,
        "expires_at": account.credentials["expires_at"],
        "user_id": "1234567890",
        "device_id": "device-42",
    }
    assert account.token_expires_at is not None
    assert VK_ACCESS not in account.credentials_ciphertext
    entry = AuditLog.objects.get(action="integrations.account_connected")
    assert VK_ACCESS not in json.dumps(entry.changes)


def test_callback_with_unknown_or_replayed_state_is_refused(org, owner_access, vk_env):
    with pytest.raises(DomainError) as caught:
        oauth_finish(access=owner_access, provider="vk", state="forged", code="x")
    assert "expired or was already used" in str(caught.value)
    url = oauth_start(access=owner_access, provider="vk", platform="vk", external_id="218450731")
    state = query(url)["state"]
    vk_env.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(VK_TOKEN_BODY)
    oauth_finish(access=owner_access, provider="vk", state=state, code="c", device_id="d")
    with pytest.raises(DomainError):
        oauth_finish(access=owner_access, provider="vk", state=state, code="c", device_id="d")
    assert SocialAccount.objects.count() == 1


def test_state_of_another_user_or_org_is_refused(org, owner_access, marketer_access, vk_env):
    url = oauth_start(access=owner_access, provider="vk", platform="vk", external_id="218450731")
    with pytest.raises(DomainError):
        oauth_finish(access=marketer_access, provider="vk", state=query(url)["state"], code="c")
    assert not SocialAccount.objects.exists()


def test_vk_refused_code_is_a_plain_message(org, owner_access, vk_env):
    url = oauth_start(access=owner_access, provider="vk", platform="vk", external_id="218450731")
    vk_env.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(
        {"error": "invalid_grant", "error_description": "code is expired"}, status=400
    )
    with pytest.raises(DomainError) as caught:
        oauth_finish(access=owner_access, provider="vk", state=query(url)["state"], code="old", device_id="d")
    assert str(caught.value) == "VK did not accept the authorization (it expired or was already used). Try again."


def test_vk_token_refresh(org, vk_env):
    account = SocialAccountFactory(
        organization=org,
        platform="vk",
        credentials={"access_token": "old", "refresh_token": "old-refresh", "device_id": "device-42"},
    )
    vk_env.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(VK_TOKEN_BODY)

    credentials_refresh(account=account)

    sent = parse_qs(vk_env.log[-1][0].get_data(as_text=True))
    assert (sent["grant_type"], sent["refresh_token"], sent["device_id"]) == (
        ["refresh_token"],
        ["old-refresh"],
        ["device-42"],
    )
    account.refresh_from_db()
    assert account.credentials["access_token"] == VK_ACCESS
    assert account.credentials["refresh_token"] == VK_REFRESH


def test_vk_refresh_refused_means_reconnect(org, vk_env):
    account = SocialAccountFactory(
        organization=org, platform="vk", credentials={"access_token": "a", "refresh_token": "r"}
    )
    vk_env.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(
        {"error": "invalid_grant"}, status=400
    )
    with pytest.raises(AuthExpired):
        credentials_refresh(account=account)


def test_oauth_start_without_configuration_says_so(org, owner_access, monkeypatch):
    monkeypatch.delenv("VK_CLIENT_ID", raising=False)
    with pytest.raises(DomainError) as caught:
        oauth_start(access=owner_access, provider="vk", platform="vk", external_id="218450731")
    assert "VK_CLIENT_ID" in str(caught.value)


# --------------------------------------------------------------------------- Meta


def test_meta_facebook_page_flow(org, owner_access, meta_env):
    url = oauth_start(access=owner_access, provider="meta", platform="facebook", external_id="104857600123456")
    params = query(url)
    assert params["client_id"] == "987654321"
    assert "pages_read_engagement" in params["scope"]
    token_path = "/v25.0/oauth/access_token"
    meta_env.expect_ordered_request(token_path, method="POST", query_string="").respond_with_json(
        {"access_token": META_SHORT, "token_type": "bearer", "expires_in": 5183}
    )
    meta_env.expect_ordered_request(token_path, method="POST", query_string="").respond_with_json(
        {"access_token": META_LONG, "token_type": "bearer", "expires_in": 5183944}
    )
    meta_env.expect_ordered_request("/v25.0/104857600123456").respond_with_json(
        {"id": "104857600123456", "name": "Кофейня Зерно", "access_token": META_PAGE}
    )

    account = oauth_finish(access=owner_access, provider="meta", state=params["state"], code="meta-code")

    meta_env.check_assertions()
    # The app secret and the tokens travel in form bodies, never in a URL (which gets logged).
    bodies = [parse_qs(request.get_data(as_text=True)) for request, _ in meta_env.log[:2]]
    assert bodies == [
        {
            "client_id": ["987654321"],
            "client_secret": ["meta-app-secret-xyz"],
            "redirect_uri": ["https://smm.example.com/integrations/oauth/meta/callback/"],
            "code": ["meta-code"],
        },
        {
            "grant_type": ["fb_exchange_token"],
            "client_id": ["987654321"],
            "client_secret": ["meta-app-secret-xyz"],
            "fb_exchange_token": [META_SHORT],
        },
    ]
    assert (account.platform, account.external_id, account.display_name) == (
        "facebook",
        "104857600123456",
        "Кофейня Зерно",
    )
    assert account.credentials == {"access_token": META_PAGE, "user_access_token": META_LONG}


def test_meta_ads_account_flow_stores_the_long_lived_token(org, owner_access, meta_env):
    url = oauth_start(access=owner_access, provider="meta", platform="meta_ads", external_id="1234567890")
    meta_env.expect_ordered_request("/v25.0/oauth/access_token").respond_with_json(
        {"access_token": META_SHORT, "token_type": "bearer", "expires_in": 5183}
    )
    meta_env.expect_ordered_request("/v25.0/oauth/access_token").respond_with_json(
        {"access_token": META_LONG, "token_type": "bearer", "expires_in": 5183944}
    )
    account = oauth_finish(access=owner_access, provider="meta", state=query(url)["state"], code="c")
    assert account.external_id == "act_1234567890"
    assert account.credentials["access_token"] == META_LONG
    assert account.token_expires_at is not None


def test_meta_long_lived_token_renewal_posts_the_current_token(org, meta_env):
    account = SocialAccountFactory(organization=org, platform="instagram", credentials={"access_token": META_LONG})
    meta_env.expect_oneshot_request("/v25.0/oauth/access_token", method="POST", query_string="").respond_with_json(
        {"access_token": "EAARenewedLongLived000", "token_type": "bearer", "expires_in": 5183944}
    )

    credentials_refresh(account=account)

    assert parse_qs(meta_env.log[-1][0].get_data(as_text=True)) == {
        "grant_type": ["fb_exchange_token"],
        "client_id": ["987654321"],
        "client_secret": ["meta-app-secret-xyz"],
        "fb_exchange_token": [META_LONG],
    }
    account.refresh_from_db()
    assert account.credentials["access_token"] == "EAARenewedLongLived000"


def test_meta_invalid_code_error_by_code(org, owner_access, meta_env):
    url = oauth_start(access=owner_access, provider="meta", platform="instagram", external_id="17841400000000001")
    meta_env.expect_request("/v25.0/oauth/access_token").respond_with_json(
        {
            "error": {
                "message": "This authorization code has been used.",
                "type": "OAuthException",
                "code": 100,
                "fbtrace_id": "AbCdEf",
            }
        },
        status=400,
    )
    with pytest.raises(DomainError) as caught:
        oauth_finish(access=owner_access, provider="meta", state=query(url)["state"], code="used")
    assert str(caught.value) == "Meta did not accept the authorization (it expired or was already used). Try again."
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    ("platform", "expires_in", "due"),
    [
        ("vk", dt.timedelta(minutes=3), True),
        ("vk", dt.timedelta(hours=1), False),
        ("instagram", dt.timedelta(days=5), True),
        ("meta_ads", dt.timedelta(days=30), False),
        ("facebook", None, False),
    ],
)
def test_token_refresh_is_due_ahead_of_expiry_per_platform(platform, expires_in, due):
    from integrations.sync import token_refresh_due

    now = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    account = SocialAccount(platform=platform, token_expires_at=now + expires_in if expires_in else None)
    assert token_refresh_due(account, now=now) is due


@pytest.mark.parametrize("state", ["\x00", "abc\x00def", "é" * 10, "a" * 101, "a b"])
def test_callback_with_a_malformed_state_is_the_expired_link_message(owner_web, owner_access, org, vk_env, state):
    """Found by probing: `state=%00` reached PostgreSQL, which refuses NUL in text → 500."""
    url = oauth_start(access=owner_access, provider="vk", platform="vk", external_id="218450731")
    pending = OAuthState.objects.get(state=query(url)["state"])

    response = owner_web.get(reverse("oauth_callback", kwargs={"provider": "vk"}), {"code": "c", "state": state})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This connection link has expired or was already used. Please start again."
    ]
    pending.refresh_from_db()
    assert pending.used_at is None
    assert not SocialAccount.objects.exists()
    assert vk_env.log == []


def test_oauth_finish_refuses_a_malformed_state_before_any_query(owner_access, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(DomainError) as caught:
        oauth_finish(access=owner_access, provider="vk", state="\x00", code="c")

    assert str(caught.value) == "This connection link has expired or was already used. Please start again."


@pytest.mark.parametrize(
    ("platform", "external_id", "message"),
    [
        ("meta_ads", "act_²", "Enter the ad account id, e.g. act_1234567890."),
        ("meta_ads", "١٢٣", "Enter the ad account id, e.g. act_1234567890."),
        ("facebook", "10485²", "Enter the numeric id."),
        ("instagram", "١٧٨٤١", "Enter the numeric id."),
    ],
)
def test_platform_ids_are_ascii_digits(org, owner_access, meta_env, platform, external_id, message):
    """str.isdigit() accepts superscripts and other scripts' digits, which no platform id uses."""
    with pytest.raises(DomainError) as caught:
        oauth_start(access=owner_access, provider="meta", platform=platform, external_id=external_id)

    assert caught.value.fields == {"external_id": [message]}
    assert not OAuthState.objects.exists()
