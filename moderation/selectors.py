"""Reads of the inbox shared by the page, the API and reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Prefetch, Q, QuerySet
from django.utils.functional import cached_property

from tenancy.models import Organization

from .models import InboxItem, InboxKind, InboxNote, InboxReply, InboxStatus, InboxTag, Sentiment, ToneSource
from .sla import waiting_too_long

# Counting every row of a 400k-item inbox costs more than the page itself: counts stop here.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class InboxFilters:
    kind: str = ""
    status: str = ""
    platform: str = ""
    tone: str = ""
    assignee: str = ""  # a user id, "me" resolved by the caller, or "none"
    tag: str = ""
    overdue: bool = False


def inbox_item_list(
    *, organization: Organization, kind: str = "", status: str = "", filters: InboxFilters | None = None
) -> QuerySet[InboxItem]:
    """What the audience wrote (the account's own replies left out), newest first."""
    f = filters or InboxFilters(kind=kind, status=status)
    qs: QuerySet[InboxItem] = InboxItem.objects.filter(organization=organization, is_from_account=False).select_related(
        "account", "assignee"
    )
    if f.kind in InboxKind.values:
        qs = qs.filter(kind=f.kind)
    if f.status in InboxStatus.values:
        qs = qs.filter(status=f.status)
    if f.platform:
        qs = qs.filter(account__platform=f.platform)
    if f.tone in Sentiment.values:
        qs = qs.filter(sentiment=f.tone)
    if f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f.assignee.isdigit():
        qs = qs.filter(assignee_id=int(f.assignee))
    if f.tag in InboxTag.values:
        qs = qs.filter(tags__has_item=f.tag)
    if f.overdue:
        qs = waiting_too_long(qs, organization)
    return qs.order_by("-created_at", "-id")


def capped_count(qs: QuerySet[InboxItem], cap: int = COUNT_CAP) -> int:
    """The number of rows, counted up to ``cap + 1`` (more than ``cap`` is shown as "cap+")."""
    return qs.order_by()[: cap + 1].count()


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator whose count stops past ``COUNT_CAP`` (pages beyond it are still reachable)."""

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list)  # type: ignore[arg-type]


def status_counts(organization: Organization) -> dict[str, int]:
    """Items per status (audience items only), each counted up to the cap: one bounded subquery per
    status on the (organization, status, created_at) index instead of a scan of the whole inbox,
    all of them in a single statement (the page pays one round trip whatever the statuses)."""
    base = InboxItem.objects.filter(organization=organization, is_from_account=False).order_by()
    statuses = list(InboxStatus.values)
    columns: list[str] = []
    params: list[Any] = []
    for i, status in enumerate(statuses):
        sql, sub_params = base.filter(status=status).values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        # Django's own compiled subquery; every value travels as a parameter.
        columns.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{i})")  # noqa: S608
        params.extend(sub_params)
    with connections[base.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        row = cursor.fetchone()
    return {status: int(n) for status, n in zip(statuses, row, strict=True)}


def inbox_item_detail(*, organization: Organization, pk: int) -> QuerySet[InboxItem]:
    """One item with what the conversation view shows: notes, replies, its thread."""
    notes = Prefetch("notes", queryset=InboxNote.objects.filter(organization=organization).select_related("author"))
    sent = Prefetch("replies", queryset=InboxReply.objects.filter(organization=organization))
    qs: QuerySet[InboxItem] = InboxItem.objects.filter(organization=organization, pk=pk)
    return qs.select_related("account", "assignee", "thread_parent").prefetch_related(notes, sent)  # type: ignore[type-var]


def thread_of(item: InboxItem) -> QuerySet[InboxItem]:
    """The conversation the item is part of: the comments under the same post (or the same
    message chat), oldest first, bounded."""
    qs = InboxItem.objects.filter(organization_id=item.organization_id, account_id=item.account_id, kind=item.kind)
    if item.post_external_id:
        qs = qs.filter(post_external_id=item.post_external_id)
    else:
        root = item.parent_external_id or item.external_id
        qs = qs.filter(Q(external_id=root) | Q(parent_external_id=root))
    return qs.order_by("created_at", "id")[:50]


def tone_corrections(*, organization: Organization) -> list[tuple[str, str]]:
    """(text, label) the organization's people set by hand: its own training rows."""
    rows = (
        InboxItem.objects.filter(organization=organization, tone_source=ToneSource.PERSON, sentiment__isnull=False)
        .exclude(text="")
        .order_by("id")
        .values_list("text", "sentiment")
    )
    return [(text, label or "") for text, label in rows]
