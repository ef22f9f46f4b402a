"""The business's own records (`crm.Lead`, `crm.Sale`): leads, sales, revenue.

A lead counts on the day it was created in the CRM, a sale on the day it was sold (days of the
organization's time zone); refunded sales are left out. Revenue sums only sales in the
organization's currency (there is no exchange rate to trust); the others are counted as
`sales_other_currency`. Platform, post, campaign, goal and pillar are the lead's attribution
result (a sale's through its lead); the platform is the attributed one, else the one the CRM sent.
Once the organization has any lead (or sale) a group without rows is zero, not "no data".

Ad set and creative: a lead attributed to a campaign counts for the campaign's creative whose
``lead_code`` (its tracked link's code, else its ``utm_content``) equals the lead's ``link_code``,
else its ``utm_content`` — the visit that converted — and for that creative's ad set; a lead
matching none of the campaign's creatives is unattributed at that level (docs/ads.md).
"""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from ads.models import AdCreative
from crm.models import Lead, Sale

from .base import ALL_DIMENSIONS, Dimension, KpiQuery, SourceResult, aggregate_by, for_campaign, group_key, nones, zeros

NAME_LEADS = "leads"
NAME_SALES = "sales"
DIMENSIONS = ALL_DIMENSIONS
LEAD_PARTS = ("leads",)
SALE_PARTS = ("sales", "revenue", "sales_other_currency")


def _platform(prefix: str):
    return Coalesce(NullIf(f"{prefix}attributed_platform", Value("")), NullIf(f"{prefix}platform", Value("")))


def _creative(prefix: str, field: str) -> Subquery:
    """The lead's creative (``field`` "pk") or its ad set ("ad_set_id"): see the module docstring."""
    code = Coalesce(NullIf(OuterRef(f"{prefix}link_code"), Value("")), OuterRef(f"{prefix}utm_content"))
    match = AdCreative.objects.filter(
        organization_id=OuterRef(f"{prefix}organization_id"),
        ad_set__campaign_id=OuterRef(f"{prefix}campaign_id"),
        lead_code=code,
    ).exclude(lead_code="")
    return Subquery(match.order_by("pk").values(field)[:1])


def _keys(prefix: str) -> dict:
    return {
        Dimension.PLATFORM: _platform(prefix),
        Dimension.POST: f"{prefix}post_id",
        Dimension.CAMPAIGN: f"{prefix}campaign_id",
        Dimension.GOAL: f"{prefix}goal_id",
        Dimension.PILLAR: f"{prefix}post__pillar_id",
        Dimension.AD_SET: _creative(prefix, "ad_set_id"),
        Dimension.CREATIVE: _creative(prefix, "pk"),
    }


def _scoped(qs: QuerySet, query: KpiQuery, prefix: str) -> QuerySet:
    if query.platform:
        qs = qs.alias(_platform_filter=_platform(prefix)).filter(_platform_filter=query.platform)
    return for_campaign(qs, query, f"{prefix}campaign_id")


def fetch_leads(query: KpiQuery, wanted: set[str]) -> SourceResult:
    organization = query.organization
    qs = Lead.objects.filter(organization=organization, created__gte=query.since, created__lt=query.until)
    rows = aggregate_by(
        _scoped(qs, query, ""), group_key(query, _keys(""), day="created", tz=True), {"leads": Count("pk")}
    )
    connected = bool(rows) or Lead.objects.filter(organization=organization).exists()
    return SourceResult(rows=rows, empty=zeros(*LEAD_PARTS) if connected else nones(*LEAD_PARTS))


def fetch_sales(query: KpiQuery, wanted: set[str]) -> SourceResult:
    organization = query.organization
    in_currency = Q(currency=organization.currency)
    qs = Sale.objects.filter(
        organization=organization, sold_at__gte=query.since, sold_at__lt=query.until, refunded=False
    )
    rows = aggregate_by(
        _scoped(qs, query, "lead__"),
        group_key(query, _keys("lead__"), day="sold_at", tz=True),
        {
            "sales": Count("pk"),
            "revenue": Coalesce(Sum("amount", filter=in_currency), Value(0), output_field=Sale.amount.field),
            "sales_other_currency": Count("pk", filter=~in_currency),
        },
    )
    connected = bool(rows) or Sale.objects.filter(organization=organization).exists()
    return SourceResult(rows=rows, empty=zeros(*SALE_PARTS) if connected else nones(*SALE_PARTS))
