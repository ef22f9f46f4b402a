"""What a sync or a control call leaves on the account: the failure status and the connector's
state that must survive between calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone

from core.errors import DomainError
from integrations.connectors.base import AuthExpired, Connector, ConnectorError, PermissionDenied
from integrations.credentials import connector_for
from integrations.models import AccountStatus, SocialAccount


def account_mark_failed(*, account: SocialAccount, error: ConnectorError) -> None:
    """needs_reauth / error with the platform's plain-words message (never a token)."""
    status = error.account_status or AccountStatus.ERROR
    SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(
        status=status, last_error=error.user_message[:2000], last_error_at=timezone.now()
    )
    account.status, account.last_error = status, error.user_message


T = TypeVar("T")


def persist_connector_state(account: SocialAccount, connector: Connector) -> None:
    """Connector state that must survive between runs: Telegram's getUpdates offset (with its
    discussion chat) and the demo platform's simulated campaign changes (the next sync shows them)."""
    options = dict(account.options or {})
    connector_options = dict(options.get("connector", {}))
    updated = dict(connector_options)
    offset = getattr(connector, "next_update_offset", None)
    if offset is not None and connector_options.get("update_offset") != offset:
        updated["update_offset"] = offset
        discussion = getattr(connector, "discussion_chat_id", None)
        if discussion:
            updated["discussion_chat_id"] = discussion
    overrides = getattr(connector, "campaign_overrides", None)
    if overrides:
        updated["campaign_overrides"] = overrides
    if updated == connector_options:
        return
    options["connector"] = updated
    SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(options=options)
    account.options = options


def connector_call(*, account: SocialAccount, call: Callable[[Connector], T]) -> T:
    """Run one control call on the account's platform (e.g. pause an ad campaign) and keep the
    connector's state. Raises ``DomainError`` with the platform's message; a refused or expired
    authorization also marks the account."""
    connector = connector_for(account)
    try:
        result = call(connector)
    except (AuthExpired, PermissionDenied) as exc:
        account_mark_failed(account=account, error=exc)
        raise DomainError(exc.user_message) from None
    except ConnectorError as exc:
        raise DomainError(exc.user_message) from None
    else:
        persist_connector_state(account, connector)
    finally:
        connector.close()
    return result
