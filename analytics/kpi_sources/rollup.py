"""The same fact sources read from the daily rollups (analytics/rollups.py) instead of the raw
rows, for the dimensions and parts the rollups keep; `analytics.kpi_engine` picks this reader when
the organization's rollups are complete. The parts a rollup cannot hold (the followers level, the
response-time median, returning members) are still read from the raw rows by the source's own
function. A test checks every KPI equal on both paths (tests/analytics/test_rollups.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from analytics.models import AccountRollupDaily, AdRollupDaily, CrmRollupDaily, InboxRollupDaily
from crm.models import Lead, Sale

from . import crm, inbox, paid, social
from .base import (
    BASIC,
    Dimension,
    KpiQuery,
    SourceResult,
    ad_platform_label,
    ad_platforms_for,
    aggregate_by,
    group_key,
    nones,
    zeros,
)


@dataclass(frozen=True)
class RollupReader:
    dimensions: frozenset[Dimension]
    fetch: Callable[[KpiQuery, set[str]], SourceResult]


def _platform_keys() -> dict:
    return {Dimension.PLATFORM: "platform"}


def _scoped(model, query: KpiQuery):
    return model.objects.filter(organization=query.organization, day__gte=query.start, day__lte=query.end)


def fetch_metrics(query: KpiQuery, wanted: set[str]) -> SourceResult:
    rows: dict = {}
    if wanted - {"followers"}:
        qs = _scoped(AccountRollupDaily, query)
        if query.platform:
            qs = qs.filter(platform=query.platform)
        rows = aggregate_by(
            qs,
            group_key(query, _platform_keys(), day="day", tz=False),
            {
                "reach": Sum("reach"),
                "views": Sum("views"),
                "link_clicks": Sum("link_clicks"),
                "er_interactions": Sum("er_interactions"),
                "er_reach": Sum("er_reach"),
            },
        )
    if "followers" in wanted:  # a level per account: raw rows
        raw_key = group_key(query, social._KEYS, day="day", tz=False)
        for group, followers in social._followers(query, raw_key).items():
            rows.setdefault(group, {})["followers"] = followers
    return SourceResult(rows=rows)


def fetch_ads(query: KpiQuery, wanted: set[str]) -> SourceResult:
    qs = _scoped(AdRollupDaily, query)
    if query.platform:
        qs = qs.filter(platform__in=ad_platforms_for(query.platform))
    keys: dict[Dimension, str | Combinable] = {
        Dimension.PLATFORM: ad_platform_label("platform"),
        Dimension.CAMPAIGN: "campaign_id",
    }
    rows = aggregate_by(
        qs,
        group_key(query, keys, day="day", tz=False),
        {
            "spend": Sum("spend"),
            "ad_clicks": Sum("clicks"),
            "cpc_spend": Sum("cpc_spend"),
            "cpc_clicks": Sum("cpc_clicks"),
            "platform_leads": Sum("leads"),
            "platform_sales": Sum("conversions"),
            "ad_revenue": Sum("revenue"),
        },
    )
    return SourceResult(rows=rows)


_COUNTS = frozenset({"inbox_items", "resolved", "rated", "positive"})


def fetch_inbox(query: KpiQuery, wanted: set[str]) -> SourceResult:
    rows: dict = {}
    if wanted & _COUNTS:
        qs = _scoped(InboxRollupDaily, query)
        if query.platform:
            qs = qs.filter(platform=query.platform)
        rows = aggregate_by(
            qs,
            group_key(query, _platform_keys(), day="day", tz=False),
            {
                "inbox_items": Sum("items"),
                "resolved": Sum("resolved"),
                "rated": Sum("rated"),
                "positive": Sum("positive"),
            },
        )
    rest = wanted - _COUNTS
    if rest:  # medians, target shares and returning people need the items themselves
        raw = inbox.fetch(query, rest)
        for group, parts in raw.rows.items():
            rows.setdefault(group, {}).update(parts)
    return SourceResult(rows=rows)


_CRM_KEYS = {
    Dimension.PLATFORM: "platform",
    Dimension.CAMPAIGN: "campaign_id",
    Dimension.GOAL: "goal_id",
}


def _crm_rows(query: KpiQuery, kind: str, aggregates: dict) -> dict:
    qs = _scoped(CrmRollupDaily, query).filter(kind=kind)
    if query.platform:
        qs = qs.filter(platform=query.platform)
    rows = aggregate_by(qs, group_key(query, _CRM_KEYS, day="day", tz=False), aggregates)
    if query.group_by == Dimension.PLATFORM and "" in rows:
        rows[None] = rows.pop("")  # no platform: the raw source's NULL
    return rows


def fetch_leads(query: KpiQuery, wanted: set[str]) -> SourceResult:
    rows = _crm_rows(query, CrmRollupDaily.Kind.LEAD, {"leads": Sum("count")})
    connected = bool(rows) or Lead.objects.filter(organization=query.organization).exists()
    return SourceResult(rows=rows, empty=zeros(*crm.LEAD_PARTS) if connected else nones(*crm.LEAD_PARTS))


def fetch_sales(query: KpiQuery, wanted: set[str]) -> SourceResult:
    in_currency = Q(currency=query.organization.currency)
    amount = CrmRollupDaily._meta.get_field("amount")
    rows = _crm_rows(
        query,
        CrmRollupDaily.Kind.SALE,
        {
            "sales": Sum("count"),
            "revenue": Coalesce(Sum("amount", filter=in_currency), Value(0), output_field=amount),
            "sales_other_currency": Coalesce(Sum("count", filter=~in_currency), Value(0)),
        },
    )
    connected = bool(rows) or Sale.objects.filter(organization=query.organization).exists()
    return SourceResult(rows=rows, empty=zeros(*crm.SALE_PARTS) if connected else nones(*crm.SALE_PARTS))


_CRM_DIMENSIONS = BASIC | {Dimension.CAMPAIGN, Dimension.GOAL}
READERS: dict[str, RollupReader] = {
    social.NAME: RollupReader(BASIC, fetch_metrics),
    paid.NAME: RollupReader(BASIC | {Dimension.CAMPAIGN}, fetch_ads),
    inbox.NAME: RollupReader(BASIC, fetch_inbox),
    crm.NAME_LEADS: RollupReader(_CRM_DIMENSIONS, fetch_leads),
    crm.NAME_SALES: RollupReader(_CRM_DIMENSIONS, fetch_sales),
}
