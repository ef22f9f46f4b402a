"""Writes for connected accounts: connect flows, credentials, disconnect, "Sync now".

Credentials are only ever passed to ``SocialAccount.set_credentials`` (encrypted) and are
never written to the audit log, logs or API responses.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, ServiceUnavailable
from integrations import conf, oauth
from integrations.connectors import get_connector
from integrations.connectors.base import AuthExpired, ConnectorError, PermissionDenied, platform_label
from integrations.credentials import credentials_refresh, credentials_rotate_all
from integrations.models import AccountStatus, OAuthState, Platform, SocialAccount
from integrations.tasks import enqueue_sync_safely, queue_errors
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.rls import unscoped_context
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

OAUTH_STATE_TTL = timedelta(minutes=15)
# provider → platforms that can be connected through it
OAUTH_PROVIDERS: dict[str, tuple[str, ...]] = {
    "vk": (Platform.VK, Platform.VK_ADS),
    "meta": (Platform.FACEBOOK, Platform.INSTAGRAM, Platform.META_ADS),
}
DEMO_EXTERNAL_ID = "zerno-demo"

# Public names. Credentials and enqueueing live in credentials.py and tasks.py, which import nothing
# from here (no cycle); callers keep importing them from here too.
__all__ = [
    "credentials_refresh",
    "credentials_rotate_all",
    "demo_account_connect",
    "enqueue_sync_safely",
    "oauth_finish",
    "oauth_start",
    "queue_errors",
    "social_account_connect",
    "social_account_disconnect",
    "social_account_sync_request",
    "telegram_account_connect",
]

logger = logging.getLogger(__name__)


def _enqueue_sync(account_id: int, plan: str) -> None:
    # robust: whatever goes wrong after the commit (an eager sync in the embedded mode too) is
    # logged and never turns the already committed request into an error page.
    transaction.on_commit(lambda: enqueue_sync_safely(account_id, plan=plan), robust=True)


def social_account_get(*, organization: Organization, account_id: int) -> SocialAccount:
    return get_for_organization(SocialAccount, organization, account_id, message=_("Account not found."))


@transaction.atomic
def social_account_connect(
    *,
    access: Access | None = None,
    organization: Organization | None = None,
    platform: str,
    external_id: str,
    display_name: str,
    credentials: dict[str, Any],
    options: dict[str, Any] | None = None,
    username: str = "",
    url: str = "",
    token_expires_at: datetime | None = None,
    sync: bool = True,
) -> SocialAccount:
    """Create or reconnect (same platform + id) an account with fresh credentials."""
    if access is not None:
        access.require(Perm.WRITE)
        organization = access.organization
    if organization is None:
        raise ValueError("access or organization is required")
    account, created = (
        SocialAccount.objects.for_organization(organization)
        .select_for_update()
        .get_or_create(
            organization=organization,
            platform=platform,
            external_id=str(external_id),
            defaults={"display_name": display_name[:200]},
        )
    )
    account.display_name = display_name[:200] or account.display_name
    account.username = username[:200]
    account.url = url[:500]
    if options is not None:
        merged = dict(account.options or {})
        merged.update(options)
        account.options = merged
    account.set_credentials(credentials)
    account.token_expires_at = token_expires_at
    account.status = AccountStatus.ACTIVE
    account.last_error = ""
    account.last_error_at = None
    account.next_sync_at = timezone.now()
    if access is not None and access.user is not None:
        account.connected_by = access.user
    account.save()
    audit_log_record(
        access=access,
        organization=organization,
        action="integrations.account_connected" if created else "integrations.account_reconnected",
        obj=account,
        changes={"platform": platform, "external_id": str(external_id)},  # never credentials
    )
    if sync:
        _enqueue_sync(account.pk, "full")
    return account


@transaction.atomic
def social_account_disconnect(*, access: Access, account_id: int) -> SocialAccount:
    """Stop syncing and forget the credentials; synced facts stay (they are history)."""
    access.require(Perm.WRITE)
    account = social_account_get(organization=access.organization, account_id=account_id)
    account.set_credentials({})
    account.status = AccountStatus.DISABLED
    account.next_sync_at = None
    account.save(update_fields=["credentials_ciphertext", "status", "next_sync_at", "updated_at"])
    audit_log_record(access=access, action="integrations.account_disconnected", obj=account)
    return account


def social_account_sync_request(*, access: Access, account_id: int, plan: str = "full") -> SocialAccount:
    """The "Sync now" button: enqueue a full sync now (a sync already running for the account
    is not doubled: the task queues behind it). Nothing to commit first, so the enqueue is not
    deferred to ``on_commit`` and a queue outage can be told to the user.

    Raises ``ServiceUnavailable`` when the queue is down; the request is kept (the account is due
    and the periodic fan-out syncs it when the queue is back)."""
    access.require(Perm.WRITE)
    account = social_account_get(organization=access.organization, account_id=account_id)
    if account.status == AccountStatus.DISABLED:
        raise DomainError(_("This account is disconnected. Connect it again to sync."))
    if account.status == AccountStatus.NEEDS_REAUTH:
        raise DomainError(_("Access to this account has expired. Reconnect it first."))
    if not enqueue_sync_safely(account.pk, plan=plan):
        raise ServiceUnavailable(
            _(
                "The sync queue is unavailable right now. Your request is kept: "
                "the account syncs automatically as soon as the queue is back."
            )
        )
    return account


# --------------------------------------------------------------------------- demo


@transaction.atomic
def demo_account_connect(
    *, access: Access | None = None, organization: Organization | None = None, sync: bool = True
) -> SocialAccount:
    """The simulated platform that powers the demo organization and the embedded default."""
    organization = access.organization if access is not None else organization
    existing = SocialAccount.objects.filter(
        organization=organization, platform=Platform.DEMO, external_id=DEMO_EXTERNAL_ID
    ).first()
    if existing is not None and existing.status == AccountStatus.ACTIVE:
        return existing
    return social_account_connect(
        access=access,
        organization=organization,
        platform=Platform.DEMO,
        external_id=DEMO_EXTERNAL_ID,
        display_name="Зерно · демо-площадка",
        credentials={"access_token": "demo"},
        options={"connector": {"seed": 20260601}, "mention_query": "Зерно кофейня"},
        username="zerno_coffee_kzn",
        sync=sync,
    )


# --------------------------------------------------------------------------- Telegram


def _clean_chat(chat: str) -> str:
    chat = chat.strip()
    for prefix in ("https://t.me/", "http://t.me/", "t.me/"):
        if chat.startswith(prefix):
            chat = "@" + chat.removeprefix(prefix)
    if re.fullmatch(r"-?\d+", chat):
        return chat
    if not chat.startswith("@"):
        chat = "@" + chat
    if not re.fullmatch(r"@[A-Za-z0-9_]{4,64}", chat):
        raise DomainError(_("Enter the channel's @username or numeric id."), field="chat")
    return chat


def telegram_account_connect(
    *, access: Access, bot_token: str, chat: str, http_client: httpx.Client | None = None
) -> SocialAccount:
    """Validate the bot token (getMe) and the channel (getChat), then store the account."""
    access.require(Perm.WRITE)
    bot_token = bot_token.strip()
    if not re.fullmatch(r"\d{5,}:[A-Za-z0-9_-]{20,}", bot_token):
        raise DomainError(_("This does not look like a bot token from @BotFather."), field="bot_token")
    chat = _clean_chat(chat)
    try:
        bot = oauth.telegram_get_me(bot_token=bot_token, http_client=http_client)
    except oauth.OAuthError as exc:
        raise DomainError(str(exc), field="bot_token") from None
    connector = get_connector(
        Platform.TELEGRAM,
        access_token=bot_token,
        external_id=chat,
        base_url=conf.telegram_base_url(),
        http_client=http_client,
    )
    try:
        profile = connector.fetch_profile()
    except AuthExpired:
        raise DomainError(_("Telegram does not accept this bot token."), field="bot_token") from None
    except PermissionDenied as exc:
        raise DomainError(
            _("The bot cannot read this channel: %(reason)s. Add the bot to the channel as an administrator.")
            % {"reason": exc.user_message},
            field="chat",
        ) from None
    except ConnectorError as exc:
        raise DomainError(exc.user_message, field="chat") from None
    finally:
        connector.close()
    linked = (profile.extra or {}).get("linked_chat_id")
    return social_account_connect(
        access=access,
        platform=Platform.TELEGRAM,
        external_id=profile.external_id,
        display_name=profile.name or chat,
        username=profile.username or "",
        url=profile.url or "",
        credentials={"access_token": bot_token},
        options={
            "bot_username": bot.get("username", ""),
            "connector": {"discussion_chat_id": str(linked)} if linked else {},
        },
    )


# --------------------------------------------------------------------------- OAuth (VK ID, Meta)


def oauth_redirect_uri(*, provider: str) -> str:
    """One callback URL per provider for the whole site: register just this one in the VK ID / Meta app.
    The organization is recovered from the server-side ``state``."""
    return f"{conf.site_url()}{reverse('oauth_callback', kwargs={'provider': provider})}"


@unscoped_context("OAuth callback: the secret state names the organization")
def dangerously_oauth_state_organization(*, state: str) -> Organization | None:
    """The organization a pending OAuth ``state`` belongs to — across organizations on purpose: the
    global callback needs it to resolve (and then check) the caller's access. The state is a random
    single-use secret; membership is checked by the caller, and ``oauth_finish`` re-scopes everything."""
    if not oauth.is_well_formed_state(state):
        return None
    record = OAuthState.objects.unscoped().select_related("organization").filter(state=state).first()
    return record.organization if record is not None else None


def _normalize_external_id(platform: str, value: str) -> str:
    value = value.strip()
    if platform == Platform.VK:
        value = re.sub(r"^(https?://)?(vk\.com|vk\.ru)/", "", value)
        value = re.sub(r"^(club|public)(?=\d+$)", "", value).lstrip("-")
        if not re.fullmatch(r"[A-Za-z0-9_.]{2,64}", value):
            raise DomainError(_("Enter the community id or short name, e.g. 218450731."), field="external_id")
        return value
    if platform == Platform.META_ADS:
        digits = value.removeprefix("act_")
        if not (digits.isascii() and digits.isdigit()):  # isdigit() alone accepts "²"
            raise DomainError(_("Enter the ad account id, e.g. act_1234567890."), field="external_id")
        return f"act_{digits}"
    if not (value.isascii() and value.isdigit()):
        raise DomainError(_("Enter the numeric id."), field="external_id")
    return value


@transaction.atomic
def oauth_start(*, access: Access, provider: str, platform: str, external_id: str) -> str:
    """Store a single-use ``state`` (+ PKCE verifier) server-side; return the authorize URL."""
    access.require(Perm.WRITE)
    if platform not in OAUTH_PROVIDERS.get(provider, ()):
        raise DomainError(_("This platform cannot be connected this way."), field="platform")
    if provider == "vk" and not conf.vk_client_id():
        raise DomainError(_("VK login is not configured on this server (VK_CLIENT_ID)."))
    if provider == "meta" and not (conf.meta_app_id() and conf.meta_app_secret()):
        raise DomainError(_("Meta login is not configured on this server (META_APP_ID, META_APP_SECRET)."))
    external_id = _normalize_external_id(platform, external_id)
    state = OAuthState.objects.create(
        organization=access.organization,
        platform=platform,
        state=oauth.new_state(),
        code_verifier=oauth.new_code_verifier() if provider == "vk" else "",
        payload={"provider": provider, "external_id": external_id},
        # Started from a signed-in page (the callback checks the same session user), never by a token.
        user=cast(User, access.user),
    )
    redirect_uri = oauth_redirect_uri(provider=provider)
    if provider == "vk":
        return oauth.vk_authorize_url(state=state.state, code_verifier=state.code_verifier, redirect_uri=redirect_uri)
    return oauth.meta_authorize_url(state=state.state, redirect_uri=redirect_uri, platform=platform)


def _consume_state(*, access: Access, provider: str, state: str) -> OAuthState:
    """Single use: the UPDATE claims it atomically, so a replayed callback finds nothing."""
    if not oauth.is_well_formed_state(state):
        raise DomainError(_("This connection link has expired or was already used. Please start again."))
    cutoff = timezone.now() - OAUTH_STATE_TTL
    claimed = OAuthState.objects.filter(
        organization=access.organization,
        user=access.user,
        state=state,
        used_at__isnull=True,
        created_at__gte=cutoff,
        payload__provider=provider,
    ).update(used_at=timezone.now())
    if claimed != 1:
        raise DomainError(_("This connection link has expired or was already used. Please start again."))
    return OAuthState.objects.get(organization=access.organization, state=state)


def oauth_finish(
    *,
    access: Access,
    provider: str,
    state: str,
    code: str,
    device_id: str = "",
    error: str = "",
    http_client: httpx.Client | None = None,
) -> SocialAccount:
    """The callback: check ``state``, exchange the code, store the account (credentials encrypted)."""
    access.require(Perm.WRITE)
    if not state:
        raise DomainError(_("The platform did not return the connection request. Please start again."))
    record = _consume_state(access=access, provider=provider, state=state)
    if error or not code:
        raise DomainError(_("The connection was cancelled on the platform's page."))
    platform = record.platform
    external_id = record.payload["external_id"]
    redirect_uri = oauth_redirect_uri(provider=provider)
    try:
        if provider == "vk":
            tokens = oauth.vk_exchange_code(
                code=code,
                code_verifier=record.code_verifier,
                device_id=device_id,
                redirect_uri=redirect_uri,
                state=state,
                http_client=http_client,
            )
            credentials = tokens.as_credentials(device_id=device_id)
            name = f"{platform_label(platform)} {external_id}"
        else:
            tokens = oauth.meta_exchange_code(code=code, redirect_uri=redirect_uri, http_client=http_client)
            credentials = tokens.as_credentials()
            name = f"{platform_label(platform)} {external_id}"
            if platform == Platform.FACEBOOK:
                page_token, name = oauth.meta_page_token(
                    user_token=tokens.access_token, page_id=external_id, http_client=http_client
                )
                # A Page token derived from a long-lived user token does not expire.
                credentials = {"access_token": page_token, "user_access_token": tokens.access_token}
                tokens = oauth.TokenSet(access_token=page_token)
    except oauth.OAuthError as exc:
        raise DomainError(str(exc)) from None
    return social_account_connect(
        access=access,
        platform=platform,
        external_id=external_id,
        display_name=name,
        credentials=credentials,
        token_expires_at=tokens.expires_at,
    )
