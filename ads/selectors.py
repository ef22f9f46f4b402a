import datetime as dt

from django.db.models import Q, QuerySet, Sum

from tenancy.models import Organization

from .models import AdCampaign


def campaign_performance_list(*, organization: Organization, start: dt.date, end: dt.date) -> QuerySet[AdCampaign]:
    """Campaigns with their totals over [start, end] in one query (annotations `spend_total`,
    `clicks_total`, `impressions_total`, `leads_total`, `revenue_total`; None when no stats).

    CPL and ROI use the spend of the days that report leads / revenue (`spend_with_leads`,
    `spend_with_revenue`), the same rule as the organization KPIs in `analytics.kpi_values`."""
    in_window = Q(stats__day__gte=start, stats__day__lte=end)
    return (
        AdCampaign.objects.filter(organization=organization)
        .select_related("account")
        .annotate(
            spend_total=Sum("stats__spend", filter=in_window),
            clicks_total=Sum("stats__clicks", filter=in_window),
            impressions_total=Sum("stats__impressions", filter=in_window),
            leads_total=Sum("stats__leads", filter=in_window),
            revenue_total=Sum("stats__revenue", filter=in_window),
            spend_with_leads=Sum("stats__spend", filter=in_window & Q(stats__leads__isnull=False)),
            spend_with_revenue=Sum("stats__spend", filter=in_window & Q(stats__revenue__isnull=False)),
        )
        .order_by("status", "name", "id")
    )
