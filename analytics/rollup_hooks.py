"""Which writes refresh which rollup days (docs/decisions/0008-rollups.md).

Bulk writes report their rows through `core.facts` (`integrations.bulk.bulk_upsert` and the CRM and
inbox services call it); single-row saves and deletes of inbox items, leads and sales are caught
by model signals (deleting one of them is rare and refreshes nothing: `rebuild_rollups` after a
bulk erase). Each change queues one refresh task when its transaction commits. Deleting an
account, a campaign or a goal changes rows without saying which days: the organization is read from
the raw tables until its rollups are rebuilt (queued on commit).
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ads.models import AdCampaign, AdStatDaily
from core import facts
from crm.models import Lead, Sale
from integrations.models import SocialAccount
from moderation.models import InboxItem
from strategy.models import Goal

from . import rollups, tasks
from .models import AccountMetricDaily, PostMetricDaily, SocialPost


def facts_changed(label: str, organization_id: int, moments: set[dt.date | dt.datetime]) -> None:
    kind = rollups.KIND_OF.get(label)
    if kind is None:
        return
    payload = sorted({m if isinstance(m, str) else m.isoformat() for m in moments})
    transaction.on_commit(partial(tasks.refresh_rollups.delay, organization_id, [kind], payload), robust=True)


def is_refresh(callback: object) -> bool:
    """Whether an on-commit callback is one of these refreshes (tests count the others)."""
    func = getattr(callback, "func", None)
    return getattr(func, "__self__", None) in (tasks.refresh_rollups, tasks.rebuild_rollups)


def _inbox_saved(sender, instance: InboxItem, **kwargs) -> None:
    if not instance.is_from_account:
        facts.facts_changed(InboxItem, instance.organization_id, [instance.created_at])


def _lead_saved(sender, instance: Lead, **kwargs) -> None:
    # The refresh also re-sums the days of this lead's sales (its attribution groups them).
    facts.facts_changed(Lead, instance.organization_id, [instance.created])


def _sale_saved(sender, instance: Sale, **kwargs) -> None:
    facts.facts_changed(Sale, instance.organization_id, [instance.sold_at])


def _post_saved(sender, instance: SocialPost, **kwargs) -> None:
    # Linking a post to its plan saves it one by one (analytics/plan_links.py).
    facts.facts_changed(SocialPost, instance.organization_id, [instance.published_at])


def _parent_deleted(sender, instance, **kwargs) -> None:
    organization_id = instance.organization_id
    rollups.forget(organization_id)
    transaction.on_commit(partial(tasks.rebuild_rollups.delay, organization_id), robust=True)


def connect() -> None:
    facts.watch(AccountMetricDaily, "day", facts_changed)
    facts.watch(AdStatDaily, "day", facts_changed)
    facts.watch(InboxItem, "created_at", facts_changed)
    facts.watch(Lead, "created", facts_changed)
    facts.watch(Sale, "sold_at", facts_changed)
    facts.watch(SocialPost, "published_at", facts_changed)
    facts.watch(PostMetricDaily, "day", facts_changed)
    for model, receiver in (
        (InboxItem, _inbox_saved),
        (Lead, _lead_saved),
        (Sale, _sale_saved),
        (SocialPost, _post_saved),
    ):
        # No post_delete receiver: it would turn every cascade delete into a row-by-row one.
        post_save.connect(receiver, sender=model, dispatch_uid=f"rollups-save-{model._meta.label}")
    for parent in (SocialAccount, AdCampaign, Goal):
        post_delete.connect(_parent_deleted, sender=parent, dispatch_uid=f"rollups-parent-{parent._meta.label}")
