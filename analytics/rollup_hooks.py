"""Which writes refresh which rollup days (docs/decisions/0008-rollups.md).

Bulk writes report their rows through `core.facts` (`integrations.bulk.bulk_upsert` and the CRM and
inbox services call it); single-row saves of inbox items, leads and sales are caught by model
signals; their deletes (one row or a queryset) by the models' `delete()` (`core.facts.rows_deleting`).
Deleting an account, a campaign or a goal changes rows without saying which days: the organization
is read from the raw tables until its rollups are rebuilt.

All changes of one organization within one transaction queue ONE task on commit (`_Pending`): a
refresh of the union of their kinds and days, or a rebuild when a parent row was deleted (deleting
all of an organization's campaigns queues one rebuild, not one per campaign). Outside a transaction
each change queues its own task at once.
"""

from __future__ import annotations

import datetime as dt

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


class _Pending:
    """The organization's rollup task for the current transaction, queued on commit; later
    changes in the same transaction add to it instead of queuing another."""

    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self.kinds: set[str] = set()
        self.moments: set[str] = set()
        self.rebuild = False

    def __call__(self) -> None:
        if self.rebuild:  # supersedes any refresh: every day is re-summed
            tasks.rebuild_rollups.delay(self.organization_id)
        elif self.kinds:
            tasks.refresh_rollups.delay(self.organization_id, sorted(self.kinds), sorted(self.moments))


def _pending(organization_id: int) -> _Pending | None:
    """The task already queued for the organization in the open transaction, if any. A callback
    of a rolled-back savepoint has left `run_on_commit`, so it is never extended."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    for entry in connection.run_on_commit:
        callback = entry[1]
        if isinstance(callback, _Pending) and callback.organization_id == organization_id:
            return callback
    return None


def _queue(organization_id: int, *, kinds: set[str] | None = None, moments: set[str] | None = None) -> None:
    """Adds to the organization's pending task (a rebuild when `kinds` is None)."""
    pending = _pending(organization_id)
    new = pending is None
    if pending is None:
        pending = _Pending(organization_id)
    if kinds is None:
        pending.rebuild = True
    else:
        pending.kinds |= kinds
        pending.moments |= moments or set()
    if new:  # registered once filled: outside a transaction on_commit runs it at once
        transaction.on_commit(pending, robust=True)


def facts_changed(label: str, organization_id: int, moments: set[dt.date | dt.datetime]) -> None:
    kind = rollups.KIND_OF.get(label)
    if kind is None:
        return
    _queue(organization_id, kinds={kind}, moments={m if isinstance(m, str) else m.isoformat() for m in moments})


def is_refresh(callback: object) -> bool:
    """Whether an on-commit callback is one of these refreshes (tests count the others)."""
    return isinstance(callback, _Pending)


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
    pending = _pending(organization_id)
    if pending is None or not pending.rebuild:  # once per transaction
        rollups.forget(organization_id)
        _queue(organization_id)


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
        # No post_delete receiver: it would turn every cascade delete into a row-by-row one; the
        # models' delete() report their days instead (core.facts.rows_deleting).
        post_save.connect(receiver, sender=model, dispatch_uid=f"rollups-save-{model._meta.label}")
    for parent in (SocialAccount, AdCampaign, Goal):
        post_delete.connect(_parent_deleted, sender=parent, dispatch_uid=f"rollups-parent-{parent._meta.label}")
