"""The fact sources KPIs are computed from, one module each; see `analytics.kpi_engine`."""

from collections.abc import Callable
from dataclasses import dataclass

from . import crm, inbox, paid, social, tracked
from .base import (
    ALL_DIMENSIONS,
    BASIC,
    CALENDAR,
    Dimension,
    Key,
    KpiQuery,
    Parts,
    SourceResult,
    ad_platforms_for,
)


@dataclass(frozen=True)
class Source:
    name: str
    dimensions: frozenset[Dimension]
    parts: tuple[str, ...]
    fetch: Callable[[KpiQuery, set[str]], SourceResult]


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(social.NAME, social.DIMENSIONS, social.PARTS, social.fetch),
        Source(paid.NAME, paid.DIMENSIONS, paid.PARTS, paid.fetch),
        Source(crm.NAME_LEADS, crm.DIMENSIONS, crm.LEAD_PARTS, crm.fetch_leads),
        Source(crm.NAME_SALES, crm.DIMENSIONS, crm.SALE_PARTS, crm.fetch_sales),
        Source(inbox.NAME, inbox.DIMENSIONS, inbox.PARTS, inbox.fetch),
        Source(tracked.NAME, tracked.DIMENSIONS, tracked.PARTS, tracked.fetch),
    )
}

__all__ = [
    "ALL_DIMENSIONS",
    "BASIC",
    "CALENDAR",
    "SOURCES",
    "Dimension",
    "Key",
    "KpiQuery",
    "Parts",
    "Source",
    "SourceResult",
    "ad_platforms_for",
]
