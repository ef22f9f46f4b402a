import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import FilteredRelation, Q, QuerySet, Sum

from core.numbers import money, ratio
from tenancy.models import Organization

from .models import (
    AdBudget,
    AdCampaign,
    AdCreativeStatDaily,
    AdSetStatDaily,
    AdStatDaily,
    BudgetChange,
    CampaignPlan,
)


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


# --------------------------------------------------------------------------- window reads (the ads page)


@dataclass
class Delivery:
    """A campaign's delivery over a window as the ad cabinet reports it (None = not reported)."""

    spend: Decimal | None = None
    impressions: int | None = None
    reach: int | None = None
    clicks: int | None = None
    platform_leads: int | None = None
    ctr_clicks: int | None = None
    ctr_impressions: int | None = None
    cpm_spend: Decimal | None = None
    cpm_impressions: int | None = None

    @property
    def ctr(self) -> Decimal | None:
        """Clicks ÷ impressions × 100 over the days reporting both."""
        return ratio(self.ctr_clicks, self.ctr_impressions, scale=100)

    @property
    def cpm(self) -> Decimal | None:
        """Spend ÷ impressions × 1000 over the days reporting both."""
        return ratio(self.cpm_spend, self.cpm_impressions, scale=1000)


_CTR = Q(clicks__isnull=False, impressions__isnull=False)
_CPM = Q(spend__isnull=False, impressions__isnull=False)
DELIVERY_SUMS = {
    "sum_spend": Sum("spend"),
    "sum_impressions": Sum("impressions"),
    "sum_reach": Sum("reach"),
    "sum_clicks": Sum("clicks"),
    "sum_platform_leads": Sum("leads"),
    "sum_ctr_clicks": Sum("clicks", filter=_CTR),
    "sum_ctr_impressions": Sum("impressions", filter=_CTR),
    "sum_cpm_spend": Sum("spend", filter=_CPM),
    "sum_cpm_impressions": Sum("impressions", filter=_CPM),
}


def window_stats(*, organization: Organization, start: dt.date, end: dt.date) -> QuerySet[AdStatDaily]:
    """The organization's stat rows of [start, end] only: an index range scan on
    ``adstat_org_day_idx`` (organization_id, day), never the whole history (docs/ads.md)."""
    return AdStatDaily.objects.filter(organization=organization, day__gte=start, day__lte=end)


def campaign_delivery(
    *, organization: Organization, start: dt.date, end: dt.date, campaign_ids: Iterable[int] | None = None
) -> dict[int, Delivery]:
    """Delivery per campaign over [start, end], one query (campaigns without rows are absent)."""
    rows = window_stats(organization=organization, start=start, end=end)
    if campaign_ids is not None:
        rows = rows.filter(campaign_id__in=list(campaign_ids))
    grouped = rows.order_by().values("campaign_id").annotate(**DELIVERY_SUMS)
    return {row["campaign_id"]: _delivery(dict(row)) for row in grouped}


def campaign_daily(
    *, organization: Organization, campaign_id: int, start: dt.date, end: dt.date
) -> dict[dt.date, Delivery]:
    """One campaign's delivery per day of [start, end] (days without a row are absent), one query."""
    rows = window_stats(organization=organization, start=start, end=end).filter(campaign_id=campaign_id)
    grouped = rows.order_by().values("day").annotate(**DELIVERY_SUMS)
    return {row["day"]: _delivery(dict(row)) for row in grouped}


UNIT_LEVELS = {"ad_set": (AdSetStatDaily, "ad_set_id"), "creative": (AdCreativeStatDaily, "creative_id")}


def unit_delivery(
    *, organization: Organization, start: dt.date, end: dt.date, campaign_id: int, level: str
) -> dict[int, Delivery]:
    """Delivery per ad set (``level`` "ad_set") or per creative ("creative") of one campaign over
    [start, end], one query on the (organization, campaign, day) index; units without rows are absent."""
    model, key = UNIT_LEVELS[level]
    rows = model.objects.filter(organization=organization, campaign_id=campaign_id, day__gte=start, day__lte=end)
    grouped = rows.order_by().values(key).annotate(**DELIVERY_SUMS)
    return {row[key]: _delivery(dict(row)) for row in grouped}


def _delivery(row: dict[str, Any]) -> Delivery:
    return Delivery(**{name.removeprefix("sum_"): value for name, value in row.items() if name.startswith("sum_")})


# --------------------------------------------------------------------------- budgets and pacing

PACE_TOLERANCE = Decimal("0.10")  # ±10 % of the plan to date is "on pace"


@dataclass
class Pacing:
    """Spend to date against the month's plan, and the month's end at the current daily rate."""

    budget: Decimal | None
    spent: Decimal
    planned_to_date: Decimal | None
    projected: Decimal
    days_elapsed: int
    days_in_month: int

    @property
    def state(self) -> str:
        """ "over", "under", "on" or "" (no budget): projected month end against the budget ±10 %."""
        if not self.budget:
            return ""
        if self.projected > self.budget * (1 + PACE_TOLERANCE):
            return "over"
        if self.projected < self.budget * (1 - PACE_TOLERANCE):
            return "under"
        return "on"


def month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def pacing_for(*, budget: Decimal | None, spent: Decimal | None, today: dt.date) -> Pacing:
    """Linear plan: the budget spread evenly over the month's days; today counts as elapsed."""
    first, last = month_bounds(today)
    days_in_month = last.day
    elapsed = (today - first).days + 1
    spent_value = spent or Decimal(0)
    planned = money(budget * elapsed / days_in_month) if budget else None
    projected = money(spent_value * days_in_month / elapsed)
    return Pacing(budget, money(spent_value), planned, projected, elapsed, days_in_month)


def organization_budget(*, organization: Organization, month: dt.date) -> Decimal | None:
    return (
        AdBudget.objects.for_organization(organization)
        .filter(month=month.replace(day=1))
        .values_list("amount", flat=True)
        .first()
    )


def organization_pacing(*, organization: Organization, today: dt.date) -> Pacing:
    """The organization's monthly budget against every campaign's spend this month (two queries)."""
    first, _last = month_bounds(today)
    spent = window_stats(organization=organization, start=first, end=today).aggregate(total=Sum("spend"))["total"]
    return pacing_for(budget=organization_budget(organization=organization, month=first), spent=spent, today=today)


def campaign_pacing(
    *, organization: Organization, today: dt.date, campaigns: Iterable[AdCampaign]
) -> dict[int, Pacing]:
    """Per campaign with a monthly budget in its plan (``plan`` selected by the caller), one query."""
    budgets = {}
    for campaign in campaigns:
        plan = getattr(campaign, "plan", None)  # a missing one-to-one row raises AttributeError: None
        if plan is not None and plan.monthly_budget:
            budgets[campaign.pk] = plan.monthly_budget
    if not budgets:
        return {}
    first, _last = month_bounds(today)
    delivery = campaign_delivery(organization=organization, start=first, end=today, campaign_ids=budgets)
    return {
        pk: pacing_for(budget=budget, spent=delivery[pk].spend if pk in delivery else None, today=today)
        for pk, budget in budgets.items()
    }


def campaign_plans(*, organization: Organization, campaign_ids: Iterable[int]) -> dict[int, CampaignPlan]:
    return {
        plan.campaign_id: plan
        for plan in CampaignPlan.objects.for_organization(organization).filter(campaign_id__in=list(campaign_ids))
    }


def budget_changes(*, organization: Organization, campaign_id: int) -> QuerySet[BudgetChange]:
    return BudgetChange.objects.for_organization(organization).filter(campaign_id=campaign_id).select_related("actor")
