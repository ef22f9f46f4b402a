"""The ad source (`paid`) split below the campaign: daily rows per ad set (`ads.AdSetStatDaily`)
and per ad (`ads.AdCreativeStatDaily`), with the same parts and rules as the campaign rows.
Grouping by ad set reads the ad-set rows (their reach and spend as the platform reports the ad
set), by creative the ad rows. A campaign, platform or calendar filter applies as in `paid`."""

from django.db.models import F, Q, QuerySet, Sum

from ads.models import AdCreativeStatDaily, AdSetStatDaily

from .base import AD_UNITS, Dimension, KpiQuery, SourceResult, ad_platforms_for, aggregate_by, for_campaign

DIMENSIONS = AD_UNITS
_CPC = Q(spend__isnull=False, clicks__isnull=False)  # CPC from days reporting both parts


def _rows(query: KpiQuery) -> QuerySet:
    model = AdSetStatDaily if query.group_by == Dimension.AD_SET else AdCreativeStatDaily
    qs = model.objects.filter(organization=query.organization, day__gte=query.start, day__lte=query.end)
    qs = for_campaign(qs, query, "campaign_id")
    return qs.filter(account__platform__in=ad_platforms_for(query.platform)) if query.platform else qs


def fetch(query: KpiQuery, wanted: set[str]) -> SourceResult:
    key = "ad_set_id" if query.group_by == Dimension.AD_SET else "creative_id"
    rows = aggregate_by(
        _rows(query),
        F(key),
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
