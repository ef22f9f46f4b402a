"""The inbox (`moderation.InboxItem`, incoming items only): comment tone, first response time,
requests resolved in social media, returning community members."""

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek

from core.numbers import round_to
from moderation.models import InboxItem

from .base import BASIC, Dimension, KpiQuery, SourceResult, aggregate_by, group_key, values_by

NAME = "inbox"
DIMENSIONS = BASIC
PARTS = ("inbox_items", "resolved", "rated", "positive", "first_response_minutes", "returning_members")

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
    if "first_response_minutes" in wanted:
        for group, value in _first_response(query, key).items():
            rows.setdefault(group, {})["first_response_minutes"] = value
    if "returning_members" in wanted:
        for group, value in _returning(query, key).items():
            rows.setdefault(group, {})["returning_members"] = value
    return SourceResult(rows=rows)


def _first_response(query: KpiQuery, key) -> dict:
    """Median minutes from an item to the brand's first reply, per group."""
    minutes: dict = defaultdict(list)
    answered = _rows(query).filter(answered_at__isnull=False, answered_at__gte=F("created_at"))
    for group, (created, replied) in values_by(answered, key, "created_at", "answered_at"):
        minutes[group].append((replied - created).total_seconds() / 60)
    return {group: round_to(statistics.median(values), 2) for group, values in minutes.items()}


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
