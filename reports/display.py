"""What the report page, its PDF and its email show, read from the frozen snapshot only."""

import json
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from abtests.models import ABTest, Metric, Varies
from core.formatting import format_kpi

from . import svgcharts
from .models import Report

Json = dict[str, Any]


def _number(value: str | None) -> float | None:
    return None if value is None else float(Decimal(value))


def _measured_goals(goals: list[Json]) -> list[Json]:
    return [g for g in goals if g.get("percent_of_target") is not None]


def _on_track(goal: Json) -> bool:
    return goal["status"] in ("exceeded", "on_track")


def goals_figure(goals: list[Json]) -> str | None:
    """Percent of each goal's planned improvement achieved (100 = target reached)."""
    measured = _measured_goals(goals)
    if not measured:
        return None
    fig = go.Figure(
        go.Bar(
            x=[_number(g["percent_of_target"]) for g in measured],
            y=[g["title"] for g in measured],
            orientation="h",
            marker={"color": ["#2e7d32" if _on_track(g) else "#c62828" for g in measured]},
            name=str(_("Percent of target")),
        )
    )
    fig.add_vline(x=100, line_dash="dash")
    fig.update_layout(
        margin={"l": 160, "r": 10, "t": 10, "b": 40},
        height=60 + 40 * len(measured),
        xaxis={"title": str(_("Percent of target"))},
    )
    return json.dumps(fig.to_plotly_json(), default=str)


def goals_chart_svg(goals: list[Json]) -> SafeString | None:
    """The goals figure as static SVG for the PDF."""
    measured = _measured_goals(goals)
    if not measured:
        return None
    rows = [(str(g["title"]), _number(g["percent_of_target"]) or 0.0, _on_track(g)) for g in measured]
    return svgcharts.goals_svg(
        rows, axis_title=str(_("Percent of target")), label=str(_("Share of each goal achieved"))
    )


def _trend_series(trend: Json) -> list[tuple[str, list[float | None], bool]]:
    """(name, daily values, on the leads axis) for each series with data."""
    names = {"leads": _("Leads"), "reach": _("Reach"), "site_clicks": _("Site clicks")}
    series = []
    for key, name in names.items():
        values = [_number(v) for v in trend.get(key, [])]
        if any(v is not None for v in values):
            series.append((str(name), values, key == "leads"))
    return series


def trend_chart_svg(trend: Json) -> SafeString | None:
    """The trend figure as static SVG for the PDF."""
    days = trend.get("days") or []
    series = _trend_series(trend) if days else []
    if not series:
        return None
    return svgcharts.trend_svg(
        days, series, right_title=str(_("Leads")), label=str(_("Daily leads, reach and site clicks"))
    )


def trend_figure(trend: Json) -> str | None:
    days = trend.get("days") or []
    if not days:
        return None
    series = _trend_series(trend)
    if not series:
        return None
    fig = go.Figure()
    for name, values, on_leads_axis in series:
        fig.add_trace(go.Scatter(x=days, y=values, mode="lines", name=name, yaxis="y2" if on_leads_axis else "y"))
    fig.update_layout(
        margin={"l": 50, "r": 50, "t": 10, "b": 40},
        height=300,
        legend={"orientation": "h"},
        xaxis={"tickformat": "%d.%m"},
        yaxis2={"overlaying": "y", "side": "right", "title": str(_("Leads"))},
    )
    return json.dumps(fig.to_plotly_json(), default=str)


def _label(choices: Any, key: str) -> str:
    return str(choices(key).label) if key in choices.values else key


def abtest_rows(snapshot: Json) -> list[Json]:
    """The snapshot's concluded A/B tests with their labels in the reader's language. Snapshots
    made before the section existed have no key and show the empty state."""
    verdicts = {
        "winner": ABTest.Verdict.WINNER.label,
        "inconclusive": ABTest.Verdict.INCONCLUSIVE.label,
        "stopped_early": _("Stopped early"),
    }
    return [
        t
        | {
            "varies_label": _label(Varies, t.get("varies", "")),
            "metric_label": _label(Metric, t.get("metric", "")),
            "verdict_label": str(verdicts.get(t.get("verdict", ""), t.get("verdict", ""))),
            "decision_label": _label(ABTest.Decision, t.get("decision", "")),
        }
        for t in snapshot.get("abtests", [])
    ]


def report_context(report: Report) -> Json:
    snapshot = report.snapshot or {}
    insights = [i | {"lift_percent": round(Decimal(str(i["lift"])) * 100, 1)} for i in snapshot.get("insights", [])]
    return {
        "report": report,
        "snapshot": snapshot,
        "currency": snapshot.get("currency"),
        "insights": insights,
        "abtests": abtest_rows(snapshot),
        "worked": [i for i in insights if i["direction"] == "better"],
        "did_not": [i for i in insights if i["direction"] == "worse"],
        "goals_json": goals_figure(snapshot.get("goals", [])),
        "trend_json": trend_figure(snapshot.get("trend", {})),
    }


def kpi_table_rows(report: Report) -> list[list[str]]:
    """The KPI table as text cells (CSV, XLSX keep raw numbers: see exports)."""
    currency = (report.snapshot or {}).get("currency")
    return [
        [
            row["name"],
            format_kpi(row["key"], row["current"], currency),
            format_kpi(row["key"], row["previous"], currency),
        ]
        for row in (report.snapshot or {}).get("kpis", [])
    ]
