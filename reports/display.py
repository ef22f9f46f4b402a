"""What the report page, its PDF and its email show, read from the frozen snapshot only."""

import json
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from abtests.models import ABTest, Metric, Varies
from core.formatting import format_kpi

from .models import Report

Json = dict[str, Any]


def _number(value: str | None) -> float | None:
    return None if value is None else float(Decimal(value))


def goals_figure(goals: list[Json]) -> str | None:
    """Percent of each goal's planned improvement achieved (100 = target reached)."""
    measured = [g for g in goals if g.get("percent_of_target") is not None]
    if not measured:
        return None
    fig = go.Figure(
        go.Bar(
            x=[_number(g["percent_of_target"]) for g in measured],
            y=[g["title"] for g in measured],
            orientation="h",
            marker={"color": ["#2e7d32" if g["status"] in ("exceeded", "on_track") else "#c62828" for g in measured]},
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


def trend_figure(trend: Json) -> str | None:
    days = trend.get("days") or []
    if not days:
        return None
    names = {"leads": _("Leads"), "reach": _("Reach"), "site_clicks": _("Site clicks")}
    fig = go.Figure()
    for key, name in names.items():
        values = [_number(v) for v in trend.get(key, [])]
        if not any(v is not None for v in values):
            continue
        fig.add_trace(go.Scatter(x=days, y=values, mode="lines", name=str(name), yaxis="y2" if key == "leads" else "y"))
    if not fig.data:
        return None
    fig.update_layout(
        margin={"l": 50, "r": 50, "t": 10, "b": 40},
        height=300,
        legend={"orientation": "h"},
        xaxis={"tickformat": "%d.%m"},
        yaxis2={"overlaying": "y", "side": "right", "title": str(names["leads"])},
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
