"""OAuth 2 / token flows for connecting accounts (HTTP only; persistence is in services.py).

* VK ID (OAuth 2.1, authorization code + PKCE): ``GET {VK_ID}/authorize`` in the browser,
  ``POST {VK_ID}/oauth2/auth`` with ``grant_type=authorization_code`` (code, code_verifier,
  device_id, redirect_uri) → ``{access_token, refresh_token, id_token, token_type,
  expires_in, user_id, state, scope}``; the access token lives ~1 h and is refreshed with
  ``grant_type=refresh_token`` (same endpoint, a new refresh token comes back).
* Meta (Facebook Login): ``GET facebook.com/v25.0/dialog/oauth`` in the browser,
  ``POST graph.facebook.com/v25.0/oauth/access_token`` (form: code, client_secret, …) → short-lived
  user token ``{access_token, token_type, expires_in}``, exchanged at once for a ~60-day token with
  ``grant_type=fb_exchange_token``. Both go as POST form bodies (Graph accepts either) so the app
  secret and tokens never sit in a URL, which proxies and httpx log. Meta has no refresh token:
  the long-lived token is re-exchanged while still valid. A Page token comes from
  ``GET /{page-id}?fields=access_token`` (a read: the user token stays in the query string there,
  and the log redaction in ``core/logging.py`` scrubs it).
* Telegram: no OAuth; a bot token checked with ``getMe``.

Errors are mapped by HTTP status / error code, never by message text, to ``OAuthError`` with
a sentence a marketer can act on. Tokens never appear in exceptions.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations import conf
from integrations.connectors.base import DEFAULT_TIMEOUT, USER_AGENT


class OAuthError(Exception):
    """The platform refused the authorization; ``str(exc)`` is safe to show to the user."""


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    user_id: str | None = None
    scope: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_credentials(self, **more: Any) -> dict[str, Any]:
        values: dict[str, Any] = {"access_token": self.access_token}
        if self.refresh_token:
            values["refresh_token"] = self.refresh_token
        if self.expires_at:
            values["expires_at"] = self.expires_at.isoformat()
        if self.user_id:
            values["user_id"] = self.user_id
        values.update({k: v for k, v in more.items() if v})
        return values


_STATE_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,100}")


def new_state() -> str:
    return secrets.token_urlsafe(32)


def is_well_formed_state(state: str) -> bool:
    """Whether ``state`` could be one ``new_state`` made; anything else (NUL, other characters,
    overlong) is refused before it reaches the database, which cannot store NUL in text."""
    return bool(_STATE_SHAPE.fullmatch(state))


def new_code_verifier() -> str:
    return secrets.token_urlsafe(64)[:96]


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _client(http_client: httpx.Client | None) -> httpx.Client:
    return http_client or httpx.Client(timeout=DEFAULT_TIMEOUT, headers={"User-Agent": USER_AGENT})


def _expires(expires_in: Any) -> datetime | None:
    try:
        seconds = int(expires_in)
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None  # VK ID: 0 = does not expire
    return timezone.now() + timedelta(seconds=seconds)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise OAuthError(_("The platform returned an unreadable answer. Please try again.")) from exc
    return body if isinstance(body, dict) else {}


def _request(http_client: httpx.Client | None, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    client = _client(http_client)
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TransportError:
        # ``from None``: transport errors can carry the URL, and Meta/Telegram URLs hold secrets.
        raise OAuthError(_("Could not reach the platform. Please try again in a minute.")) from None
    finally:
        if http_client is None:
            client.close()
    if response.status_code >= 500:
        raise OAuthError(_("The platform is temporarily unavailable. Please try again in a minute."))
    return {"status": response.status_code, "body": _json(response)}


# --------------------------------------------------------------------------- VK ID


def vk_authorize_url(*, state: str, code_verifier: str, redirect_uri: str) -> str:
    params = {
        "response_type": "code",
        "client_id": conf.vk_client_id(),
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": code_challenge(code_verifier),
        "code_challenge_method": "S256",
        "scope": conf.vk_scopes(),
    }
    return f"{conf.vk_id_base_url()}/authorize?{urlencode(params)}"


def _vk_token_set(result: dict[str, Any]) -> TokenSet:
    body = result["body"]
    if result["status"] >= 400 or "error" in body or not body.get("access_token"):
        # VK ID errors: {"error": "invalid_grant" | "invalid_request" | ..., "error_description"}
        if body.get("error") == "invalid_grant":
            raise OAuthError(_("VK did not accept the authorization (it expired or was already used). Try again."))
        raise OAuthError(_("VK refused the connection. Check the app settings and try again."))
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=body.get("refresh_token"),
        expires_at=_expires(body.get("expires_in")),
        user_id=str(body["user_id"]) if body.get("user_id") is not None else None,
        scope=body.get("scope"),
    )


def vk_exchange_code(
    *, code: str, code_verifier: str, device_id: str, redirect_uri: str, state: str, http_client=None
) -> TokenSet:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": code_verifier,
        "client_id": conf.vk_client_id(),
        "device_id": device_id,
        "redirect_uri": redirect_uri,
        "state": state,
    }
    tokens = _vk_token_set(_request(http_client, "POST", f"{conf.vk_id_base_url()}/oauth2/auth", data=data))
    return TokenSet(
        tokens.access_token,
        tokens.refresh_token,
        tokens.expires_at,
        tokens.user_id,
        tokens.scope,
        {"device_id": device_id},
    )


def vk_refresh(*, refresh_token: str, device_id: str, http_client=None) -> TokenSet:
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": conf.vk_client_id(),
        "device_id": device_id,
        "state": new_state(),
    }
    return _vk_token_set(_request(http_client, "POST", f"{conf.vk_id_base_url()}/oauth2/auth", data=data))


# --------------------------------------------------------------------------- Meta


def meta_authorize_url(*, state: str, redirect_uri: str, platform: str) -> str:
    params = {
        "client_id": conf.meta_app_id(),
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
        "scope": conf.meta_scopes(platform),
    }
    return f"{conf.meta_dialog_base_url()}/{conf.GRAPH_API_VERSION}/dialog/oauth?{urlencode(params)}"


def _meta_token_set(result: dict[str, Any]) -> TokenSet:
    body = result["body"]
    if result["status"] >= 400 or "error" in body or not body.get("access_token"):
        code = (body.get("error") or {}).get("code")
        if code == 100:  # invalid/expired/used verification code, or a redirect_uri mismatch
            raise OAuthError(_("Meta did not accept the authorization (it expired or was already used). Try again."))
        if code == 190:
            raise OAuthError(_("Meta says the access has expired. Connect the account again."))
        raise OAuthError(_("Meta refused the connection. Check the app settings and try again."))
    return TokenSet(access_token=str(body["access_token"]), expires_at=_expires(body.get("expires_in")))


def _meta_token_url() -> str:
    return f"{conf.meta_graph_base_url()}/{conf.GRAPH_API_VERSION}/oauth/access_token"


def meta_exchange_code(*, code: str, redirect_uri: str, http_client=None) -> TokenSet:
    """Code → short-lived token → long-lived (~60 days) user token."""
    params = {
        "client_id": conf.meta_app_id(),
        "client_secret": conf.meta_app_secret(),
        "redirect_uri": redirect_uri,
        "code": code,
    }
    short = _meta_token_set(_request(http_client, "POST", _meta_token_url(), data=params))
    return meta_extend(access_token=short.access_token, http_client=http_client)


def meta_extend(*, access_token: str, http_client=None) -> TokenSet:
    params = {
        "grant_type": "fb_exchange_token",
        "client_id": conf.meta_app_id(),
        "client_secret": conf.meta_app_secret(),
        "fb_exchange_token": access_token,
    }
    return _meta_token_set(_request(http_client, "POST", _meta_token_url(), data=params))


def meta_page_token(*, user_token: str, page_id: str, http_client=None) -> tuple[str, str]:
    """(page access token, page name) for a Page the user manages."""
    url = f"{conf.meta_graph_base_url()}/{conf.GRAPH_API_VERSION}/{page_id}"
    result = _request(http_client, "GET", url, params={"fields": "id,name,access_token", "access_token": user_token})
    body = result["body"]
    if result["status"] >= 400 or not body.get("access_token"):
        raise OAuthError(_("This Facebook user cannot manage the Page. Check the Page id and your Page role."))
    return str(body["access_token"]), str(body.get("name") or page_id)


# --------------------------------------------------------------------------- Telegram


def telegram_get_me(*, bot_token: str, http_client=None) -> dict[str, Any]:
    """``getMe``: the bot behind the token, or OAuthError (401/404 = the token is not valid)."""
    url = f"{conf.telegram_base_url()}/bot{bot_token}/getMe"
    result = _request(http_client, "POST", url, json={})
    body = result["body"]
    if result["status"] in (401, 404) or not body.get("ok"):
        raise OAuthError(_("Telegram does not accept this bot token. Copy it again from @BotFather."))
    return body["result"]
