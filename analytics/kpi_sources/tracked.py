"""Counted clicks of the organization's tracked short links (`links.LinkClickHourly`), by the hour
in the organization's time zone. A link belongs to a post (its platform, goal and pillar) or to an
ad campaign (its ad account's platform). Once the organization has a tracked link, a group without
clicks is zero (as `links.selectors.clicks_between` counts)."""

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from links.models import LinkClickHourly, TrackedLink

from .base import (
    AD_UNITS,
    ALL_DIMENSIONS,
    Dimension,
    KpiQuery,
    SourceResult,
    ad_platform_label,
    aggregate_by,
    for_campaign,
    group_key,
    nones,
    zeros,
)

NAME = "links"
DIMENSIONS = ALL_DIMENSIONS - AD_UNITS
PARTS = ("tracked_clicks",)


def _platform():
    return Coalesce("link__post__platform", ad_platform_label("link__campaign__account__platform"))


_KEYS = {
    Dimension.PLATFORM: _platform(),
    Dimension.POST: "link__post_id",
    Dimension.CAMPAIGN: "link__campaign_id",
    Dimension.GOAL: "link__post__goal_id",
    Dimension.PILLAR: "link__post__pillar_id",
}


def fetch(query: KpiQuery, wanted: set[str]) -> SourceResult:
    organization = query.organization
    qs: QuerySet = LinkClickHourly.objects.filter(
        organization=organization, hour__gte=query.since, hour__lt=query.until
    )
    if query.platform:
        qs = qs.alias(_platform_filter=_platform()).filter(_platform_filter=query.platform)
    qs = for_campaign(qs, query, "link__campaign_id")
    rows = aggregate_by(qs, group_key(query, _KEYS, day="hour", tz=True), {"tracked_clicks": Sum("clicks")})
    connected = bool(rows) or TrackedLink.objects.filter(organization=organization).exists()
    return SourceResult(rows=rows, empty=zeros(*PARTS) if connected else nones(*PARTS))
