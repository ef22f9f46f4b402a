"""Community metrics over a period in three SQL queries (no comment is loaded into Python):

* active members: distinct authors who wrote in the period;
* returning members: active members who had also written before the period;
* brand reply rate: share of the period's comments and messages the brand answered;
* member-to-member conversations: comments answering another member's comment (not the brand's);
* top advocates: authors with the most positive (or praise-tagged) items in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from core.numbers import ratio
from tenancy.models import Organization

from .models import InboxItem, InboxKind, InboxTag, Sentiment


@dataclass(frozen=True)
class Advocate:
    author_external_id: str
    author_name: str
    positive_items: int


@dataclass(frozen=True)
class CommunityMetrics:
    active_members: int
    returning_members: int
    brand_reply_rate: Decimal | None
    member_conversations: int
    top_advocates: list[Advocate]


def _audience(organization: Organization, since: dt.datetime, until: dt.datetime) -> QuerySet[InboxItem]:
    return InboxItem.objects.for_organization(organization).filter(
        is_from_account=False, created_at__gte=since, created_at__lt=until
    )


def community_metrics(
    *, organization: Organization, since: dt.datetime, until: dt.datetime, top: int = 5
) -> CommunityMetrics:
    period = _audience(organization, since, until)
    members = period.exclude(author_external_id="")
    earlier = InboxItem.objects.for_organization(organization).filter(
        is_from_account=False,
        account_id=OuterRef("account_id"),
        author_external_id=OuterRef("author_external_id"),
        created_at__lt=since,
    )
    # Active and returning members in one pass over the period's distinct people.
    people = members.values("account_id", "author_external_id").distinct().annotate(_returning=Exists(earlier))
    counted = people.aggregate(
        active=Count("author_external_id"), returning=Count("author_external_id", filter=Q(_returning=True))
    )
    active, returning = counted["active"], counted["returning"]
    other_member = (
        InboxItem.objects.for_organization(organization)
        .filter(
            account_id=OuterRef("account_id"),
            kind=OuterRef("kind"),
            external_id=OuterRef("parent_external_id"),
            is_from_account=False,
        )
        .exclude(author_external_id=OuterRef("author_external_id"))
    )
    # The reply rate's parts and the member conversations: one aggregate over the period.
    answerable_kinds = Q(kind__in=[InboxKind.COMMENT, InboxKind.MESSAGE])
    conversation = Q(kind=InboxKind.COMMENT) & ~Q(author_external_id="") & ~Q(parent_external_id="")
    answerable = period.aggregate(
        total=Count("pk", filter=answerable_kinds),
        answered=Count("pk", filter=answerable_kinds & Q(answered_at__isnull=False)),
        conversations=Count("pk", filter=conversation & Q(Exists(other_member))),
    )
    conversations = answerable["conversations"]
    positive = Q(sentiment=Sentiment.POSITIVE) | Q(tags__has_item=InboxTag.PRAISE)
    advocates = (
        members.filter(positive)
        .values("author_external_id")
        .annotate(n=Count("pk"), name=Max("author_name"))
        .order_by("-n", "author_external_id")[:top]
    )
    return CommunityMetrics(
        active_members=active,
        returning_members=returning,
        brand_reply_rate=ratio(answerable["answered"], answerable["total"]),
        member_conversations=conversations,
        top_advocates=[Advocate(a["author_external_id"], a["name"] or "", a["n"]) for a in advocates],
    )
