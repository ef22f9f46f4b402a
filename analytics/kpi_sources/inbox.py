"""The inbox (`moderation.InboxItem`, incoming items only): comment tone, first response time
(median and mean) and the share answered within the first-response target, requests resolved in
social media, returning community members."""

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncWeek

from core.numbers import round_to
from moderation.models import InboxItem, ReplyServiceLevel

from .base import BASIC, Dimension, KpiQuery, SourceResult, aggregate_by, group_key, values_by

NAME = "inbox"
DEFAULT_TARGET_MINUTES = ReplyServiceLevel._meta.get_field("first_response_minutes").default
DIMENSIONS = BASIC
PARTS = (
    "inbox_items",
    "resolved",
    "rated",
    "positive",
    "first_response_minutes",
    "first_response_mean",
    "answered",
    "answered_in_target",
    "returning_members",
)
_RESPONSE_PARTS = frozenset({"first_response_minutes", "first_response_mean", "answered", "answered_in_target"})

_KEYS = {Dimension.PLATFORM: "account__platform"}


def _rows(query: KpiQuery) -> QuerySet:
    qs = InboxItem.objects.filter(
        organization=query.organization, created_at__gte=query.since, created_at__lt=query.until, is_from_account=False
    )
    return qs.filter(account__platform=query.platform) if query.platform else qs


def fetch(query: KpiQuery, wanted: set[str]) -> SourceResult:
    key = group_key(query, _KEYS, day="created_at", tz=True)
    rows: dict = {}
    if wanted & {"inbox_items", "resolved", "rated", "positive"}:
        rows = aggregate_by(
            _rows(query),
            key,
            {
                "inbox_items": Count("pk"),
                "resolved": Count("pk", filter=Q(status="resolved")),
                "rated": Count("pk", filter=Q(sentiment__isnull=False)),
                "positive": Count("pk", filter=Q(sentiment="positive")),
            },
        )
    if wanted & _RESPONSE_PARTS:
        for group, values in _first_response(query, key).items():
            rows.setdefault(group, {}).update(values)
    if "returning_members" in wanted:
        for group, value in _returning(query, key).items():
            rows.setdefault(group, {})["returning_members"] = value
    return SourceResult(rows=rows)


def _first_response(query: KpiQuery, key) -> dict:
    """Per group: median and mean minutes to the brand's first reply, how many items were answered
    and how many within the organization's first-response target. An item's figure is the one the
    reply service level counted (``first_response_seconds``: business hours only when the level
    has them); an item answered before that was recorded falls back to the wall clock."""
    seconds: dict = defaultdict(list)
    target = DEFAULT_TARGET_MINUTES * 60
    # The target rides along on the same query (one indexed lookup, not an extra round trip).
    level = ReplyServiceLevel.objects.filter(organization_id=OuterRef("organization_id"))
    answered = _rows(query).filter(
        Q(first_response_seconds__isnull=False) | Q(answered_at__isnull=False, answered_at__gte=F("created_at"))
    )
    answered = answered.annotate(
        _target=Coalesce(Subquery(level.values("first_response_minutes")[:1]), DEFAULT_TARGET_MINUTES)
    )
    for group, (created, replied, counted, target_minutes) in values_by(
        answered, key, "created_at", "answered_at", "first_response_seconds", "_target"
    ):
        target = target_minutes * 60
        seconds[group].append(counted if counted is not None else (replied - created).total_seconds())
    parts = {}
    for group, values in seconds.items():
        minutes = [v / 60 for v in values]
        parts[group] = {
            "first_response_minutes": round_to(statistics.median(minutes), 2),
            "first_response_mean": round_to(statistics.fmean(minutes), 2),
            "answered": Decimal(len(values)),
            "answered_in_target": Decimal(sum(1 for v in values if v <= target)),
        }
    return parts


def _returning(query: KpiQuery, key) -> dict:
    """People who wrote in two or more different weeks (of the organization's calendar), per group."""
    weeks: dict = defaultdict(lambda: defaultdict(set))
    people = (
        _rows(query)
        .exclude(author_external_id="")
        .annotate(_week=TruncWeek("created_at", tzinfo=query.organization.tzinfo))
        .distinct()
    )
    for group, (author, week) in values_by(people, key, "author_external_id", "_week"):
        weeks[group][author].add(week)
    return {group: Decimal(sum(1 for w in by_author.values() if len(w) >= 2)) for group, by_author in weeks.items()}
