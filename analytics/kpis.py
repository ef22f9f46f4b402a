"""The KPI catalog: one list shared by strategy goals, dashboards and reports.

A pure module (no model imports) so that `strategy` can offer KPI choices without depending on
the analytics tables. Each KPI says how it is computed, its unit, which direction is better and
which business objectives it measures; the goal form only offers KPIs that fit the goal's
objective.

Measurement window: "flow" KPIs (reach, leads, spend-based ratios, response time) are measured
over the trailing `FLOW_WINDOW_DAYS` days ending on the day asked about, so baselines and targets
for them are monthly figures ("120 leads a month"). "Level" KPIs (followers) are read on the day.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

FLOW_WINDOW_DAYS = 30


class Objective(StrEnum):
    LEADS = "leads"
    SALES = "sales"
    AWARENESS = "awareness"
    LOYALTY = "loyalty"
    SUPPORT_LOAD = "support_load"


OBJECTIVE_LABELS = {
    Objective.LEADS: _("Leads"),
    Objective.SALES: _("Sales"),
    Objective.AWARENESS: _("Brand awareness"),
    Objective.LOYALTY: _("Customer loyalty"),
    Objective.SUPPORT_LOAD: _("Lower support load"),
}
OBJECTIVE_CHOICES = [(o.value, OBJECTIVE_LABELS[o]) for o in Objective]


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    MONEY = "money"  # in the organization's currency
    MINUTES = "minutes"


UNIT_LABELS = {
    Unit.COUNT: _("count"),
    Unit.PERCENT: _("%"),
    Unit.MONEY: _("money"),
    Unit.MINUTES: _("minutes"),
}


class Aggregation(StrEnum):
    FLOW = "flow"  # measured over the trailing window
    LEVEL = "level"  # read on the day


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    unit: Unit
    direction: Direction
    formula: str
    objectives: tuple[Objective, ...]
    aggregation: Aggregation = Aggregation.FLOW

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER

    def fits(self, objective: str) -> bool:
        return objective in self.objectives


_O = Objective
CATALOG: tuple[Kpi, ...] = (
    Kpi(
        "reach",
        _("Reach"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Sum of daily unique reach of the accounts over the window."),
        (_O.AWARENESS,),
    ),
    Kpi(
        "impressions",
        _("Impressions"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Sum of daily impressions (views) over the window."),
        (_O.AWARENESS,),
    ),
    Kpi(
        "followers",
        _("Followers"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Followers on the day (latest daily snapshot)."),
        (_O.AWARENESS, _O.LOYALTY),
        Aggregation.LEVEL,
    ),
    Kpi(
        "engagement_rate",
        _("Engagement rate (ER)"),
        Unit.PERCENT,
        Direction.HIGHER,
        _("(Likes + comments + shares + saves) ÷ reach * 100 over the window."),
        (_O.AWARENESS, _O.LOYALTY),
    ),
    Kpi(
        "site_clicks",
        _("Site clicks"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Clicks on links to the site from posts and ads over the window."),
        (_O.LEADS, _O.SALES),
    ),
    Kpi(
        "leads",
        _("Leads"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Applications and sign-ups attributed to social media over the window."),
        (_O.LEADS,),
    ),
    Kpi(
        "cpl",
        _("Cost per lead (CPL)"),
        Unit.MONEY,
        Direction.LOWER,
        _("Ad spend ÷ ad leads over the window."),
        (_O.LEADS,),
    ),
    Kpi(
        "cpc",
        _("Cost per click (CPC)"),
        Unit.MONEY,
        Direction.LOWER,
        _("Ad spend ÷ ad clicks over the window."),
        (_O.LEADS, _O.SALES),
    ),
    Kpi(
        "lead_conversion_rate",
        _("Lead-to-sale conversion"),
        Unit.PERCENT,
        Direction.HIGHER,
        _("Sales ÷ leads * 100 over the window."),
        (_O.SALES,),
    ),
    Kpi(
        "sales",
        _("Sales"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Sales attributed to social media over the window."),
        (_O.SALES,),
    ),
    Kpi(
        "revenue",
        _("Revenue from social media"),
        Unit.MONEY,
        Direction.HIGHER,
        _("Sum of attributed sales amounts over the window."),
        (_O.SALES,),
    ),
    Kpi(
        "ad_roi",
        _("Ad ROI"),
        Unit.PERCENT,
        Direction.HIGHER,
        _("(Attributed revenue * gross margin - ad spend) ÷ ad spend * 100 over the window."),
        (_O.SALES,),
    ),
    Kpi(
        "returning_members",
        _("Returning community members"),
        Unit.COUNT,
        Direction.HIGHER,
        _("People who engaged in two or more different weeks of the window."),
        (_O.LOYALTY,),
    ),
    Kpi(
        "positive_share",
        _("Positive comment share"),
        Unit.PERCENT,
        Direction.HIGHER,
        _("Positive ÷ all sentiment-rated comments and mentions * 100 over the window."),
        (_O.LOYALTY,),
    ),
    Kpi(
        "first_response_time",
        _("First response time"),
        Unit.MINUTES,
        Direction.LOWER,
        _("Median minutes from an incoming comment or message to the first brand reply over the window."),
        (_O.SUPPORT_LOAD, _O.LOYALTY),
    ),
    Kpi(
        "resolved_in_social",
        _("Requests resolved in social media"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Customer questions resolved in comments/messages (not escalated to support) over the window."),
        (_O.SUPPORT_LOAD,),
    ),
)

_BY_KEY = {kpi.key: kpi for kpi in CATALOG}
KPI_CHOICES = [(kpi.key, kpi.name) for kpi in CATALOG]


def kpi_get(key: str) -> Kpi | None:
    return _BY_KEY.get(key)


def kpis_for_objective(objective: str) -> list[Kpi]:
    return [kpi for kpi in CATALOG if kpi.fits(objective)]
