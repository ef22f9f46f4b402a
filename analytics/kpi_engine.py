"""Every catalog KPI (core/kpis.py), computed in one place for a period, a platform and a dimension.

A KPI is a plain sum, a level, a median, or a ratio numerator ÷ denominator over the parts its fact
sources (`analytics.kpi_sources`) aggregate. Each source asked for is read with one GROUP BY query
on the dimension's key (plus one row query for a level or a median), so the number of queries does
not grow with the rows or the groups. Rules (docs/kpis.md has the KPI × dimension matrix):

* Absent is not zero: a part no row reports is None, and a KPI with a missing part is None ("no
  data"); a ratio with a zero denominator is None. Ratios are computed from summed parts, never
  averaged per row; a source sums only the rows that report both parts where both come from it.
* A KPI whose source cannot be split by the dimension (reach by goal) has null value, numerator
  and denominator in every group. Site clicks add up the sources that can be split.
* Periods are days of the organization's time zone, both ends included.
* A source is read from its daily rollup (`kpi_sources/rollup.py`) for the dimensions the rollup
  keeps, once the organization's rollups are complete; the figures are the same (decision 0008).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

from core.kpis import CATALOG, kpi_get
from core.numbers import money, ratio
from strategy.models import BusinessProfile
from tenancy.models import Organization

from . import rollups
from .kpi_sources import CALENDAR, SOURCES, Dimension, Key, KpiQuery, Parts, SourceResult
from .kpi_sources.rollup import READERS

UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class KpiValue:
    value: Decimal | None
    unit: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None


@dataclass(frozen=True)
class Economics:
    """The business profile's figures some KPIs need (None: not filled in)."""

    gross_margin_percent: Decimal | None = None
    support_contact_cost: Decimal | None = None


Computed = tuple[Decimal | None, Decimal | None, Decimal | None]  # value, numerator, denominator


@dataclass(frozen=True)
class Definition:
    sources: tuple[str, ...]
    parts: tuple[str, ...]
    compute: Callable[[Parts, Economics], Computed]
    additive: bool = False  # a sum over sources: a dimension some sources cannot split sums the others
    economics: bool = False  # reads the business profile


def _count(part: str) -> Callable[[Parts, Economics], Computed]:
    def compute(parts: Parts, economics: Economics) -> Computed:
        value = parts.get(part)
        return value, value, None

    return compute


def _amount(part: str) -> Callable[[Parts, Economics], Computed]:
    def compute(parts: Parts, economics: Economics) -> Computed:
        value = parts.get(part)
        value = None if value is None else money(value)
        return value, value, None

    return compute


def _ratio(numerator: str, denominator: str, *, scale: int = 1, numerator_money: bool = False):
    def compute(parts: Parts, economics: Economics) -> Computed:
        top, bottom = parts.get(numerator), parts.get(denominator)
        if top is None or bottom is None:
            return None, top, bottom
        return ratio(top, bottom, scale=scale), money(top) if numerator_money else top, bottom

    return compute


def _site_clicks(parts: Parts, economics: Economics) -> Computed:
    present = [
        v for v in (parts.get("link_clicks"), parts.get("ad_clicks"), parts.get("tracked_clicks")) if v is not None
    ]
    value = sum(present, Decimal(0)) if present else None
    return value, value, None


def _romi(parts: Parts, economics: Economics) -> Computed:
    revenue, spend, margin = parts.get("revenue"), parts.get("spend"), economics.gross_margin_percent
    spend = None if spend is None else money(spend)
    if revenue is None or spend is None or margin is None:
        return None, None, spend
    gain = money(revenue * margin / 100 - spend)
    return ratio(gain, spend, scale=100), gain, spend


def _resolved(parts: Parts, economics: Economics) -> Computed:
    if not parts.get("inbox_items"):
        return None, None, None  # no incoming questions at all: no data, not zero
    value = parts.get("resolved")
    return value, value, None


def _support_savings(parts: Parts, economics: Economics) -> Computed:
    resolved = _resolved(parts, economics)[0]
    cost = economics.support_contact_cost
    if resolved is None or cost is None:
        return None, resolved, None
    return money(resolved * cost), resolved, money(cost)


_M, _A, _L, _S, _I, _T = "metrics", "ads", "leads", "sales", "inbox", "links"
DEFINITIONS: dict[str, Definition] = {
    "reach": Definition((_M,), ("reach",), _count("reach")),
    "impressions": Definition((_M,), ("views",), _count("views")),
    "followers": Definition((_M,), ("followers",), _count("followers")),
    "er": Definition((_M,), ("er_interactions", "er_reach"), _ratio("er_interactions", "er_reach", scale=100)),
    "site_clicks": Definition(
        (_M, _A, _T), ("link_clicks", "ad_clicks", "tracked_clicks"), _site_clicks, additive=True
    ),
    "leads": Definition((_L,), ("leads",), _count("leads")),
    "cpl": Definition((_A, _L), ("spend", "leads"), _ratio("spend", "leads", numerator_money=True)),
    "cpc": Definition((_A,), ("cpc_spend", "cpc_clicks"), _ratio("cpc_spend", "cpc_clicks", numerator_money=True)),
    "conversion": Definition((_L, _S), ("sales", "leads"), _ratio("sales", "leads", scale=100)),
    "sales": Definition((_S,), ("sales",), _count("sales")),
    "revenue": Definition((_S,), ("revenue",), _amount("revenue")),
    "romi": Definition((_A, _S), ("revenue", "spend"), _romi, economics=True),
    "returning_members": Definition((_I,), ("returning_members",), _count("returning_members")),
    "positive_share": Definition((_I,), ("positive", "rated"), _ratio("positive", "rated", scale=100)),
    "first_response_time": Definition((_I,), ("first_response_minutes",), _count("first_response_minutes")),
    "first_response_average": Definition((_I,), ("first_response_mean",), _count("first_response_mean")),
    "answered_within_target": Definition(
        (_I,), ("answered_in_target", "answered"), _ratio("answered_in_target", "answered", scale=100)
    ),
    "resolved_in_social": Definition((_I,), ("inbox_items", "resolved"), _resolved),
    "support_savings": Definition((_I,), ("inbox_items", "resolved"), _support_savings, economics=True),
    "ad_spend": Definition((_A,), ("spend",), _amount("spend")),
    "platform_leads": Definition((_A,), ("platform_leads",), _count("platform_leads")),
    "platform_sales": Definition((_A,), ("platform_sales",), _count("platform_sales")),
    "ad_revenue": Definition((_A,), ("ad_revenue",), _amount("ad_revenue")),
    "sales_other_currency": Definition((_S,), ("sales_other_currency",), _count("sales_other_currency")),
}


def available(kpi: str, dimension: Dimension) -> bool:
    """Whether the KPI can be split by the dimension (the docs/kpis.md matrix)."""
    definition = DEFINITIONS[kpi]
    supported = [s for s in definition.sources if dimension in SOURCES[s].dimensions]
    return bool(supported) and (definition.additive or len(supported) == len(definition.sources))


@dataclass(frozen=True)
class KpiRow:
    group: object  # None for the total; a date, a platform code, a row id or UNATTRIBUTED
    values: dict[str, KpiValue]


def periods(start: dt.date, end: dt.date, dimension: Dimension) -> list[dt.date]:
    """The start of every day, ISO week (Monday) or month that meets [start, end]."""
    if dimension == Dimension.DAY:
        first, step = start, None
    elif dimension == Dimension.WEEK:
        first, step = start - dt.timedelta(days=start.weekday()), None
    else:
        first, step = start.replace(day=1), "month"
    found = []
    current = first
    while current <= end:
        found.append(current)
        if step == "month":
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            current += dt.timedelta(days=7 if dimension == Dimension.WEEK else 1)
    return found


def _economics(organization: Organization) -> Economics:
    row = (
        BusinessProfile.objects.filter(organization=organization)
        .values_list("gross_margin_percent", "support_contact_cost")
        .first()
    )
    return Economics(*row) if row else Economics()


def _label(key: Key, dimension: Dimension) -> object:
    if dimension == Dimension.TOTAL:
        return None
    if isinstance(key, dt.date):
        return key.isoformat()
    return UNATTRIBUTED if key is None or key == "" else key


def _group_order(key: Key) -> tuple:
    return (key is None, str(type(key)), key if key is not None else 0)


def _fetchers(
    organization: Organization, names: list[str], dimension: Dimension, *, campaign: int | None = None
) -> dict[str, Callable[[KpiQuery, set[str]], SourceResult]]:
    """Each source's reader: its daily rollup when the rollup keeps the dimension and the
    organization's rollups are complete (analytics/rollups.py), else the raw rows. One campaign's
    figures (``campaign``) always come from the raw rows: the rollups sum every campaign's row."""
    fetchers = {name: SOURCES[name].fetch for name in names}
    if campaign is not None:
        return fetchers
    served = [name for name in names if name in READERS and dimension in READERS[name].dimensions]
    if served and rollups.covered(organization):
        fetchers.update({name: READERS[name].fetch for name in served})
    return fetchers


def kpi_rows(
    *,
    organization: Organization,
    kpis: Iterable[str],
    start: dt.date,
    end: dt.date,
    platform: str = "",
    group_by: Dimension | str = Dimension.TOTAL,
    campaign: int | None = None,
) -> list[KpiRow]:
    """The KPIs (catalog keys) for [start, end], one row per group. Unknown keys raise KeyError.
    ``campaign`` (an ad campaign's id) keeps that campaign's rows only: a KPI that cannot be split
    by campaign is then None, like a KPI its dimension cannot split."""
    keys = list(dict.fromkeys(kpis))
    dimension = Dimension(group_by)
    query = KpiQuery(
        organization=organization,
        start=start,
        end=end,
        platform=platform or "",
        group_by=dimension,
        campaign=campaign,
    )
    wanted: dict[str, set[str]] = {}

    def usable(key: str) -> bool:
        return available(key, dimension) and (campaign is None or available(key, Dimension.CAMPAIGN))

    for key in keys:
        definition = DEFINITIONS[key]
        if not usable(key):
            continue
        for source in definition.sources:
            split = SOURCES[source].dimensions
            if dimension in split and (campaign is None or Dimension.CAMPAIGN in split):
                wanted.setdefault(source, set()).update(definition.parts)
    fetchers = _fetchers(organization, list(wanted), dimension, campaign=campaign)
    results = {name: fetchers[name](query, parts) for name, parts in wanted.items()}
    needs_economics = any(DEFINITIONS[k].economics and usable(k) for k in keys)
    economics = _economics(organization) if needs_economics else Economics()

    groups: list[Key]
    if dimension == Dimension.TOTAL:
        groups = [None]
    elif dimension in CALENDAR:
        groups = list(periods(start, end, dimension))
    else:
        groups = sorted({k for result in results.values() for k in result.rows}, key=_group_order)

    rows = []
    for group in groups:
        values = {}
        for key in keys:
            definition = DEFINITIONS[key]
            unit = str(kpi_get(key).unit)  # type: ignore[union-attr]  # every definition is a catalog KPI
            if not usable(key):
                values[key] = KpiValue(None, unit)
                continue
            parts: Parts = {}
            for source in definition.sources:
                if source in results:
                    parts.update(results[source].parts_for(group))
            value, numerator, denominator = definition.compute(parts, economics)
            values[key] = KpiValue(value, unit, numerator, denominator)
        rows.append(KpiRow(group=_label(group, dimension), values=values))
    return rows


if set(DEFINITIONS) != {kpi.key for kpi in CATALOG}:
    raise ImproperlyConfigured("Every catalog KPI needs exactly one definition in analytics.kpi_engine.")
