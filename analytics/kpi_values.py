"""The value of a catalog KPI for an organization, a day and a platform scope, and goal progress
built on it (used by the strategy page, the owner dashboard, reports and the API).

Every value comes from `analytics.kpi_engine` (one definition of each KPI; its rules: absent is not
zero, ratios from summed parts, "no data" is None). Flow KPIs are measured over the trailing
`FLOW_WINDOW_DAYS` days ending on `on` (inclusive); level KPIs (followers) are the latest value on
or before `on` within that window. Platform scope "" means all platforms.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from core.kpis import FLOW_WINDOW_DAYS, Progress, kpi_get, kpi_window, progress_compute
from tenancy.models import Organization

from .kpi_engine import kpi_rows


def kpi_values_for_period(
    *, organization: Organization, kpis: Iterable[str], start: dt.date, end: dt.date, platform: str = ""
) -> dict[str, Decimal | None]:
    """Catalog KPIs over [start, end] in one pass (one query per fact source); unknown keys are None."""
    kpis = list(kpis)
    keys = [key for key in kpis if kpi_get(key) is not None]
    values: dict[str, Decimal | None] = dict.fromkeys(kpis)
    if not keys or end < start:
        return values
    (total,) = kpi_rows(organization=organization, kpis=keys, start=start, end=end, platform=platform)
    values.update({key: value.value for key, value in total.values.items()})
    return values


# The first day whose window fits in the calendar with a day to spare for timezone shifts. Goals are
# dated 2000-2099 (smm_platform/dates.py); rows saved before that check may sit at 0001-01-01.
FIRST_MEASURABLE_DAY = dt.date.min + dt.timedelta(days=FLOW_WINDOW_DAYS + 1)


def kpi_value(*, organization: Organization, kpi: str, on: dt.date, platform: str = "") -> Decimal | None:
    """The KPI measured for the window ending on `on`; None when there is no data (or no source yet)."""
    return kpi_values_on(organization=organization, kpis=[kpi], on=on, platform=platform)[kpi]


def kpi_values_on(
    *, organization: Organization, kpis: Iterable[str], on: dt.date, platform: str = ""
) -> dict[str, Decimal | None]:
    """Several KPIs for the window ending on `on`, in one pass."""
    kpis = list(kpis)
    if on < FIRST_MEASURABLE_DAY:
        return dict.fromkeys(kpis)
    # Level KPIs (followers) use the same window: their latest snapshot within it.
    start, end = kpi_window(on)
    return kpi_values_for_period(organization=organization, kpis=kpis, start=start, end=end, platform=platform)


def kpi_value_for_period(
    *, organization: Organization, kpi: str, start: dt.date, end: dt.date, platform: str = ""
) -> Decimal | None:
    """The KPI over an explicit period (reports: a calendar month)."""
    return kpi_values_for_period(organization=organization, kpis=[kpi], start=start, end=end, platform=platform)[kpi]


def goal_progress(
    *, goal, organization: Organization | None = None, today: dt.date | None = None, values: dict | None = None
) -> Progress:
    """Progress of a strategy goal: the KPI now (capped at the deadline) against baseline and target.
    Pass `organization` (or load `goal.organization`) and `goal.strategy` to avoid extra queries;
    `values` memoizes KPI values across goals that share a KPI, day and platform."""
    organization = organization or goal.organization
    today = today or organization.today()
    measured_on = min(today, goal.deadline)
    key = (goal.kpi, measured_on, goal.platform or "")
    if values is None or key not in values:
        current = kpi_value(organization=organization, kpi=goal.kpi, on=measured_on, platform=goal.platform)
        if values is not None:
            values[key] = current
    else:
        current = values[key]
    return progress_compute(
        baseline=goal.baseline,
        target=goal.target,
        current=current,
        start=goal.strategy.period_start,
        deadline=goal.deadline,
        today=today,
    )


@dataclass(frozen=True)
class GoalProgress:
    goal: object
    progress: Progress | None  # None for a draft strategy's goals: targets only, nothing measured yet


def goal_measurements(goals: Iterable, today: dt.date) -> dict[tuple[dt.date, str], set[str]]:
    """The KPIs the goals' progress needs, by (day measured on, platform scope)."""
    wanted: dict[tuple[dt.date, str], set[str]] = {}
    for goal in goals:
        wanted.setdefault((min(today, goal.deadline), goal.platform or ""), set()).add(goal.kpi)
    return wanted


def goals_progress(
    *, organization: Organization, goals: Iterable, today: dt.date | None = None, known: dict | None = None
) -> list[GoalProgress]:
    """Progress for goals of `organization` already loaded with their strategy (select_related / prefetch).
    `known` holds values the caller measured already, keyed (kpi, day, platform): a page that reads
    the same window for its own figures passes them instead of paying for a second engine pass."""
    today = today or organization.today()
    goals = list(goals)
    # Every KPI measured on the same day for the same platform in one engine pass (one query per fact
    # source), however many goals and KPIs there are.
    values: dict = dict(known or {})
    for (on, platform), kpis in goal_measurements(goals, today).items():
        missing = sorted(kpi for kpi in kpis if (kpi, on, platform) not in values)
        if not missing:
            continue
        measured = kpi_values_on(organization=organization, kpis=missing, on=on, platform=platform)
        values.update({(kpi, on, platform): value for kpi, value in measured.items()})
    return [
        GoalProgress(
            goal=goal, progress=goal_progress(goal=goal, organization=organization, today=today, values=values)
        )
        for goal in goals
    ]
