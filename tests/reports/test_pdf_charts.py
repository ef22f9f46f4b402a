"""The PDF's charts are static SVG drawn from the snapshot: the same series as the page's Plotly
figures, escaped, with no script or link, so the printer runs no JavaScript and fetches nothing."""

import itertools
import re

import pytest

from reports.pdf import report_html
from reports.svgcharts import nice_ticks, tick_label

from .factories import ReportFactory

pytestmark = pytest.mark.django_db

DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]


def _snapshot():
    return {
        "kpis": [],
        "insights": [],
        "recommendations": [],
        "goals": [
            {"kpi": "leads", "title": "Leads <b>& more</b>", "status": "on_track", "percent_of_target": "120.5"},
            {"kpi": "cpl", "title": "Cheaper leads", "status": "behind", "percent_of_target": "-20"},
            {"kpi": "reach", "title": "No data yet", "status": "no_data", "percent_of_target": None},
        ],
        "trend": {
            "days": DAYS,
            "leads": ["3", "0", None, "7"],
            "reach": ["1000", "1500", "900", "4000"],
            "site_clicks": [None, None, None, None],
        },
    }


def test_the_printable_page_draws_the_charts_as_svg_without_script_or_links(org):
    report = ReportFactory(organization=org, snapshot=_snapshot())
    html = report_html(report)
    assert "<script" not in html.lower()
    assert "data-plotly-figure" not in html
    assert re.findall(r"(?:src|href)=", html) == []
    assert re.findall(r"https?://[^\s\"]*", html) == ["http://www.w3.org/2000/svg"] * 2  # the SVG namespace only
    goals, trend = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    # One bar per measured goal, coloured by status; the title escaped; the goal without data left out.
    assert goals.count("<rect") == 2
    assert "Leads &lt;b&gt;&amp; more&lt;/b&gt;" in goals
    assert "<b>" not in goals
    assert 'fill="#2e7d32"' in goals
    assert 'fill="#c62828"' in goals
    assert "No data yet" not in goals
    assert 'stroke-dasharray="5,4"' in goals  # the target line at 100 %
    # One line per series with data (site clicks has none); a missing day breaks the line.
    paths = re.findall(r'<path d="([^"]+)"', trend)
    assert len(paths) == 2
    leads, reach = paths
    assert leads.count("M") == 2
    assert leads.count("L") == 1
    assert reach.count("M") == 1
    assert reach.count("L") == 3
    assert "Site clicks" not in trend
    assert "01.03" in trend


def test_no_charts_without_data(org):
    snapshot = _snapshot() | {"goals": [], "trend": {"days": []}}
    html = report_html(ReportFactory(organization=org, snapshot=snapshot))
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("low", "high"), [(0, 100), (-20, 120.5), (0, 0), (0, 7), (0, 4000), (0, 0.3), (-5, -1), (0, 123456789)]
)
def test_ticks_are_round_and_cover_the_range(low, high):
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low
    assert ticks[-1] >= high
    assert 2 <= len(ticks) <= 12
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1


def test_tick_labels_are_short():
    assert [tick_label(v) for v in (0, 5, 2.5, 1500, 40000, 2_000_000, -1000)] == [
        "0",
        "5",
        "2.5",
        "1.5k",
        "40k",
        "2M",
        "-1k",
    ]
