"""Reads of A/B tests shared by pages, the API and reports: lists, one test with its variants,
current traffic for the planner, counts of linked campaigns and posts, the evaluation."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from ads.models import AdStatDaily
from analytics.models import PostMetricDaily
from core.kpis import kpi_window
from crm.models import Lead
from tenancy.models import Organization

from . import stats
from .models import ABTest, ABVariant, Metric


def abtest_list(*, organization: Organization) -> QuerySet[ABTest]:
    return (
        ABTest.objects.for_organization(organization)
        .annotate(variant_count=Count("variants"))
        .order_by("-created_at", "-id")
    )


def abtest_with_variants(*, organization: Organization) -> QuerySet[ABTest]:
    variants = ABVariant.objects.for_organization(organization).select_related("campaign", "post").order_by("position")
    return ABTest.objects.for_organization(organization).prefetch_related(Prefetch("variants", queryset=variants))


def concluded_abtests(*, organization: Organization, start: dt.date, end: dt.date) -> QuerySet[ABTest]:
    """Tests concluded between ``start`` and ``end`` (inclusive, the organization's calendar), with
    their verdict, winner and decision: what a period's report lists."""
    tz = organization.tzinfo
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        ABTest.objects.for_organization(organization)
        .filter(status=ABTest.Status.CONCLUDED, concluded_at__gte=since, concluded_at__lt=until)
        .order_by("concluded_at", "id")
    )


@dataclass(frozen=True)
class Traffic:
    baseline_percent: Decimal | None  # the rate over the window, in percent
    daily_traffic: int | None  # units a day (impressions, clicks or leads)
    start: dt.date
    end: dt.date


def current_traffic(*, organization: Organization, campaign_id: int, metric: str, end: dt.date) -> Traffic:
    """A campaign's rate and traffic a day over the trailing KPI window: the planner's defaults."""
    start, end = kpi_window(end)
    totals = (
        AdStatDaily.objects.for_organization(organization)
        .filter(campaign_id=campaign_id, day__gte=start, day__lte=end)
        .aggregate(
            impressions=Coalesce(Sum("impressions"), 0),
            clicks=Coalesce(Sum("clicks"), 0),
        )
    )
    leads = _crm_leads(organization, [campaign_id], start, end).get(campaign_id, 0)
    days = (end - start).days + 1
    impressions, clicks = int(totals["impressions"]), int(totals["clicks"])
    if metric == Metric.CTR:
        num, den = clicks, impressions
    elif metric == Metric.LEAD_CONVERSION:
        num, den = leads, clicks
    else:
        num, den = leads, 0
    baseline = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.0001")) if den and num else None
    flow = leads if metric == Metric.CPL else den
    return Traffic(baseline, max(1, round(flow / days)) if flow else None, start, end)


def _crm_leads(organization: Organization, campaign_ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, int]:
    tz = organization.tzinfo
    rows = (
        Lead.objects.for_organization(organization)
        .filter(
            campaign_id__in=campaign_ids,
            created__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            created__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
        .values("campaign_id")
        .annotate(n=Count("id"))
    )
    return {r["campaign_id"]: r["n"] for r in rows}


def linked_counts(
    *, organization: Organization, test: ABTest, variants: Sequence[ABVariant], start: dt.date, end: dt.date
) -> dict[int, stats.Counts]:
    """Counts of each linked variant over [start, end]: campaigns from ad statistics (impressions,
    clicks, spend) and CRM leads attributed to them; posts from their daily metrics (views, link
    clicks). Three queries whatever the number of variants."""
    campaign_ids = [v.campaign_id for v in variants if v.campaign_id]
    post_ids = [v.post_id for v in variants if v.post_id and not v.campaign_id]
    ads: dict[int, Mapping[str, Any]] = {
        r["campaign_id"]: r
        for r in AdStatDaily.objects.for_organization(organization)
        .filter(campaign_id__in=campaign_ids, day__gte=start, day__lte=end)
        .values("campaign_id")
        .annotate(
            impressions=Coalesce(Sum("impressions"), 0),
            clicks=Coalesce(Sum("clicks"), 0),
            spend=Coalesce(Sum("spend"), Decimal(0)),
        )
    }
    leads = _crm_leads(organization, campaign_ids, start, end) if campaign_ids else {}
    posts: dict[int, Mapping[str, Any]] = {
        r["post_id"]: r
        for r in PostMetricDaily.objects.for_organization(organization)
        .filter(post_id__in=post_ids, day__gte=start, day__lte=end)
        .values("post_id")
        .annotate(views=Coalesce(Sum("views"), 0), link_clicks=Coalesce(Sum("link_clicks"), 0))
    }
    result: dict[int, stats.Counts] = {}
    for v in variants:
        if v.campaign_id:
            row: Mapping[str, Any] = ads.get(v.campaign_id, {"impressions": 0, "clicks": 0, "spend": Decimal(0)})
            n_leads = leads.get(v.campaign_id, 0)
            if test.metric == Metric.CTR:
                result[v.pk] = stats.Counts(int(row["impressions"]), int(row["clicks"]), float(row["spend"]))
            elif test.metric == Metric.LEAD_CONVERSION:
                result[v.pk] = stats.Counts(int(row["clicks"]), n_leads, float(row["spend"]))
            else:
                result[v.pk] = stats.Counts(int(row["clicks"]), n_leads, float(row["spend"]))
        elif v.post_id:
            prow: Mapping[str, Any] = posts.get(v.post_id, {"views": 0, "link_clicks": 0})
            result[v.pk] = stats.Counts(int(prow["views"]), int(prow["link_clicks"]))
    return result


def variant_counts(variant: ABVariant) -> stats.Counts:
    return stats.Counts(int(variant.units), int(variant.conversions), float(variant.spend))


def abtest_evaluation(test: ABTest, variants: Sequence[ABVariant]) -> stats.Evaluation | None:
    """The evaluation of the stored counts (no query when ``variants`` are prefetched); None
    before the test has two variants."""
    if len(variants) < 2:
        return None
    return stats.evaluate(
        metric=stats.Metric(test.metric),
        counts=[variant_counts(v) for v in variants],
        alpha=float(test.alpha),
        required=test.required_per_variant,
    )
