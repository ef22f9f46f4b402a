"""Writes of synced inbox items (comments, private messages, mentions).

Sync steps (``integrations/steps.py``), registered in ``ModerationConfig.ready()``. Only
platform-side fields are upserted; the team's ``status``/``sentiment`` are set on insert and
never overwritten by a re-sync.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from core import facts
from core.errors import DomainError
from core.events import Event, emit_many
from integrations.bulk import bulk_upsert
from integrations.connectors.base import CommentKind, Connector, RemoteMention
from integrations.models import SocialAccount
from integrations.quality import step_quality
from integrations.steps import StepResult, SyncWindow
from integrations.tasks import queue_errors
from moderation import tone
from moderation.models import (
    OPEN_STATUSES,
    BrandKeyword,
    InboxItem,
    InboxKind,
    InboxStatus,
    ReplyServiceLevel,
    Sentiment,
    ToneSource,
)
from moderation.service_level import elapsed_seconds, hours_of
from tenancy.access import Access
from tenancy.roles import Perm

logger = logging.getLogger("moderation.services")
INBOX_KEY = ["organization_id", "account_id", "kind", "external_id"]
_KINDS = frozenset(InboxKind.values)


def comments_sync(*, account: SocialAccount, connector: Connector, window: SyncWindow) -> StepResult:
    comments = connector.fetch_comments(window.posts_since)
    rows = [
        {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "kind": c.kind if c.kind in _KINDS else CommentKind.COMMENT,
            "external_id": c.external_id[:150],
            "post_external_id": (c.post_external_id or "")[:100],
            "parent_external_id": (c.parent_external_id or "")[:150],
            "author_name": (c.author_name or "")[:200],
            "author_external_id": (c.author_external_id or "")[:100],
            "text": c.text or "",
            "created_at": c.created_at,
            "like_count": c.like_count,
            "is_from_account": bool(c.is_from_account),
        }
        for c in comments
    ]
    if not rows:
        return StepResult(**step_quality(connector))
    # A comment listed twice (its edit, a page boundary) keeps its latest text; recorded.
    result = bulk_upsert(InboxItem, rows, key_fields=INBOX_KEY, on_duplicate="last")
    written = result.written + _mark_answered(account, rows)
    _link_threads(account, rows)
    clear_waiting(account, rows)
    queue_tone(account.organization_id)
    return StepResult(fetched=len(rows), written=written, **step_quality(connector, [("inbox", result)]))


def _mark_answered(account: SocialAccount, rows: list[dict[str, Any]]) -> int:
    """Items our own account replied to on the platform count as answered at the time of the
    first reply (the reply-speed KPI reads ``answered_at``). One UPDATE with a subquery."""
    parents = {r["parent_external_id"] for r in rows if r["is_from_account"] and r["parent_external_id"]}
    if not parents:
        return 0
    first_reply = (
        InboxItem.objects.filter(
            organization_id=account.organization_id,
            account_id=account.pk,
            is_from_account=True,
            parent_external_id=OuterRef("external_id"),
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    marked = InboxItem.objects.filter(
        organization_id=account.organization_id,
        account_id=account.pk,
        external_id__in=parents,
        status__in=OPEN_STATUSES,
        answered_at__isnull=True,
        is_from_account=False,
    ).update(status=InboxStatus.REPLIED, answered_at=Subquery(first_reply))
    _count_first_response(account, parents)
    return marked


def _count_first_response(account: SocialAccount, parents: set[str]) -> None:
    """The first-response figure of items answered on the platform, counted like a reply sent
    from the product (business hours when the organization's service level has them)."""
    todo = InboxItem.objects.filter(
        organization_id=account.organization_id,
        account_id=account.pk,
        external_id__in=parents,
        answered_at__isnull=False,
        first_response_seconds__isnull=True,
        is_from_account=False,
    ).only("pk", "created_at", "answered_at")
    rows = list(todo)
    if not rows:
        return
    level = ReplyServiceLevel.objects.for_organization(account.organization_id).first()
    hours = hours_of(level, account.organization.tzinfo)
    for row in rows:
        if row.answered_at is None:  # filtered above; keeps the type checker sure
            continue
        InboxItem.objects.filter(organization_id=account.organization_id, pk=row.pk).update(
            first_response_seconds=elapsed_seconds(row.created_at, row.answered_at, hours)
        )


def clear_waiting(account: SocialAccount, rows: list[dict[str, Any]]) -> int:
    """A customer message newer than the wait, in the thread of an item waiting for the customer
    (an answer under it, or next to it under the same parent), puts the item back to ``assigned``
    (it has an assignee) or ``new``. Returns how many items went back."""
    latest: dict[str, Any] = {}
    for r in rows:
        if r["is_from_account"]:
            continue
        for key in {r["parent_external_id"], r["external_id"]} - {""}:
            if key not in latest or r["created_at"] > latest[key]:
                latest[key] = r["created_at"]
    if not latest:
        return 0
    waiting = InboxItem.objects.filter(
        organization_id=account.organization_id, account_id=account.pk, status=InboxStatus.WAITING
    ).filter(Q(external_id__in=list(latest)) | Q(parent_external_id__in=list(latest)))
    back = 0
    for item in waiting.only("pk", "external_id", "parent_external_id", "waiting_since", "assignee_id"):
        heard = max((latest[k] for k in (item.external_id, item.parent_external_id) if k in latest), default=None)
        # The item's own row is in the sync too (a re-sync): only a message written after the wait counts.
        if heard is None or item.waiting_since is None or heard <= item.waiting_since:
            continue
        status = InboxStatus.ASSIGNED if item.assignee_id else InboxStatus.NEW
        back += InboxItem.objects.filter(
            organization_id=account.organization_id, pk=item.pk, status=InboxStatus.WAITING
        ).update(status=status, waiting_since=None)
    return back


def queue_tone(organization_id: int) -> None:
    """The tone of what the sync just brought in: one ``classify_tone`` batch run after the commit
    (the beat fan-out remains the safety net when the queue is down)."""
    # tasks imports this module: the task is looked up at call time (a real cycle).
    from .tasks import classify_tone

    def enqueue() -> None:
        try:
            classify_tone.delay(organization_id)
        except queue_errors():
            logger.warning("tone queue unavailable; the beat fan-out labels the items later", exc_info=True)

    transaction.on_commit(enqueue, robust=True)


def _link_threads(account: SocialAccount, rows: list[dict[str, Any]]) -> None:
    """``thread_parent`` of the synced replies: the item of the same account they answer (one UPDATE)."""
    children = [r["external_id"] for r in rows if r["parent_external_id"]]
    if not children:
        return
    parent = InboxItem.objects.filter(
        organization_id=account.organization_id,
        account_id=account.pk,
        kind=OuterRef("kind"),
        external_id=OuterRef("parent_external_id"),
    ).values("pk")[:1]
    InboxItem.objects.filter(
        organization_id=account.organization_id,
        account_id=account.pk,
        external_id__in=children,
        thread_parent__isnull=True,
    ).update(thread_parent=Subquery(parent))


def mentions_sync(*, account: SocialAccount, connector: Connector, window: SyncWindow) -> StepResult:
    """Mentions of the brand: one search per active brand keyword of the organization (without
    keywords, the account's ``mention_query`` option or its name), posts containing one of the
    keyword's exclusions dropped, the same post found by two keywords stored once."""
    found: dict[str, RemoteMention] = {}
    for query, exclusions in mention_queries(account):
        for m in connector.search_mentions(query, window.posts_since):
            if not is_excluded(m.text or "", exclusions):
                found.setdefault(m.external_id, m)
    rows = [
        {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "kind": InboxKind.MENTION,
            "external_id": m.external_id[:150],
            "url": (m.url or "")[:500],
            "author_name": (m.author_name or "")[:200],
            "author_external_id": (m.author_external_id or "")[:100],
            "text": m.text or "",
            "created_at": m.created_at,
            "like_count": m.likes,
        }
        for m in found.values()
    ]
    if not rows:
        return StepResult(**step_quality(connector))
    result = bulk_upsert(InboxItem, rows, key_fields=INBOX_KEY, on_duplicate="last")
    queue_tone(account.organization_id)
    return StepResult(fetched=len(rows), written=result.written, **step_quality(connector, [("inbox", result)]))


def mention_queries(account: SocialAccount) -> list[tuple[str, list[str]]]:
    keywords = BrandKeyword.objects.for_organization(account.organization_id).filter(is_active=True)
    queries = [(k.phrase, list(k.exclusions)) for k in keywords]
    if queries:
        return queries
    return [((account.options or {}).get("mention_query") or account.display_name, [])]


def is_excluded(text: str, exclusions: list[str]) -> bool:
    folded = text.casefold()
    return any(word.strip() and word.strip().casefold() in folded for word in exclusions)


TONE_BATCH = 200


def tone_pending(*, organization_id: int) -> QuerySet[InboxItem]:
    """Audience items nobody (model or person) has labelled yet, oldest first."""
    return InboxItem.objects.filter(
        organization_id=organization_id, sentiment__isnull=True, is_from_account=False
    ).order_by("id")


def tone_classify_pending(*, organization_id: int, limit: int | None = None) -> int:
    """Labels up to ``limit`` unlabelled items with the shipped classifier; returns how many.

    Idempotent: only items still without a label are written, and the write re-checks that, so a
    person's correction made while the batch was being classified is never overwritten."""
    items = list(tone_pending(organization_id=organization_id).values_list("pk", "text")[: limit or TONE_BATCH])
    if not items:
        return 0
    scored = tone.classify_scored([text for _, text in items])
    version = tone.model_version()
    written = 0
    negative: list[int] = []
    labelled: list[int] = []
    for (pk, _text), (label, confidence) in zip(items, scored, strict=True):
        updated = InboxItem.objects.filter(organization_id=organization_id, pk=pk, sentiment__isnull=True).update(
            sentiment=label, tone_confidence=confidence, tone_source=ToneSource.MODEL, tone_model_version=version
        )
        written += updated
        if updated:
            labelled.append(pk)
        if updated and label == Sentiment.NEGATIVE:
            negative.append(pk)
    if labelled:  # the tone counts of the daily rollups (core/facts.py)
        moments = InboxItem.objects.filter(organization_id=organization_id, pk__in=labelled).values_list(
            "created_at", flat=True
        )
        facts.facts_changed(InboxItem, organization_id, list(moments))
    if negative:
        found = InboxItem.objects.filter(organization_id=organization_id, pk__in=negative).order_by("pk")
        emit_many(organization_id, Event.INBOX_NEGATIVE, [negative_event(item) for item in found])
    return written


def negative_event(item: InboxItem) -> dict[str, Any]:
    """The data of `inbox.negative` (core.events)."""
    return {
        "inbox_item_id": item.pk,
        "kind": item.kind,
        "account_id": item.account_id,
        "url": item.url,
        "author_name": item.author_name,
        "text": item.text[:1000],
        "created_at": item.created_at.isoformat() if item.created_at else None,
        "tone_source": item.tone_source,
    }


def tone_correct(*, access: Access, item: InboxItem | int, sentiment: str) -> InboxItem:
    """A person's label: kept from then on (the model never relabels it) and used as this
    organization's training data (``tone_train --organization``)."""
    access.require(Perm.WRITE)
    if sentiment not in Sentiment.values:
        raise DomainError(_("Unknown tone."), field="sentiment")
    pk = item.pk if isinstance(item, InboxItem) else item
    found = InboxItem.objects.filter(organization=access.organization, pk=pk).first()
    if found is None:
        raise InboxItem.DoesNotExist
    was_negative = found.sentiment == Sentiment.NEGATIVE
    found.sentiment = sentiment
    found.tone_confidence = 1.0
    found.tone_source = ToneSource.PERSON
    found.tone_model_version = ""
    found.save(update_fields=["sentiment", "tone_confidence", "tone_source", "tone_model_version", "updated_at"])
    if sentiment == Sentiment.NEGATIVE and not was_negative:
        emit_many(access.organization.pk, Event.INBOX_NEGATIVE, [negative_event(found)])
    return found
