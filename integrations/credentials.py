"""Stored platform credentials: the connector built from them, token refresh before a sync,
re-encryption on key rotation.

Credentials are only ever passed to ``SocialAccount.set_credentials`` (encrypted) and are never
written to the audit log, logs or API responses.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations import conf, oauth
from integrations.connectors import get_connector
from integrations.connectors.base import AuthExpired, Connector
from integrations.crypto import rotate
from integrations.models import Platform, SocialAccount
from integrations.ratelimit import get_rate_limiter
from tenancy.rls import unscoped_context


def connector_for(account: SocialAccount, **overrides: Any) -> Connector:
    """Build the account's connector with decrypted credentials and the shared rate limiter."""
    credentials = account.credentials
    kwargs: dict[str, Any] = {
        "access_token": credentials.get("access_token") or credentials.get("bot_token") or "",
        "external_id": account.external_id,
        "rate_limiter": get_rate_limiter(),
    }
    base_url = conf.connector_base_url(account.platform)
    if base_url:
        kwargs["base_url"] = base_url
    if account.platform in (Platform.FACEBOOK, Platform.INSTAGRAM, Platform.META_ADS) and conf.meta_app_secret():
        kwargs["app_secret"] = conf.meta_app_secret()
    kwargs.update((account.options or {}).get("connector", {}))
    kwargs.update(overrides)
    return get_connector(account.platform, **kwargs)


# How long before expiry a token is renewed. VK ID access tokens live about an hour (refresh just
# before); Meta long-lived tokens live ~60 days and are re-exchanged a week ahead, so a few failed
# daily syncs still leave time before the account would need a manual reconnect.
REFRESH_AHEAD: dict[str, timedelta] = {
    Platform.INSTAGRAM: timedelta(days=7),
    Platform.FACEBOOK: timedelta(days=7),
    Platform.META_ADS: timedelta(days=7),
}
DEFAULT_REFRESH_AHEAD = timedelta(minutes=5)


def token_refresh_due(account: SocialAccount, *, now: datetime) -> bool:
    if account.token_expires_at is None:
        return False
    return account.token_expires_at <= now + REFRESH_AHEAD.get(account.platform, DEFAULT_REFRESH_AHEAD)


def refresh_token_if_needed(account: SocialAccount) -> None:
    """Before a sync: renew a token about to expire (raises ``AuthExpired`` when refused)."""
    if token_refresh_due(account, now=timezone.now()):
        credentials_refresh(account=account)


def credentials_refresh(*, account: SocialAccount, http_client=None) -> SocialAccount:
    """Refresh an expiring token (VK ID refresh_token; Meta long-lived re-exchange).

    Raises ``AuthExpired`` when the platform refuses: the account must be reconnected.
    """
    credentials = account.credentials
    try:
        if account.platform in (Platform.VK, Platform.VK_ADS) and credentials.get("refresh_token"):
            tokens = oauth.vk_refresh(
                refresh_token=credentials["refresh_token"],
                device_id=credentials.get("device_id", ""),
                http_client=http_client,
            )
            new = {**credentials, **tokens.as_credentials()}
        elif account.platform in (Platform.INSTAGRAM, Platform.META_ADS) and conf.meta_app_secret():
            tokens = oauth.meta_extend(access_token=credentials["access_token"], http_client=http_client)
            new = {**credentials, **tokens.as_credentials()}
        else:
            return account
    except oauth.OAuthError as exc:
        raise AuthExpired(account.platform, "refresh_failed", str(exc)) from None
    with transaction.atomic():
        account.set_credentials(new)
        account.token_expires_at = tokens.expires_at
        account.save(update_fields=["credentials_ciphertext", "token_expires_at", "updated_at"])
    return account


@unscoped_context("encryption key rotation rewrites every organization's credentials")
def credentials_rotate_all() -> int:
    """Re-encrypt every stored credential with the first configured key (key rotation).

    Crosses organizations on purpose (an operator command); returns the number rewritten.
    """
    count = 0
    with transaction.atomic():
        for account in SocialAccount.objects.unscoped().select_for_update().exclude(credentials_ciphertext=""):
            account.credentials_ciphertext = rotate(account.credentials_ciphertext)
            account.save(update_fields=["credentials_ciphertext"])
            count += 1
    return count
