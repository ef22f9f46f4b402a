"""Daily automatic tracking of the strategy's competitors from public data (docs/competitors.md).

One call tracks one organization: every competitor linked to one of its strategies with a VK
community address gets one snapshot for the organization's today (an upsert on the natural key
organization + competitor + platform + date, so running it again the same day rewrites that row
and adds none). A snapshot typed in by hand for the same day is kept: people correct the robot,
not the other way round. Network calls happen outside transactions; each competitor's write is
its own transaction, so one failing community does not undo the others.

The last attempt's outcome is kept on the competitor (`tracking_*`): the sync-health page words
it. A rate limit stops the run (the rest keep yesterday's data) and tells the task when to retry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.vocabulary import SocialPlatform
from integrations.connectors.base import ConnectorError, RateLimited
from integrations.connectors.vk_public import VKPublicConnector, community_ref
from integrations.quality import error_kind
from tenancy.models import Organization

from ..models import Competitor, CompetitorSnapshot, SnapshotSource, StrategyCompetitor
from ..public_figures import PublicFigures, PublicPost, public_figures, window_start

# Error categories of competitor tracking beyond the connector's (integrations.quality.ErrorKind).
NOT_CONFIGURED = "not_configured"
NO_COMMUNITY = "no_community"
_MAX_ENGAGEMENT_RATE = Decimal("9999.99")  # the column's range; beyond it ER is not stored

ConnectorFactory = Callable[[], VKPublicConnector | None]


@dataclass
class TrackResult:
    tracked: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    kept_manual: list[int] = field(default_factory=list)
    retry_after: float | None = None


def tracked_competitors(organization: Organization) -> list[Competitor]:
    """Competitors of any of the organization's strategies that have a VK address."""
    linked = StrategyCompetitor.objects.for_organization(organization).values("competitor_id")
    rows = Competitor.objects.for_organization(organization).filter(pk__in=linked).order_by("name", "pk")
    return [c for c in rows if isinstance((c.links or {}).get(SocialPlatform.VK), str)]


def _record_failure(competitor: Competitor, kind: str, detail: str, now: dt.datetime) -> None:
    Competitor.objects.for_organization(competitor.organization_id).filter(pk=competitor.pk).update(
        tracking_checked_at=now, tracking_error_kind=kind, tracking_error=detail[:1000]
    )


@transaction.atomic
def _store(competitor: Competitor, day: dt.date, figures: PublicFigures, now: dt.datetime) -> bool:
    """The day's snapshot (False when a hand-typed one already holds the day) and the success."""
    Competitor.objects.for_organization(competitor.organization_id).filter(pk=competitor.pk).update(
        tracking_checked_at=now, tracked_at=now, tracking_error_kind="", tracking_error=""
    )
    rows = CompetitorSnapshot.objects.for_organization(competitor.organization_id)
    key = {"competitor": competitor, "platform": SocialPlatform.VK, "date": day}
    existing = rows.select_for_update().filter(**key).first()
    if existing is not None and existing.source == SnapshotSource.MANUAL:
        return False
    rate = figures.engagement_rate
    values: dict[str, object] = {
        "followers": figures.followers,
        "posts_per_week": figures.posts_per_week,
        "average_reactions": figures.average_reactions,
        "engagement_rate": rate if rate is None or rate <= _MAX_ENGAGEMENT_RATE else None,
        "source": SnapshotSource.VK_PUBLIC,
    }
    if existing is None:
        CompetitorSnapshot.objects.create(organization_id=competitor.organization_id, **key, **values)
    else:
        rows.filter(pk=existing.pk).update(**values)
    return True


def competitors_track(
    *, organization: Organization, connector_factory: ConnectorFactory, now: dt.datetime | None = None
) -> TrackResult:
    """Track every VK competitor of the organization once for its today (see the module doc)."""
    now = now or timezone.now()
    day = organization.today()
    result = TrackResult()
    competitors = tracked_competitors(organization)
    if not competitors:
        return result
    connector = connector_factory()
    if connector is None:
        for competitor in competitors:
            _record_failure(competitor, NOT_CONFIGURED, "VK_SERVICE_TOKEN is not set", now)
            result.failed[competitor.pk] = NOT_CONFIGURED
        return result
    with connector:
        for competitor in competitors:
            ref = community_ref(competitor.links[SocialPlatform.VK])
            if ref is None:
                _record_failure(competitor, NO_COMMUNITY, competitor.links[SocialPlatform.VK], now)
                result.failed[competitor.pk] = NO_COMMUNITY
                continue
            try:
                community = connector.fetch_public_community(ref)
                posts = connector.fetch_public_posts(community.id, window_start(now))
            except ConnectorError as exc:
                _record_failure(competitor, error_kind(exc), str(exc), now)
                result.failed[competitor.pk] = error_kind(exc)
                if isinstance(exc, RateLimited):
                    result.retry_after = exc.retry_after or 60.0
                    break
                continue
            figures = public_figures(
                followers=community.followers,
                posts=[PublicPost(p.published_at, p.likes, p.comments, p.shares) for p in posts],
                now=now,
            )
            if _store(competitor, day, figures, now):
                result.tracked.append(competitor.pk)
            else:
                result.kept_manual.append(competitor.pk)
    return result


__all__ = ["NOT_CONFIGURED", "NO_COMMUNITY", "TrackResult", "competitors_track", "tracked_competitors"]
