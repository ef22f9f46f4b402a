"""Reads of the synced facts (dashboards, reports and the API share these).

Query counts do not grow with the number of rows: each function is one or two queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Max, QuerySet, Sum

from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost
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

    @property
    def interactions(self) -> int:
        return sum(v or 0 for v in (self.likes, self.comments, self.shares, self.saves))

    @property
    def engagement_rate(self) -> Decimal | None:
        """(likes + comments + shares + saves) / reach, 4 decimals; None without reach."""
        if not self.reach:
            return None
        return round_to(Decimal(self.interactions) / Decimal(self.reach), 4)


def post_performance_list(
    *, organization: Organization, since: date, until: date, account_id: int | None = None
) -> list[PostPerformance]:
    """Posts published in [since, until] with their latest lifetime numbers. Two queries."""
    posts = SocialPost.objects.filter(
        organization=organization, published_at__date__gte=since, published_at__date__lte=until
    ).select_related("account")
    if account_id is not None:
        posts = posts.filter(account_id=account_id)
    rows = list(posts.order_by("-published_at", "-pk"))
    latest_days = (
        PostMetricDaily.objects.filter(organization=organization, post__in=[p.pk for p in rows])
        .values("post_id")
        .annotate(last=Max("day"))
    )
    wanted = {(row["post_id"], row["last"]) for row in latest_days}
    metrics: dict[int, PostMetricDaily] = {}
    if wanted:
        for metric in PostMetricDaily.objects.filter(
            organization=organization, post__in=[p for p, _ in wanted], day__in={d for _, d in wanted}
        ):
            if (metric.post_id, metric.day) in wanted:
                metrics[metric.post_id] = metric
    result = []
    for post in rows:
        m = metrics.get(post.pk)
        result.append(
            PostPerformance(
                post=post,
                day=m.day if m else None,
                reach=m.reach if m else None,
                likes=m.likes if m else None,
                comments=m.comments if m else None,
                shares=m.shares if m else None,
                saves=m.saves if m else None,
                link_clicks=m.link_clicks if m else None,
            )
        )
    return result


def account_metric_totals(*, organization: Organization, since: date, until: date) -> dict[str, int | None]:
    """Sums over the period (NULLs skipped; None when nothing was reported at all)."""
    fields = ["reach", "views", "likes", "comments", "shares", "saves", "link_clicks", "followers_gained"]
    return AccountMetricDaily.objects.filter(organization=organization, day__gte=since, day__lte=until).aggregate(
        **{name: Sum(name) for name in fields}
    )
