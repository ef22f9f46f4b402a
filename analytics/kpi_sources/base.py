"""What every KPI fact source shares: the query (period, platform, dimension), group keys and the
result shape. A source answers one aggregate query with GROUP BY on the dimension's key (plus, for a
level or a median, one row query reduced in Python), so the query count never grows with the data.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from django.db.models import Case, Count, DateField, F, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from core.vocabulary import Platform
from tenancy.models import Organization


class Dimension(StrEnum):
    TOTAL = "total"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    PLATFORM = "platform"
    POST = "post"
    CAMPAIGN = "campaign"
    GOAL = "goal"
    PILLAR = "pillar"
    AD_SET = "ad_set"
    CREATIVE = "creative"


CALENDAR = frozenset({Dimension.DAY, Dimension.WEEK, Dimension.MONTH})
# Every source can be grouped by these: they come from the row's own day and account.
BASIC = frozenset({Dimension.TOTAL, *CALENDAR, Dimension.PLATFORM})
ALL_DIMENSIONS = frozenset(Dimension)
# Below the campaign: only the ad rows of those levels and the CRM (through the creative's code) split so.
AD_UNITS = frozenset({Dimension.AD_SET, Dimension.CREATIVE})

# Ad statistics come from ad accounts: a VK goal reads VK Ads, an Instagram or Facebook goal reads
# Meta Ads (which does not split the two), Telegram has no ad source; any other value is itself.
AD_PLATFORMS_FOR: dict[str, list[str]] = {
    Platform.VK: [Platform.VK_ADS],
    Platform.INSTAGRAM: [Platform.META_ADS],
    Platform.FACEBOOK: [Platform.META_ADS],
    Platform.TELEGRAM: [],
}


def ad_platforms_for(platform: str) -> list[str]:
    return AD_PLATFORMS_FOR.get(platform, [platform])


def ad_platform_label(path: str) -> Case:
    """An ad account's platform as a group label: VK Ads counts for VK; Meta Ads stays itself
    (it serves Instagram and Facebook together)."""
    return Case(When(**{path: Platform.VK_ADS}, then=Value(Platform.VK.value)), default=F(path))


Key = Any  # None (total, or "unassigned"), a date, a platform code or a row id
Parts = dict[str, Decimal | None]


@dataclass(frozen=True)
class KpiQuery:
    organization: Organization
    start: dt.date
    end: dt.date
    platform: str = ""
    group_by: Dimension = Dimension.TOTAL
    # One ad campaign only (its id); only sources that can split by campaign answer (the others'
    # KPIs are None), each filtering its rows as its campaign key does.
    campaign: int | None = None

    @property
    def since(self) -> dt.datetime:
        """The first moment of `start` in the organization's time zone."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.organization.tzinfo)

    @property
    def until(self) -> dt.datetime:
        """The first moment after `end` in the organization's time zone (exclusive bound)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.organization.tzinfo)


@dataclass
class SourceResult:
    rows: dict[Key, Parts]
    # The parts of a group without rows: None ("no data") unless the source is connected and a
    # missing row truly means zero (CRM records, tracked links).
    empty: Parts = field(default_factory=dict)

    def parts_for(self, key: Key) -> Parts:
        return self.rows.get(key, self.empty)


def calendar_key(path: str, dimension: Dimension, *, tz: dt.tzinfo | None) -> Combinable:
    """The period start (a date) of a DateField (`tz` None) or of a moment in `tz`."""
    if dimension == Dimension.DAY:
        return F(path) if tz is None else TruncDate(path, tzinfo=tz)
    trunc = TruncWeek if dimension == Dimension.WEEK else TruncMonth
    return trunc(path, output_field=DateField(), tzinfo=tz)


def group_key(query: KpiQuery, keys: Mapping[Dimension, str | Combinable], *, day: str, tz: bool) -> Combinable | None:
    """The key expression of the query's dimension; None for the total."""
    if query.group_by == Dimension.TOTAL:
        return None
    if query.group_by in CALENDAR:
        return calendar_key(day, query.group_by, tz=query.organization.tzinfo if tz else None)
    key = keys[query.group_by]
    return F(key) if isinstance(key, str) else key


_QS = TypeVar("_QS", bound=QuerySet)


def for_campaign(qs: _QS, query: KpiQuery, path: str) -> _QS:
    """The rows of the query's campaign (``path`` = the source's campaign key), or all of them."""
    return qs if query.campaign is None else qs.filter(**{path: query.campaign})


def aggregate_by(qs: QuerySet, key: Combinable | None, aggregates: dict[str, Any]) -> dict[Key, Parts]:
    """One GROUP BY query: {key: {part: sum}}; groups (or a total) without rows are left out."""
    # Aliased: an aggregate may not share its name with a column (Sum("reach") as "reach").
    aggregates = {**{f"_p_{name}": aggregate for name, aggregate in aggregates.items()}, "_rows": Count("pk")}
    if key is None:
        found = [{"_key": None, **qs.aggregate(**aggregates)}]
    else:
        found = list(qs.annotate(_key=key).values("_key").annotate(**aggregates).order_by())
    rows: dict[Key, Parts] = {}
    for row in found:
        if not row.pop("_rows"):
            continue
        group = row.pop("_key")
        if isinstance(group, dt.datetime):
            group = group.date()
        rows[group] = {name[3:]: None if value is None else Decimal(value) for name, value in row.items()}
    return rows


def values_by(qs: QuerySet, key: Combinable | None, *fields: str) -> Iterable[tuple[Key, tuple]]:
    """(key, fields) per row, for the parts reduced in Python (levels, medians, distinct counts)."""
    if key is None:
        for values in qs.values_list(*fields):
            yield None, values
        return
    for row in qs.annotate(_key=key).values_list("_key", *fields):
        group = row[0].date() if isinstance(row[0], dt.datetime) else row[0]
        yield group, row[1:]


def zeros(*names: str) -> Parts:
    return dict.fromkeys(names, Decimal(0))


def nones(*names: str) -> Parts:
    return dict.fromkeys(names)
