import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from django.db.models import FilteredRelation, Q, QuerySet, Sum

from core.numbers import ratio
from tenancy.models import Organization

from .models import AdCampaign


def campaign_performance_list(*, organization: Organization, start: dt.date, end: dt.date) -> QuerySet[AdCampaign]:
    """Campaigns with their totals over [start, end] in one query (annotations `spend_total`,
    `clicks_total`, `impressions_total`, `leads_total`, `revenue_total`; None when no stats).

    CPC, CPL and ROI use only the days that report both of their parts (`*_with_*` pairs: a
    NULL metric was not reported, see `analytics.kpi_values`), so a campaign-day without
    revenue adds no spend to ROI and one without spend adds no leads to CPL."""
    # The window and the organization are in the join itself (not only in the aggregates' FILTER):
    # the natural-key index (organization, campaign, day) then reads the window's rows of this
    # organization only, never another tenant's stats or the whole history.
    with_spend = Q(period_stats__spend__isnull=False)
    return (
        AdCampaign.objects.filter(organization=organization)
        .select_related("account")
        .annotate(
            period_stats=FilteredRelation(
                "stats",
                condition=Q(stats__organization_id=organization.pk, stats__day__gte=start, stats__day__lte=end),
            )
        )
        .annotate(
            spend_total=Sum("period_stats__spend"),
            clicks_total=Sum("period_stats__clicks"),
            impressions_total=Sum("period_stats__impressions"),
            leads_total=Sum("period_stats__leads"),
            revenue_total=Sum("period_stats__revenue"),
            spend_with_clicks=Sum("period_stats__spend", filter=with_spend & Q(period_stats__clicks__isnull=False)),
            clicks_with_spend=Sum("period_stats__clicks", filter=with_spend & Q(period_stats__clicks__isnull=False)),
            spend_with_leads=Sum("period_stats__spend", filter=with_spend & Q(period_stats__leads__isnull=False)),
            leads_with_spend=Sum("period_stats__leads", filter=with_spend & Q(period_stats__leads__isnull=False)),
            spend_with_revenue=Sum("period_stats__spend", filter=with_spend & Q(period_stats__revenue__isnull=False)),
            revenue_with_spend=Sum("period_stats__revenue", filter=with_spend & Q(period_stats__revenue__isnull=False)),
        )
        .order_by("status", "name", "id")
    )


class CampaignPerformance(Protocol):
    """A campaign from ``campaign_performance_list``: the sums the ratios read (annotations) and the
    ratios ``campaign_ratios_attach`` sets."""

    spend_with_clicks: Decimal | None
    clicks_with_spend: int | None
    spend_with_leads: Decimal | None
    leads_with_spend: int | None
    spend_with_revenue: Decimal | None
    revenue_with_spend: Decimal | None
    cpc: Decimal | None
    cpl: Decimal | None
    roi: Decimal | None


def campaign_ratios_attach(campaigns: Iterable[CampaignPerformance]) -> None:
    """Set ``cpc``, ``cpl`` and ``roi`` (percent) on campaigns from ``campaign_performance_list``,
    each over the days that report both of its parts; None when a part is missing or zero."""
    for campaign in campaigns:
        campaign.cpc = ratio(campaign.spend_with_clicks, campaign.clicks_with_spend)
        campaign.cpl = ratio(campaign.spend_with_leads, campaign.leads_with_spend)
        revenue, spend = campaign.revenue_with_spend, campaign.spend_with_revenue
        campaign.roi = ratio(revenue - spend, spend, scale=100) if revenue is not None and spend else None
