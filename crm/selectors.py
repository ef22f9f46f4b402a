"""Reads of leads and sales: the attribution report (docs/attribution.md).

The report counts the leads created and the sales sold in the organization's calendar days
[start, end], grouped by what their lead is attributed to, with the ad spend of the same days.
A constant number of queries whatever the data size: leads, sales, spend, labels and the business
profile are each one aggregate or one list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from ads.models import AdCampaign, AdStatDaily
from content.models import Post
from core.numbers import money, ratio
from core.vocabulary import Platform, network_of
from strategy.models import BusinessProfile, Goal
from tenancy.models import Organization

from .models import Lead, Sale

By = Literal["post", "campaign", "platform", "goal"]
BY_CHOICES: tuple[By, ...] = ("post", "campaign", "platform", "goal")
KEY_FIELDS: dict[str, str] = {
    "post": "post_id",
    "campaign": "campaign_id",
    "platform": "attributed_platform",
    "goal": "goal_id",
}
UNATTRIBUTED = "unattributed"
UNATTRIBUTED_LABELS = {
    "post": _("Not attributed to a post"),
    "campaign": _("Not attributed to a campaign"),
    "platform": _("Not attributed to a platform"),
    "goal": _("Not attributed to a goal"),
}


@dataclass(frozen=True)
class AttributionRow:
    key: str
    label: str
    leads: int
    sales: int
    revenue: Decimal
    spend: Decimal | None
    cpl: Decimal | None
    romi: Decimal | None
    unattributed: bool = False


@dataclass(frozen=True)
class AttributionReport:
    start: dt.date
    end: dt.date
    by: str
    currency: str
    gross_margin_percent: Decimal | None
    rows: list[AttributionRow]


def _moments(organization: Organization, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = organization.tzinfo
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _spend(organization: Organization, start: dt.date, end: dt.date, by: str) -> dict[str, Decimal]:
    """Spend per key of the ad stats that report it; posts and goals carry no spend."""
    stats = AdStatDaily.objects.for_organization(organization).filter(day__gte=start, day__lte=end, spend__isnull=False)
    out: dict[str, Decimal] = defaultdict(Decimal)
    if by == "campaign":
        for campaign_id, spend in stats.values_list("campaign_id").annotate(s=Sum("spend")).order_by():
            out[str(campaign_id)] += spend
    elif by == "platform":
        # An ad account's spend is reported under the network its ads run on (core.vocabulary).
        for platform, spend in stats.values_list("account__platform").annotate(s=Sum("spend")).order_by():
            out[network_of(platform)] += spend
    return dict(out)


def _labels(organization: Organization, by: str, keys: set[str]) -> dict[str, str]:
    ids = [int(key) for key in keys if key.isdigit()]
    if by == "platform":
        return {key: str(Platform(key).label) if key in Platform.values else key for key in keys}
    if by == "post":
        posts = Post.objects.for_organization(organization).filter(id__in=ids).values_list("id", "title")
        return {str(pk): title for pk, title in posts}
    if by == "campaign":
        campaigns = AdCampaign.objects.for_organization(organization).filter(id__in=ids).values_list("id", "name")
        return {str(pk): name for pk, name in campaigns}
    return {str(goal.pk): str(goal) for goal in Goal.objects.for_organization(organization).filter(id__in=ids)}


def gross_margin_of(organization: Organization) -> Decimal | None:
    profile = BusinessProfile.objects.for_organization(organization).values_list("gross_margin_percent", flat=True)
    return profile.first()


def romi(revenue: Decimal, spend: Decimal | None, margin_percent: Decimal | None) -> Decimal | None:
    """(revenue × gross margin − spend) ÷ spend × 100; None without a margin or a spend."""
    if margin_percent is None or spend is None:
        return None
    return ratio(revenue * margin_percent / 100 - spend, spend, scale=100)


def attribution_report(*, organization: Organization, start: dt.date, end: dt.date, by: str) -> AttributionReport:
    key_field = KEY_FIELDS[by]
    since, until = _moments(organization, start, end)
    leads_by_key: dict[str, int] = {}
    for key, count in (
        Lead.objects.for_organization(organization)
        .filter(created__gte=since, created__lt=until)
        .values_list(key_field)
        .annotate(n=Count("id"))
        .order_by()
    ):
        leads_by_key[str(key or "")] = leads_by_key.get(str(key or ""), 0) + count
    sales_by_key: dict[str, tuple[int, Decimal]] = {}
    sales = Sale.objects.for_organization(organization).filter(sold_at__gte=since, sold_at__lt=until, refunded=False)
    for key, count, revenue in (
        sales.values_list(f"lead__{key_field}").annotate(n=Count("id"), r=Sum("amount")).order_by()
    ):
        previous = sales_by_key.get(str(key or ""), (0, Decimal(0)))
        sales_by_key[str(key or "")] = (previous[0] + count, previous[1] + revenue)
    spend_by_key = _spend(organization, start, end, by)
    keys = (set(leads_by_key) | set(sales_by_key) | set(spend_by_key)) - {""}
    labels = _labels(organization, by, keys)
    margin = gross_margin_of(organization)

    def row(key: str, label: str, *, unattributed: bool = False) -> AttributionRow:
        leads = leads_by_key.get(key, 0)
        count, revenue = sales_by_key.get(key, (0, Decimal(0)))
        spend = spend_by_key.get(key)
        return AttributionRow(
            key=key or UNATTRIBUTED,
            label=label,
            leads=leads,
            sales=count,
            revenue=money(revenue),
            spend=None if spend is None else money(spend),
            cpl=ratio(spend, leads),
            romi=romi(revenue, spend, margin),
            unattributed=unattributed,
        )

    rows = sorted((row(key, labels.get(key, key)) for key in keys), key=lambda r: (-r.leads, -r.revenue, r.label))
    rows.append(row("", str(UNATTRIBUTED_LABELS[by]), unattributed=True))
    return AttributionReport(start, end, by, organization.currency, margin, rows)
