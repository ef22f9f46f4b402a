"""Page metrics (`AccountMetricDaily`): reach, impressions, ER, followers, organic link clicks."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from analytics.models import AccountMetricDaily

from .base import BASIC, Dimension, KpiQuery, SourceResult, aggregate_by, group_key, values_by

NAME = "metrics"
DIMENSIONS = BASIC
PARTS = ("reach", "views", "link_clicks", "er_interactions", "er_reach", "followers")

_INTERACTIONS = Coalesce(
    "interactions",
    Coalesce("likes", 0) + Coalesce("comments", 0) + Coalesce("shares", 0) + Coalesce("saves", 0),
)
# ER uses only days that report reach and some interaction figure (absent is not zero).
_REPORTS_ER = Q(reach__gt=0) & (
    Q(interactions__isnull=False)
    | Q(likes__isnull=False)
    | Q(comments__isnull=False)
    | Q(shares__isnull=False)
    | Q(saves__isnull=False)
)
_KEYS = {Dimension.PLATFORM: "account__platform"}


def _rows(query: KpiQuery) -> QuerySet:
    qs = AccountMetricDaily.objects.filter(organization=query.organization, day__gte=query.start, day__lte=query.end)
    return qs.filter(account__platform=query.platform) if query.platform else qs


def fetch(query: KpiQuery, wanted: set[str]) -> SourceResult:
    key = group_key(query, _KEYS, day="day", tz=False)
    rows: dict = {}
    if wanted - {"followers"}:
        rows = aggregate_by(
            _rows(query),
            key,
            {
                "reach": Sum("reach"),
                "views": Sum("views"),
                "link_clicks": Sum("link_clicks"),
                "er_interactions": Sum(_INTERACTIONS, filter=_REPORTS_ER),
                "er_reach": Sum("reach", filter=_REPORTS_ER),
            },
        )
    if "followers" in wanted:
        for group, followers in _followers(query, key).items():
            rows.setdefault(group, {})["followers"] = followers
    return SourceResult(rows=rows)


def _followers(query: KpiQuery, key) -> dict:
    """A level: per group, each account's latest snapshot in the group, summed over accounts."""
    latest: dict = defaultdict(dict)
    ordered = _rows(query).filter(followers__isnull=False).order_by("day")
    for group, (account_id, followers) in values_by(ordered, key, "account_id", "followers"):
        latest[group][account_id] = followers  # ordered by day: the last snapshot wins
    return {group: Decimal(sum(by_account.values())) for group, by_account in latest.items()}
