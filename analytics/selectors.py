"""Reads of the synced facts (dashboards, reports and the API share these).

Query counts do not grow with the number of rows: each function is one or two queries, and
reads only the rows of its window (a range on the indexed columns, never a per-row cast).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, TypeVar

from django.db.models import F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from analytics import rollups
from analytics.models import AccountMetricDaily, PostMetricDaily, PostRollup, SocialPost
from core.numbers import round_to
from tenancy.models import Organization


def account_metric_daily_list(
    *, organization: Organization, since: date, until: date, account_id: int | None = None
) -> QuerySet[AccountMetricDaily]:
    qs = AccountMetricDaily.objects.filter(organization=organization, day__gte=since, day__lte=until)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.select_related("account").order_by("day", "account_id")


@dataclass(frozen=True)
class PostPerformance:
    post: SocialPost
    day: date | None  # the observation day of the numbers below
    reach: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    link_clicks: int | None
    views: int | None = None

    @property
    def interactions(self) -> int:
        return sum(v or 0 for v in (self.likes, self.comments, self.shares, self.saves))

    @property
    def engagement_rate(self) -> Decimal | None:
        """(likes + comments + shares + saves) / reach, 4 decimals; None without reach."""
        if not self.reach:
            return None
        return round_to(Decimal(self.interactions) / Decimal(self.reach), 4)


def published_window(since: date, until: date, tz: dt.tzinfo | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) instants of the days `since`..`until` in `tz` (the current timezone by default):
    a range on the indexed `published_at` instead of a per-row date cast."""
    zone = tz or timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def window_posts(
    *,
    organization: Organization,
    since: date,
    until: date,
    tz: dt.tzinfo | None = None,
    account_id: int | None = None,
    platform: str = "",
) -> QuerySet[SocialPost]:
    """The platform posts published on the days `since`..`until` (in `tz`), newest first."""
    start, end = published_window(since, until, tz)
    posts = SocialPost.objects.for_organization(organization).filter(published_at__gte=start, published_at__lt=end)
    if account_id is not None:
        posts = posts.filter(account_id=account_id)
    if platform:
        posts = posts.filter(account__platform=platform)
    return posts.order_by("-published_at", "-pk")


def latest_post_metrics(*, organization: Organization, posts: QuerySet[SocialPost]) -> QuerySet[PostMetricDaily]:
    """Each post's latest observation (the row of its greatest day): the snapshots of the window's
    posts only, numbered per post newest first by a window function (`ROW_NUMBER() OVER
    (PARTITION BY post ORDER BY day DESC)`, which PostgreSQL and SQLite both run) and the first
    of each kept. One pass over the window's snapshots instead of a correlated subquery per post
    (which PostgreSQL re-ran for every join probe: three times slower for 10k posts)."""
    newest_first = Window(RowNumber(), partition_by=[F("post_id")], order_by=F("day").desc())
    return (
        PostMetricDaily.objects.for_organization(organization)
        .filter(post__in=posts.order_by().values("pk"))
        .annotate(snapshot_rank=newest_first)
        .filter(snapshot_rank=1)
        .order_by()
    )


_NUMBERS = ("reach", "likes", "comments", "shares", "saves", "link_clicks", "views")


def post_performance_list(
    *,
    organization: Organization,
    since: date,
    until: date,
    account_id: int | None = None,
    tz: dt.tzinfo | None = None,
    platform: str = "",
) -> list[PostPerformance]:
    """Posts published in [since, until] (days in `tz`, the current timezone by default) with
    their latest lifetime numbers. Two queries: the window's posts, and their latest snapshots (the
    post rollup's rows when the organization's rollups are complete, `analytics.rollups`)."""
    posts = window_posts(
        organization=organization, since=since, until=until, tz=tz, account_id=account_id, platform=platform
    )
    rows = list(posts.select_related("account"))
    metrics: dict[int, Any] = {}
    if rows and rollups.reads_posts(organization, tz):
        # The rollup's row of each post of the window is already its latest observation.
        window = PostRollup.objects.for_organization(organization).filter(day__gte=since, day__lte=until)
        if account_id is not None:
            window = window.filter(account_id=account_id)
        if platform:
            window = window.filter(platform=platform)
        metrics = {
            row[0]: SimpleNamespace(day=row[1], **dict(zip(_NUMBERS, row[2:], strict=True)))
            for row in window.exclude(metric_day=None).values_list("post_id", "metric_day", *_NUMBERS)
        }
    elif rows:
        metrics = {m.post_id: m for m in latest_post_metrics(organization=organization, posts=posts)}
    result = []
    for post in rows:
        m = metrics.get(post.pk)
        numbers = {name: getattr(m, name) if m else None for name in _NUMBERS}
        result.append(PostPerformance(post=post, day=m.day if m else None, **numbers))
    return result


def account_metric_totals(*, organization: Organization, since: date, until: date) -> dict[str, int | None]:
    """Sums over the period (NULLs skipped; None when nothing was reported at all)."""
    fields = ["reach", "views", "likes", "comments", "shares", "saves", "link_clicks", "followers_gained"]
    return AccountMetricDaily.objects.filter(organization=organization, day__gte=since, day__lte=until).aggregate(
        **{name: Sum(name) for name in fields}
    )


_Fact = TypeVar("_Fact", PostMetricDaily, AccountMetricDaily)


@dataclass(frozen=True)
class MetricFactFilters:
    """Filters of the raw daily facts the API lists (`metrics/posts/`, `metrics/accounts/`)."""

    start: date | None = None
    end: date | None = None
    account_id: int | None = None
    platform: str = ""
    post_id: int | None = None


def _fact_rows(qs: QuerySet[_Fact], filters: MetricFactFilters) -> QuerySet[_Fact]:
    if filters.start is not None:
        qs = qs.filter(day__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(day__lte=filters.end)
    if filters.account_id is not None:
        qs = qs.filter(account_id=filters.account_id)
    if filters.platform:
        qs = qs.filter(account__platform=filters.platform)
    # The account's platform comes with the row: one query per page, whatever its size.
    return qs.select_related("account").order_by("day", "id")


def post_metric_fact_list(*, organization: Organization, filters: MetricFactFilters) -> QuerySet[PostMetricDaily]:
    """Daily post snapshots (lifetime totals as observed that day) in (day, id) order."""
    qs = PostMetricDaily.objects.filter(organization=organization)
    if filters.post_id is not None:
        qs = qs.filter(post_id=filters.post_id)
    return _fact_rows(qs, filters)


def account_metric_fact_list(*, organization: Organization, filters: MetricFactFilters) -> QuerySet[AccountMetricDaily]:
    """One account's figures of one day, in (day, id) order."""
    return _fact_rows(AccountMetricDaily.objects.filter(organization=organization), filters)
