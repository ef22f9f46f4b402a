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
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.numbers import round_to

from .types import StrOrPromise

FLOW_WINDOW_DAYS = 30


def kpi_window(on: date) -> tuple[date, date]:
    """The flow window ending on ``on`` (inclusive): ``FLOW_WINDOW_DAYS`` days."""
    return on - timedelta(days=FLOW_WINDOW_DAYS - 1), on


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
    Unit.COUNT: "",  # plain numbers need no unit on a card
    Unit.PERCENT: "%",
    Unit.MONEY: _("money"),
    Unit.MINUTES: _("min"),
}


class Aggregation(StrEnum):
    FLOW = "flow"  # measured over the trailing window
    LEVEL = "level"  # read on the day


@dataclass(frozen=True)
class Kpi:
    key: str
    name: StrOrPromise
    unit: Unit
    direction: Direction
    formula: StrOrPromise
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
        "er",
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
        _(
            "Link clicks the platforms report (pages and ads) plus clicks on the organization's tracked "
            "short links over the window."
        ),
        (_O.LEADS, _O.SALES),
    ),
    Kpi(
        "leads",
        _("Leads"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Leads the CRM recorded (created) over the window."),
        (_O.LEADS,),
    ),
    Kpi(
        "cpl",
        _("Cost per lead (CPL)"),
        Unit.MONEY,
        Direction.LOWER,
        _("Ad spend ÷ CRM leads over the window."),
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
        "conversion",
        _("Lead-to-sale conversion"),
        Unit.PERCENT,
        Direction.HIGHER,
        _("CRM sales ÷ CRM leads * 100 over the window (refunded sales excluded)."),
        (_O.SALES,),
    ),
    Kpi(
        "sales",
        _("Sales"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Sales the CRM recorded over the window, refunded sales excluded."),
        (_O.SALES,),
    ),
    Kpi(
        "revenue",
        _("Revenue"),
        Unit.MONEY,
        Direction.HIGHER,
        _(
            "Sum of CRM sale amounts in the organization's currency over the window, refunded sales "
            "excluded (sales in other currencies are counted in “Sales in other currencies”)."
        ),
        (_O.SALES,),
    ),
    Kpi(
        "romi",
        _("Return on marketing investment (ROMI)"),
        Unit.PERCENT,
        Direction.HIGHER,
        _("(Revenue × gross margin − ad spend) ÷ ad spend * 100 over the window; needs the gross margin."),
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
        _(
            "Median minutes from an incoming comment or message to the first brand reply over the window "
            "(business hours only when the reply service level counts them)."
        ),
        (_O.SUPPORT_LOAD, _O.LOYALTY),
    ),
    Kpi(
        "first_response_average",
        _("Average first response time"),
        Unit.MINUTES,
        Direction.LOWER,
        _(
            "Mean minutes from an incoming comment or message to the first brand reply over the window "
            "(business hours only when the reply service level counts them)."
        ),
        (_O.SUPPORT_LOAD,),
    ),
    Kpi(
        "answered_within_target",
        _("Answered within the response target"),
        Unit.PERCENT,
        Direction.HIGHER,
        _("Answered items whose first reply met the first-response target ÷ all answered items * 100 over the window."),
        (_O.SUPPORT_LOAD,),
    ),
    Kpi(
        "resolved_in_social",
        _("Requests resolved in social media"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Customer questions resolved in comments/messages (not escalated to support) over the window."),
        (_O.SUPPORT_LOAD,),
    ),
    Kpi(
        "support_savings",
        _("Support savings"),
        Unit.MONEY,
        Direction.HIGHER,
        _("Requests resolved in social media × the cost of one support contact over the window."),
        (_O.SUPPORT_LOAD,),
    ),
    Kpi(
        "ad_spend",
        _("Ad spend"),
        Unit.MONEY,
        Direction.LOWER,
        _("Spend the ad cabinets report over the window."),
        (),
    ),
    Kpi(
        "platform_leads",
        _("Leads reported by the ad cabinets"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Lead conversions the ad cabinets report over the window (not CRM leads)."),
        (_O.LEADS,),
    ),
    Kpi(
        "platform_sales",
        _("Purchases reported by the ad cabinets"),
        Unit.COUNT,
        Direction.HIGHER,
        _("Purchase conversions the ad cabinets report over the window (not CRM sales)."),
        (_O.SALES,),
    ),
    Kpi(
        "ad_revenue",
        _("Revenue reported by the ad cabinets"),
        Unit.MONEY,
        Direction.HIGHER,
        _("Conversion value the ad cabinets report over the window (not CRM revenue)."),
        (_O.SALES,),
    ),
    Kpi(
        "sales_other_currency",
        _("Sales in other currencies"),
        Unit.COUNT,
        Direction.HIGHER,
        _("CRM sales over the window whose currency is not the organization's: left out of revenue and ROMI."),
        (),
    ),
)

# Keys renamed when the catalog keys became the API names (strategy migration 0006 moves stored goals).
RENAMED_KEYS = {"engagement_rate": "er", "lead_conversion_rate": "conversion", "ad_roi": "romi"}

_BY_KEY = {kpi.key: kpi for kpi in CATALOG}
KPI_CHOICES = [(kpi.key, kpi.name) for kpi in CATALOG]


def kpi_get(key: str) -> Kpi | None:
    return _BY_KEY.get(key)


def kpis_for_objective(objective: str) -> list[Kpi]:
    return [kpi for kpi in CATALOG if kpi.fits(objective)]


# --- Goal progress (pure math, shared by the strategy page, the owner dashboard and reports) -----

# Status thresholds on the *projected* attainment at the deadline (see `progress_compute`):
#   exceeded  — the target is already passed (more than 100 % of the planned improvement);
#   on track  — the straight-line projection reaches the target (>= 100 %), or it is already reached;
#   at risk   — the projection reaches at least AT_RISK_FLOOR % of the planned improvement;
#   off track — less than that, or the deadline has passed without reaching the target.
AT_RISK_FLOOR = Decimal(80)


class ProgressStatus(StrEnum):
    EXCEEDED = "exceeded"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


PROGRESS_STATUS_LABELS = {
    ProgressStatus.EXCEEDED: _("Exceeded"),
    ProgressStatus.ON_TRACK: _("On track"),
    ProgressStatus.AT_RISK: _("At risk"),
    ProgressStatus.OFF_TRACK: _("Off track"),
    ProgressStatus.NO_DATA: _("No data yet"),
}


@dataclass(frozen=True)
class Progress:
    current: Decimal | None
    percent_of_target: Decimal | None  # share of the planned improvement achieved, one decimal
    expected_percent: Decimal  # share of the period elapsed (where a straight line would be today)
    projected_value: Decimal | None  # the KPI at the deadline if the current pace holds
    projected_percent: Decimal | None
    status: ProgressStatus
    achieved: bool

    @property
    def status_label(self) -> str:
        return str(PROGRESS_STATUS_LABELS[self.status])

    @property
    def bar_percent(self) -> int:
        """For a progress bar: 0..100."""
        if self.percent_of_target is None:
            return 0
        return int(max(Decimal(0), min(Decimal(100), self.percent_of_target)))


def progress_compute(
    *,
    baseline: Decimal,
    target: Decimal,
    current: Decimal | None,
    start: date,
    deadline: date,
    today: date,
) -> Progress:
    """Progress of a KPI from `baseline` (on `start`) towards `target` (by `deadline`).

    Works for both directions: for a lower-is-better KPI the target is below the baseline and the
    same ratio (current - baseline) / (target - baseline) measures the improvement achieved.
    Projection: the improvement so far, extended in a straight line over the whole period.
    Preconditions: target != baseline, deadline > start. `current` None means no data yet.
    """
    total_days = (deadline - start).days
    elapsed_days = min(max((today - start).days, 0), total_days)
    elapsed_share = Decimal(elapsed_days) / Decimal(total_days) if total_days > 0 else Decimal(1)
    expected_percent = round_to(elapsed_share * 100, 1)
    if current is None:
        return Progress(None, None, expected_percent, None, None, ProgressStatus.NO_DATA, False)

    planned = target - baseline
    ratio = (current - baseline) / planned if planned else Decimal(1)
    percent = round_to(ratio * 100, 1)
    achieved = ratio >= 1
    projected_value: Decimal | None
    projected_percent: Decimal | None
    if elapsed_share > 0:
        projected_ratio = ratio / elapsed_share
        projected_value = round_to(baseline + planned * projected_ratio, 2)
        projected_percent = round_to(projected_ratio * 100, 1)
    else:
        projected_value = projected_percent = None

    if ratio > 1:
        status = ProgressStatus.EXCEEDED  # a goal at 475 % of its target is not merely "on track"
    elif achieved:
        status = ProgressStatus.ON_TRACK
    elif today >= deadline:
        status = ProgressStatus.OFF_TRACK
    elif projected_percent is None:
        # Nothing can be projected on the first day; nothing is expected yet either.
        status = ProgressStatus.ON_TRACK
    elif projected_percent >= 100:
        status = ProgressStatus.ON_TRACK
    elif projected_percent >= AT_RISK_FLOOR:
        status = ProgressStatus.AT_RISK
    else:
        status = ProgressStatus.OFF_TRACK
    return Progress(current, percent, expected_percent, projected_value, projected_percent, status, achieved)
