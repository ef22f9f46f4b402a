import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from tenancy.models import Organization

from .models import AdCampaign


def campaign_performance_list(*, organization: Organization, start: dt.date, end: dt.date) -> QuerySet[AdCampaign]:
    """Campaigns with their totals over [start, end] in one query (annotations `spend_total`,
    `clicks_total`, `impressions_total`, `leads_total`, `revenue_total`; None when no stats)."""
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
        )
        .order_by("status", "name", "id")
    )


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator ÷ denominator to 2 places, or None when either side is missing or zero."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"))


def roi_percent(revenue: Decimal | None, spend: Decimal | None) -> Decimal | None:
    """(revenue − spend) ÷ spend × 100; None without revenue or spend."""
    if revenue is None or not spend:
        return None
    return ((Decimal(revenue) - Decimal(spend)) * 100 / Decimal(spend)).quantize(Decimal("0.1"))
