"""Ours against the competitors on one platform (docs/competitors.md): the same public-data
figures for both sides (`strategy.public_figures`), so the comparison is like for like.

* A competitor's row is its latest snapshot on the platform (automatic or typed in).
* Our row per connected account: its followers now, and its own posts of the last
  ``WINDOW_DAYS`` days with their latest lifetime likes, comments and shares (saves are left out:
  a competitor's saves are not public).

Queries: two for ours (accounts; posts with their latest counters as subqueries) and one for a
page of competitors' latest snapshots, whatever the number of posts and snapshots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from analytics.models import PostMetricDaily, SocialPost
from integrations.models import AccountStatus, SocialAccount
from strategy.models import Competitor, CompetitorSnapshot
from strategy.public_figures import PublicPost, public_figures, window_start
from tenancy.models import Organization


@dataclass(frozen=True, slots=True)
class BenchmarkRow:
    name: str
    is_ours: bool
    followers: int | None
    posts_per_week: Decimal | None
    average_reactions: Decimal | None
    engagement_rate: Decimal | None
    date: dt.date | None
    source: str  # "ours", or a SnapshotSource value


def _latest(organization: Organization, metric: str) -> Subquery:
    """A post's latest observed lifetime counter (its row with the newest day)."""
    rows = PostMetricDaily.objects.for_organization(organization).filter(post=OuterRef("pk"))
    return Subquery(rows.order_by("-day").values(metric)[:1])


def our_rows(*, organization: Organization, platform: str, now: dt.datetime) -> list[BenchmarkRow]:
    accounts = list(
        SocialAccount.objects.for_organization(organization)
        .filter(platform=platform)
        .exclude(status=AccountStatus.DISABLED)
        .order_by("display_name", "pk")
    )
    if not accounts:
        return []
    posts = (
        SocialPost.objects.for_organization(organization)
        .filter(account__in=accounts, published_at__gte=window_start(now), published_at__lte=now)
        .annotate(
            m_likes=_latest(organization, "likes"),
            m_comments=_latest(organization, "comments"),
            m_shares=_latest(organization, "shares"),
        )
        .values_list("account_id", "published_at", "m_likes", "m_comments", "m_shares")
    )
    by_account: dict[int, list[PublicPost]] = {a.pk: [] for a in accounts}
    for account_id, published_at, likes, comments, shares in posts:
        by_account[account_id].append(PublicPost(published_at, likes, comments, shares))
    today = organization.today()
    rows = []
    for account in accounts:
        figures = public_figures(followers=account.followers, posts=by_account[account.pk], now=now)
        rows.append(
            BenchmarkRow(
                name=account.display_name,
                is_ours=True,
                followers=figures.followers,
                posts_per_week=figures.posts_per_week,
                average_reactions=figures.average_reactions,
                engagement_rate=figures.engagement_rate,
                date=today,
                source="ours",
            )
        )
    return rows


def competitor_page(*, organization: Organization) -> QuerySet[Competitor]:
    return Competitor.objects.for_organization(organization).order_by("name", "pk")


def competitor_rows(
    *, organization: Organization, competitors: Sequence[Competitor], platform: str
) -> list[BenchmarkRow]:
    """Each competitor's latest snapshot on the platform; a competitor without one is left out."""
    newest = (
        CompetitorSnapshot.objects.for_organization(organization)
        .filter(competitor=OuterRef("pk"), platform=platform)
        .order_by("-date", "-pk")
        .values("pk")[:1]
    )
    latest_ids = (
        Competitor.objects.for_organization(organization)
        .filter(pk__in=[c.pk for c in competitors])
        .annotate(latest=Subquery(newest))
        .values("latest")
    )
    latest = {
        s.competitor_id: s
        for s in CompetitorSnapshot.objects.for_organization(organization).filter(pk__in=Subquery(latest_ids))
    }
    rows = []
    for competitor in competitors:
        found = latest.get(competitor.pk)
        if found is None:
            continue
        rows.append(
            BenchmarkRow(
                name=competitor.name,
                is_ours=False,
                followers=found.followers,
                posts_per_week=found.posts_per_week,
                average_reactions=found.average_reactions,
                engagement_rate=found.engagement_rate,
                date=found.date,
                source=found.source,
            )
        )
    return rows


__all__ = ["BenchmarkRow", "competitor_page", "competitor_rows", "our_rows"]
