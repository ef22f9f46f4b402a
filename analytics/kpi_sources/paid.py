"""Ad statistics (`ads.AdStatDaily`): spend, ad clicks and what the ad cabinets report as
conversions. Money is summed as recorded (the ad account's currency is taken to be the
organization's)."""

from django.db.models import Q, QuerySet, Sum
from django.db.models.expressions import Combinable

from ads.models import AdStatDaily

from . import ad_units
from .base import (
    BASIC,
    Dimension,
    KpiQuery,
    SourceResult,
    ad_platform_label,
    ad_platforms_for,
    aggregate_by,
    for_campaign,
    group_key,
)

NAME = "ads"
DIMENSIONS = BASIC | {Dimension.CAMPAIGN} | ad_units.DIMENSIONS
PARTS = ("spend", "ad_clicks", "cpc_spend", "cpc_clicks", "platform_leads", "platform_sales", "ad_revenue")

_KEYS: dict[Dimension, str | Combinable] = {
    Dimension.PLATFORM: ad_platform_label("account__platform"),
    Dimension.CAMPAIGN: "campaign_id",
}
_CPC = Q(spend__isnull=False, clicks__isnull=False)  # CPC from days reporting both parts


def _rows(query: KpiQuery) -> QuerySet:
    qs = AdStatDaily.objects.filter(organization=query.organization, day__gte=query.start, day__lte=query.end)
    qs = for_campaign(qs, query, "campaign_id")
    return qs.filter(account__platform__in=ad_platforms_for(query.platform)) if query.platform else qs


def fetch(query: KpiQuery, wanted: set[str]) -> SourceResult:
    if query.group_by in ad_units.DIMENSIONS:
        return ad_units.fetch(query, wanted)
    rows = aggregate_by(
        _rows(query),
        group_key(query, _KEYS, day="day", tz=False),
        {
            "spend": Sum("spend"),
            "ad_clicks": Sum("clicks"),
            "cpc_spend": Sum("spend", filter=_CPC),
            "cpc_clicks": Sum("clicks", filter=_CPC),
            "platform_leads": Sum("leads"),
            "platform_sales": Sum("conversions"),
            "ad_revenue": Sum("revenue"),
        },
    )
    return SourceResult(rows=rows)
