"""Reads for the organization dashboard: onboarding checklist, KPI tiles, goal cards, daily trend.

Numbers come from the daily fact tables through `kpi_values` (the same code the reports and the
goal progress use), so the dashboard never has its own arithmetic for a KPI.
"""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
from django.db.models import Exists
from django.urls import reverse
from django.utils.translation import gettext as _

from content.models import Post
from core.kpis import CATALOG, FLOW_WINDOW_DAYS, kpi_get
from core.numbers import round_to
from crm.models import Lead
from integrations.models import SocialAccount
from strategy.launch_gate import current_strategy
from tenancy.models import Organization
from tenancy.roles import Perm

from .kpi_values import goal_measurements, goals_progress, kpi_values_for_period, kpi_values_on, kpi_window
from .models import AccountMetricDaily

TILE_KPIS = ("reach", "er", "site_clicks", "leads", "cpl")
TREND_FIELDS = ("reach", "views", "interactions", "link_clicks")
# The owner's line: business results only, this month against last.
OWNER_KPIS = ("leads", "sales", "revenue", "cpl", "romi", "support_savings")


@dataclass(frozen=True)
class Step:
    done: bool
    title: str
    hint: str
    url: str
    # What a member needs to follow `url`; others see the step without the link.
    permission: str = Perm.READ


def crm_leads_arrived(*, organization: Organization) -> bool:
    """Whether the CRM has pushed any lead yet. Leads that ad cabinets report
    (`ads.AdStatDaily.leads`) are not CRM leads and do not count."""
    return Lead.objects.filter(organization=organization).exists()


@dataclass(frozen=True)
class Tile:
    key: str
    name: str
    unit: str
    value: Decimal | None


def onboarding_steps(*, organization: Organization, strategy) -> list[Step]:
    slug = {"org_slug": organization.slug}
    # The three "is there any yet" checks in one query.
    has_account, has_post, has_lead = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            has_account=Exists(SocialAccount.objects.filter(organization=organization)),
            has_post=Exists(Post.objects.filter(organization=organization)),
            # CRM leads only: leads that ad cabinets report are not (see `crm_leads_arrived`).
            has_lead=Exists(Lead.objects.filter(organization=organization)),
        )
        .values_list("has_account", "has_post", "has_lead")
        .get()
    )
    return [
        Step(
            strategy is not None,
            _("Approve a strategy"),
            _("Goals with KPI targets, one or two key platforms, positioning and pillars."),
            reverse("strategy:home", kwargs=slug),
        ),
        Step(
            has_account,
            _("Connect a social account"),
            _("VK, Telegram, Instagram, Facebook or an ad account."),
            reverse("integrations:home", kwargs=slug),
        ),
        Step(
            has_post,
            _("Plan content"),
            _("Every post serves a goal and a pillar."),
            reverse("content:home", kwargs=slug),
        ),
        Step(
            has_lead,
            _("Connect your CRM"),
            _("Create an API token for your CRM; this step is done when its first leads arrive."),
            reverse("tenancy:tokens", kwargs=slug),
            Perm.MANAGE_TOKENS,
        ),
    ]


def kpi_tiles(*, organization: Organization, on: dt.date, values: dict | None = None) -> list[Tile]:
    """`values`: the tiles' KPIs for the window ending `on`, when the caller measured them already."""
    kpis = [kpi for kpi in map(kpi_get, TILE_KPIS) if kpi is not None]  # only catalog KPIs have a tile
    if values is None:
        values = kpi_values_on(organization=organization, kpis=[kpi.key for kpi in kpis], on=on)
    return [Tile(kpi.key, str(kpi.name), str(kpi.unit), values[kpi.key]) for kpi in kpis]


def daily_totals(*, organization: Organization, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per day in [start, end] with the sum over accounts of each trend field (0 where no rows)."""
    rows = AccountMetricDaily.objects.filter(organization=organization, day__gte=start, day__lte=end).values(
        "day", *TREND_FIELDS
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["day", *TREND_FIELDS])
    days = pd.date_range(start, end, freq="D").date
    if frame.empty:
        return pd.DataFrame(0, index=pd.Index(days, name="day"), columns=list(TREND_FIELDS))
    totals = frame.groupby("day")[list(TREND_FIELDS)].sum(min_count=1)
    return totals.reindex(days, fill_value=0).fillna(0).astype("int64").rename_axis("day")


def trend_figure_json(frame: pd.DataFrame) -> str:
    labels = {
        "reach": _("Reach"),
        "views": _("Views"),
        "interactions": _("Interactions"),
        "link_clicks": _("Site clicks"),
    }
    fig = go.Figure()
    for field in TREND_FIELDS:
        fig.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in frame.index], y=frame[field].tolist(), mode="lines", name=str(labels[field])
            )
        )
    fig.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=320,
        legend={"orientation": "h"},
        hovermode="x unified",
        xaxis={"tickformat": "%d.%m"},
    )
    return json.dumps(fig.to_plotly_json(), default=str)


@dataclass(frozen=True)
class MonthLine:
    key: str
    name: str
    higher_is_better: bool
    this_month: Decimal | None
    last_month: Decimal | None

    @property
    def improved(self) -> bool | None:
        if self.this_month is None or self.last_month is None or self.this_month == self.last_month:
            return None
        return (self.this_month > self.last_month) == self.higher_is_better


def month_to_date_periods(today: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """This month so far, and the same days of last month (1–17 Nov against 1–17 Oct), so that a
    month in progress is not compared with a whole one; a day the shorter month lacks is cut."""
    start = today.replace(day=1)
    last_end_of_month = start - dt.timedelta(days=1)
    last_start = last_end_of_month.replace(day=1)
    last_end = min(last_start.replace(day=min(today.day, last_end_of_month.day)), last_end_of_month)
    return (start, today), (last_start, last_end)


def month_lines(*, organization: Organization, today: dt.date) -> tuple[list[MonthLine], tuple, tuple]:
    """Leads, sales, revenue, CPL, ROMI and support savings this month so far against the same days
    of last month (the KPI engine: the figures equal `GET kpis/` for those periods)."""
    (start, end), (last_start, last_end) = month_to_date_periods(today)
    now = kpi_values_for_period(organization=organization, kpis=OWNER_KPIS, start=start, end=end)
    before = kpi_values_for_period(organization=organization, kpis=OWNER_KPIS, start=last_start, end=last_end)
    lines = []
    for key in OWNER_KPIS:
        kpi = kpi_get(key)
        if kpi is None:
            continue
        lines.append(MonthLine(key, str(kpi.name), kpi.higher_is_better, now[key], before[key]))
    return lines, (start, end), (last_start, last_end)


def dashboard_context(*, organization: Organization) -> dict:
    today = organization.today()
    strategy = current_strategy(organization=organization, on=today)
    loaded = list(strategy.goals.select_related("strategy").order_by("deadline", "id")) if strategy else []
    # The tiles and the goals measured today over all platforms share one window: one engine pass.
    same_window = goal_measurements(loaded, today).get((today, ""), set())
    now = kpi_values_on(organization=organization, kpis=sorted(set(TILE_KPIS) | same_window), on=today)
    known = {(kpi, today, ""): value for kpi, value in now.items()}
    goals = goals_progress(organization=organization, goals=loaded, today=today, known=known) if strategy else []
    start, end = kpi_window(today)
    frame = daily_totals(organization=organization, start=start, end=end)
    # The owner's month lines (two more engine passes) arrive after the page: `month_lines`, read by
    # the dashboard's month fragment, so the page keeps a small, constant number of queries.
    this_period, last_period = month_to_date_periods(today)
    return {
        "month_period": this_period,
        "last_month_period": last_period,
        "today": today,
        "window_start": start,
        "strategy": strategy,
        "steps": onboarding_steps(organization=organization, strategy=strategy),
        "tiles": kpi_tiles(organization=organization, on=today, values=now),
        "goal_cards": goals,
        "trend_has_data": bool(frame.to_numpy().sum()),
        "trend_json": trend_figure_json(frame),
    }


@dataclass(frozen=True)
class KpiRow:
    key: str
    name: str
    formula: str
    unit: str
    higher_is_better: bool
    current: Decimal | None
    previous: Decimal | None

    @property
    def change_percent(self) -> Decimal | None:
        if self.current is None or not self.previous:
            return None
        return round_to((self.current - self.previous) * 100 / abs(self.previous), 1)

    @property
    def improved(self) -> bool | None:
        change = self.change_percent
        if change is None or change == 0:
            return None
        return (change > 0) == self.higher_is_better


# The KPI table's rows from CRM records (business results) and from the inbox (the community): the
# analytics page loads each part after itself, as a fragment of its own. Every part compares two
# windows, two KPI engine passes of one query per fact source it reads, so each stays within the
# page budget (docs/analytics.md). The page itself shows the rest (social and ad figures).
KPI_TABLE_PARTS: dict[str, frozenset[str]] = {
    "results": frozenset({"leads", "cpl", "conversion", "sales", "revenue", "romi", "sales_other_currency"}),
    "community": frozenset(
        {
            "returning_members",
            "positive_share",
            "first_response_time",
            "first_response_average",
            "answered_within_target",
            "resolved_in_social",
            "support_savings",
        }
    ),
}


def kpi_table_keys(part: str = "") -> list[str]:
    """The catalog keys of a part of the KPI table ("" : the ones in no named part), catalog order."""
    if part:
        return [kpi.key for kpi in CATALOG if kpi.key in KPI_TABLE_PARTS[part]]
    later = frozenset().union(*KPI_TABLE_PARTS.values())
    return [kpi.key for kpi in CATALOG if kpi.key not in later]


def kpi_table(
    *, organization: Organization, on: dt.date, platform: str = "", keys: Iterable[str] | None = None
) -> list[KpiRow]:
    """Catalog KPIs (all, or `keys`, in catalog order) for the window ending `on` and the window
    before it (same length)."""
    previous_end = on - dt.timedelta(days=FLOW_WINDOW_DAYS)
    wanted = None if keys is None else set(keys)
    catalog = [kpi for kpi in CATALOG if wanted is None or kpi.key in wanted]
    keys = [kpi.key for kpi in catalog]
    current = kpi_values_on(organization=organization, kpis=keys, on=on, platform=platform)
    previous = kpi_values_on(organization=organization, kpis=keys, on=previous_end, platform=platform)
    return [
        KpiRow(
            key=kpi.key,
            name=str(kpi.name),
            formula=str(kpi.formula),
            unit=str(kpi.unit),
            higher_is_better=kpi.higher_is_better,
            current=current[kpi.key],
            previous=previous[kpi.key],
        )
        for kpi in catalog
    ]
