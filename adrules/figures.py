"""Campaign figures judged by the business's CRM: the KPI engine's campaign split (spend, CPC,
cabinet leads, CRM leads, sales, revenue, CPL, ROMI) joined with the cabinet's delivery figures the
catalog does not carry (impressions, reach, clicks, CTR, CPM) from ``ads.selectors``.

This module reads both ads and analytics, which is why it lives above them. The ads pages and the
optimization rules read campaign figures only from here, so a figure on a page is the figure a
rule acted on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ads.models import CampaignPlan
from ads.selectors import Delivery, campaign_daily, campaign_delivery, unit_delivery
from analytics.kpi_engine import KpiValue, kpi_rows
from core.formatting import format_number
from core.kpis import Unit, kpi_get
from tenancy.models import Organization

# From the KPI engine, split by campaign (docs/kpis.md: each is available by campaign).
ENGINE_KPIS = ("ad_spend", "cpc", "platform_leads", "leads", "sales", "revenue", "cpl", "romi")
# From the cabinet's rows (ads.selectors.Delivery): not catalog KPIs.
DELIVERY_UNITS = {
    "impressions": Unit.COUNT,
    "reach": Unit.COUNT,
    "clicks": Unit.COUNT,
    "ctr": Unit.PERCENT,
    "cpm": Unit.MONEY,
}
# Display order of a scorecard.
ORDER = (
    "ad_spend",
    "impressions",
    "reach",
    "clicks",
    "ctr",
    "cpc",
    "cpm",
    "platform_leads",
    "leads",
    "sales",
    "revenue",
    "cpl",
    "romi",
)


@dataclass
class Scorecard:
    """One campaign's figures over a period: catalog key (or delivery key) → value with unit."""

    values: dict[str, KpiValue] = field(default_factory=dict)

    def value(self, key: str) -> Decimal | None:
        item = self.values.get(key)
        return item.value if item else None

    def ordered(self) -> list[tuple[str, KpiValue]]:
        return [(key, self.values[key]) for key in ORDER if key in self.values]


def _delivery_values(delivery: Delivery | None) -> dict[str, KpiValue]:
    d = delivery or Delivery()
    figures = {
        "impressions": d.impressions,
        "reach": d.reach,
        "clicks": d.clicks,
        "ctr": d.ctr,
        "cpm": d.cpm,
    }
    return {
        key: KpiValue(None if value is None else Decimal(value), str(DELIVERY_UNITS[key]))
        for key, value in figures.items()
    }


def campaign_scorecards(
    *, organization: Organization, start: dt.date, end: dt.date, campaign_ids: Iterable[int]
) -> dict[int, Scorecard]:
    """Every given campaign's scorecard for [start, end]; a constant number of queries (the KPI
    engine's, plus one for delivery). A campaign no source reports has every figure None."""
    ids = list(campaign_ids)
    engine = {
        row.group: row.values
        for row in kpi_rows(organization=organization, kpis=ENGINE_KPIS, start=start, end=end, group_by="campaign")
    }
    delivery = campaign_delivery(organization=organization, start=start, end=end, campaign_ids=ids)
    cards = {}
    for pk in ids:
        values = dict(engine.get(pk) or {key: KpiValue(None, _unit(key)) for key in ENGINE_KPIS})
        values.update(_delivery_values(delivery.get(pk)))
        cards[pk] = Scorecard(values)
    return cards


def unit_scorecards(
    *, organization: Organization, start: dt.date, end: dt.date, campaign_id: int, level: str, unit_ids: Iterable[int]
) -> dict[int, Scorecard]:
    """The scorecard of every given ad set (``level`` "ad_set") or creative ("creative") of one
    campaign: the KPI engine split by that level for the campaign, plus the delivery of the level's
    own rows. A constant number of queries whatever the number of units."""
    ids = list(unit_ids)
    engine = {
        row.group: row.values
        for row in kpi_rows(
            organization=organization, kpis=ENGINE_KPIS, start=start, end=end, group_by=level, campaign=campaign_id
        )
    }
    delivery = unit_delivery(organization=organization, start=start, end=end, campaign_id=campaign_id, level=level)
    cards = {}
    for pk in ids:
        values = dict(engine.get(pk) or {key: KpiValue(None, _unit(key)) for key in ENGINE_KPIS})
        values.update(_delivery_values(delivery.get(pk)))
        cards[pk] = Scorecard(values)
    return cards


def campaign_daily_series(
    *, organization: Organization, campaign_id: int, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """The detail chart: per day of [start, end] the cabinet's spend, clicks and leads and the CRM
    leads attributed to the campaign — the KPI engine's ``leads`` by day for this campaign (a lead
    counts on the day it was created in the organization's time zone). A constant number of
    queries whatever the period."""
    delivery = campaign_daily(organization=organization, campaign_id=campaign_id, start=start, end=end)
    crm = {
        dt.date.fromisoformat(str(row.group)): row.values["leads"].value
        for row in kpi_rows(
            organization=organization, kpis=["leads"], start=start, end=end, group_by="day", campaign=campaign_id
        )
    }
    series: list[dict[str, Any]] = []
    day = start
    while day <= end:
        d = delivery.get(day) or Delivery()
        series.append(
            {
                "day": day,
                "spend": d.spend,
                "clicks": d.clicks,
                "platform_leads": d.platform_leads,
                "leads": int(crm.get(day) or 0),
            }
        )
        day += dt.timedelta(days=1)
    return series


def _unit(key: str) -> str:
    kpi = kpi_get(key)
    return str(kpi.unit) if kpi else ""


LABELS = {
    "ad_spend": gettext_lazy("Spend"),
    "impressions": gettext_lazy("Impressions"),
    "reach": gettext_lazy("Reach"),
    "clicks": gettext_lazy("Clicks"),
    "ctr": gettext_lazy("CTR"),
    "cpc": gettext_lazy("CPC"),
    "cpm": gettext_lazy("CPM"),
    "platform_leads": gettext_lazy("Cabinet leads"),
    "leads": gettext_lazy("CRM leads"),
    "sales": gettext_lazy("CRM sales"),
    "revenue": gettext_lazy("CRM revenue"),
    "cpl": gettext_lazy("CPL (CRM)"),
    "romi": gettext_lazy("ROMI"),
}


def scorecard_rows(card: Scorecard, currency: str) -> list[dict[str, Any]]:
    """A scorecard as (key, label, shown value with its unit) for pages; `catalog` marks the KPI
    catalog's figures (the page tags them `data-kpi`), the rest are the cabinet's delivery figures."""
    return [
        {
            "key": key,
            "catalog": kpi_get(key) is not None,
            "label": str(LABELS[key]),
            "value": format_number(item.value, unit=item.unit, currency=currency),
        }
        for key, item in card.ordered()
    ]


def target_warnings(card: Scorecard, plan: CampaignPlan | None, currency: str) -> list[str]:
    """A campaign missing its target: CRM CPL above the target CPL, ROMI below the target ROMI."""
    if plan is None:
        return []
    found = []
    cpl, romi = card.value("cpl"), card.value("romi")
    if plan.target_cpl is not None and cpl is not None and cpl > plan.target_cpl:
        found.append(
            _("CPL (CRM) %(cpl)s is above the target %(target)s.")
            % {
                "cpl": format_number(cpl, unit=Unit.MONEY, currency=currency),
                "target": format_number(plan.target_cpl, unit=Unit.MONEY, currency=currency),
            }
        )
    if plan.target_romi is not None and romi is not None and romi < plan.target_romi:
        found.append(
            _("ROMI %(romi)s is below the target %(target)s.")
            % {
                "romi": format_number(romi, unit=Unit.PERCENT),
                "target": format_number(plan.target_romi, unit=Unit.PERCENT),
            }
        )
    return found
