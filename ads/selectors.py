import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from django.db.models import Q, QuerySet, Sum

from core.numbers import ratio
from tenancy.models import Organization

from .models import AdCampaign


def campaign_performance_list(*, organization: Organization, start: dt.date, end: dt.date) -> QuerySet[AdCampaign]:
    """Campaigns with their totals over [start, end] in one query (annotations `spend_total`,
    `clicks_total`, `impressions_total`, `leads_total`, `revenue_total`; None when no stats).

    CPC, CPL and ROI use only the days that report both of their parts (`*_with_*` pairs: a
    NULL metric was not reported, see `analytics.kpi_values`), so a campaign-day without
    revenue adds no spend to ROI and one without spend adds no leads to CPL."""
    in_window = Q(stats__day__gte=start, stats__day__lte=end)
    with_spend = in_window & Q(stats__spend__isnull=False)
    return (
        AdCampaign.objects.filter(organization=organization)
        .select_related("account")
        .annotate(
            spend_total=Sum("stats__spend", filter=in_window),
            clicks_total=Sum("stats__clicks", filter=in_window),
            impressions_total=Sum("stats__impressions", filter=in_window),
            leads_total=Sum("stats__leads", filter=in_window),
            revenue_total=Sum("stats__revenue", filter=in_window),
            spend_with_clicks=Sum("stats__spend", filter=with_spend & Q(stats__clicks__isnull=False)),
            clicks_with_spend=Sum("stats__clicks", filter=with_spend & Q(stats__clicks__isnull=False)),
            spend_with_leads=Sum("stats__spend", filter=with_spend & Q(stats__leads__isnull=False)),
            leads_with_spend=Sum("stats__leads", filter=with_spend & Q(stats__leads__isnull=False)),
            spend_with_revenue=Sum("stats__spend", filter=with_spend & Q(stats__revenue__isnull=False)),
            revenue_with_spend=Sum("stats__revenue", filter=with_spend & Q(stats__revenue__isnull=False)),
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
