"""The profile step: the account's own name, link and follower count (integrations owns it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from integrations.connectors.base import Connector
from integrations.models import SocialAccount
from integrations.steps import StepResult, SyncWindow


def profile_sync(*, account: SocialAccount, connector: Connector, window: SyncWindow) -> StepResult:
    """Display name, username, link and follower count as the platform shows them now."""
    profile = connector.fetch_profile()
    updates: dict[str, Any] = {}
    if profile.name and profile.name != account.display_name:
        updates["display_name"] = profile.name[:200]
    if (profile.username or "") != account.username:
        updates["username"] = (profile.username or "")[:200]
    if profile.url and profile.url != account.url:
        updates["url"] = profile.url[:500]
    if profile.followers is not None and profile.followers != account.followers:
        updates["followers"] = profile.followers
    if updates:
        with transaction.atomic():
            SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(**updates)
        for key, value in updates.items():
            setattr(account, key, value)
    return StepResult(fetched=1, written=1 if updates else 0)
