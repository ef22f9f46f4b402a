"""Charts of the analytics pages: a Plotly figure drawn in the browser by static/js/app.js from
JSON data (no inline script, so the Content-Security-Policy holds), the same numbers as a table
under it for screen readers, and CSV/XLSX files of that table.

Figures are plain Plotly JSON (dicts), not `plotly.graph_objects`: building and validating those
costs ~0.2 s a chart, the page's whole budget. Colours are the Okabe–Ito palette (told apart with
the common colour-vision deficiencies); the weekday × hour grid uses Viridis. Numbers in hover
labels and axes follow the active language's separators.
"""

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Any

from django.http import HttpResponse
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.formatting import MISSING, NBSP, _decimal, _digits, currency_symbol, format_number
from core.kpis import Unit

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
EVENT_COLOURS = {"campaign": "#D55E00", "strategy": "#009E73"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = ""  # a core.kpis.Unit value; "" for text and dates


@dataclass
class Chart:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    figure: str = ""  # Plotly JSON; "" for a table without a chart
    note: str = ""
    currency: str = ""
    caption: str = ""
    # Texts already shown, by (unit, currency) then value: charts of one page built with the
    # same dict format their shared columns (days, posts, events) once.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def dom_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def figure_script(self) -> SafeString:
        """The element `{{ chart.figure|json_script:"<dom_id>-data" }}` renders, its three escapes
        made by `str.replace` (`json_script`'s `str.translate` maps the figure's JSON a character
        at a time in Python: a tenth of the overview's time for a year of days)."""
        text = json.dumps(self.figure).replace(">", "\\u003E").replace("<", "\\u003C").replace("&", "\\u0026")
        return format_html(
            '<script id="{}" type="application/json">{}</script>',
            f"{self.dom_id}-data",
            mark_safe(text),  # noqa: S308 — JSON with <, > and & escaped, as json_script does
        )

    @property
    def has_data(self) -> bool:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError("a row does not match the columns")
        measured = [i for i, column in enumerate(self.columns) if column.unit]
        return any(
            value is not None and not (isinstance(value, float) and math.isnan(value))
            for row in self.rows
            for value in (row[i] for i in measured)
        )

    def cells(self) -> list[list[str]]:
        """The rows as shown: grouped numbers with units, dates in the active language."""
        return [list(row) for row in zip(*self._shown_columns(), strict=True)] if self.rows else []

    def _shown_columns(self) -> list[list[str]]:
        """Each column's cells as shown, formatted a column at a time (one formatter per
        column, values seen before in the column not formatted again)."""
        columns = list(zip(*self.rows, strict=True)) if self.rows else [() for _c in self.columns]
        if len(columns) != len(self.columns):
            raise ValueError("the rows do not match the columns")
        return [
            _memoized(
                _column_formatter(column, self.currency),
                values,
                self.memo.setdefault((column.unit, self.currency), {}),
            )
            for column, values in zip(self.columns, columns, strict=True)
        ]

    def table_body(self) -> SafeString:
        """The data table's rows as HTML (escaped): built here rather than in a template loop,
        which cost more than the rest of a page with a year of days. Cells are escaped by
        `html.escape`, the function `django.utils.html.escape` wraps (its lazy-string wrapper
        cost as much as the escaping)."""
        if not self.rows:
            return mark_safe("")
        shown = self._shown_columns()
        heads = [f'<tr><th scope="row">{html_escape(cell)}</th>' for cell in shown[0]]
        cells = [[f"<td>{html_escape(cell)}</td>" for cell in column] for column in shown[1:]]
        return mark_safe(  # noqa: S308 — every cell is escaped
            "".join(head + "".join(row) + "</tr>" for head, *row in zip(heads, *cells, strict=True))
        )


def _memoized(show: Callable[[Any], str], values: Sequence[Any], seen: dict[tuple[type, Any], str]) -> list[str]:
    """`show` over `values`, each distinct value formatted once (`seen` holds the texts so far).
    Keyed by type and value, and floats only when not zero (0.0 == -0.0 and 1 == 1.0 == True,
    whose texts may differ)."""
    shown = []
    for value in values:
        cls = value.__class__
        if cls is float and not value:
            shown.append(show(value))
            continue
        try:
            key = (cls, value)
            text = seen.get(key)
            if text is None:
                text = seen[key] = show(value)
        except TypeError:  # not hashable
            text = show(value)
        shown.append(text)
    return shown


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _shown(value: Any, column: Column, currency: str) -> str:
    value = _clean(value)
    if column.unit:
        return format_number(value, unit=column.unit, currency=currency)
    if value is None:
        return "—"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ", timespec="minutes") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def _column_formatter(column: Column, currency: str) -> Callable[[Any], str]:
    """`_shown` for one column, with the active language's separators looked up once: the same
    text as `core.formatting.format_number`, at a fraction of its cost per cell."""
    try:
        kind: Unit | None = Unit(column.unit) if column.unit else None
    except ValueError:
        kind = None
    grouping = get_format("NUMBER_GROUPING")
    if kind is None or kind == Unit.MINUTES or grouping != 3:
        return lambda value: _shown(value, column, currency)
    decimal_sep, thousand_sep = str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR"))
    if kind == Unit.PERCENT:
        template = _("%(number)s%%")
        suffix = ""
    else:
        template = ""
        suffix = f"{NBSP}{currency_symbol(currency)}" if kind == Unit.MONEY and currency else ""

    def show(value: Any) -> str:
        cls = value.__class__
        if cls is int or (cls is float and value.is_integer() and -1e15 < value < 1e15):
            # A whole number rounds to itself with no decimals in every unit: the text of the
            # Decimal path below without building a Decimal (most cells of a daily table).
            text = f"{int(value):,}"
            if thousand_sep != ",":
                text = text.replace(",", thousand_sep)
            if template:
                return template % {"number": text}
            return text + suffix
        value = _clean(value)
        if value is None or value == "":
            return MISSING
        number = _decimal(value)
        if number is None:
            return str(value)
        rounded, places = _digits(number, kind, None)
        if not rounded:
            rounded = abs(rounded)  # no "-0"
        text = f"{rounded:,.{places}f}".replace(",", "\0").replace(".", decimal_sep).replace("\0", thousand_sep)
        if template:
            return template % {"number": text}
        return text + suffix

    return show


def _export_value(value: Any) -> Any:
    value = _clean(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 4)
    return value


def export_response(chart: Chart, fmt: str, filename: str) -> HttpResponse:
    """The chart's table as a CSV (UTF-8 with BOM, for spreadsheet programs) or an XLSX file."""
    header = [
        c.label + (f", {unit_label(c.unit, chart.currency)}" if unit_label(c.unit, chart.currency) else "")
        for c in chart.columns
    ]
    rows = [[_export_value(v) for v in row] for row in chart.rows]
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = chart.key[:31]
        sheet.append(header)
        for row in rows:
            sheet.append(
                [v.isoformat() if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else v for v in row]
            )
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def unit_label(unit: str, currency: str = "") -> str:
    if unit == Unit.PERCENT:
        return "%"
    if unit == Unit.MONEY:
        return currency_symbol(currency)
    return ""


def _layout(y_title: str, *, height: int = 300, y2_title: str = "") -> dict:
    layout: dict[str, Any] = {
        "margin": {"l": 60, "r": 60 if y2_title else 10, "t": 10, "b": 40},
        "height": height,
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "x unified",
        "separators": ", " if (get_language() or "ru").startswith("ru") else ".,",
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "tickformat": ",~r"},
        "xaxis": {"tickformat": "%d.%m"},
        "font": {"color": "#1f2937"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    if y2_title:
        layout["yaxis2"] = {
            "title": {"text": y2_title},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        }
    return layout


@dataclass
class Series:
    name: str
    values: Sequence[float | None]
    kind: str = "line"  # "line" | "bar"
    axis: str = "y"
    unit: str = ""
    colour: str = ""
    extra: dict = field(default_factory=dict)


def _values(values: Sequence[Any]) -> list[Any]:
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]


def time_figure(
    days: Sequence[dt.date],
    series: list[Series],
    *,
    y_title: str,
    y2_title: str = "",
    events: Sequence[Any] = (),
    posts: Sequence[float] | None = None,
    currency: str = "",
) -> str:
    """Lines/bars over days, with vertical markers for events and triangles for published posts."""
    x = [d.isoformat() for d in days]
    data: list[dict[str, Any]] = []
    for i, s in enumerate(series):
        unit = unit_label(s.unit, currency)
        hover = f"%{{y:,.2~f}}{(' ' + unit) if unit else ''}<extra>{s.name}</extra>"
        colour = s.colour or PALETTE[i % len(PALETTE)]
        common = {"x": x, "y": _values(s.values), "name": s.name, "yaxis": s.axis, "hovertemplate": hover}
        if s.kind == "bar":
            data.append({"type": "bar", "marker": {"color": colour}, **common, **s.extra})
        else:
            data.append(
                {"type": "scatter", "mode": "lines", "line": {"color": colour, "width": 2}, **common, **s.extra}
            )
    if posts is not None and any(posts):
        px = [d.isoformat() for d, n in zip(days, posts, strict=True) if n]
        counts = [int(n) for n in posts if n]
        data.append(
            {
                "type": "scatter",
                "x": px,
                "y": [0] * len(px),
                "mode": "markers",
                "name": _("Posts published"),
                "marker": {"symbol": "triangle-up", "size": 9, "color": "#000000"},
                "customdata": counts,
                "hovertemplate": "%{customdata}<extra>" + _("Posts published") + "</extra>",
            }
        )
    layout = _layout(y_title, y2_title=y2_title)
    shapes, notes = [], []
    for event in events:
        colour = EVENT_COLOURS.get(event.kind, "#000000")
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": event.day.isoformat(),
                "x1": event.day.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "dash": "dot", "width": 1},
            }
        )
        label = _("Campaign: %(name)s") if event.kind == "campaign" else _("Strategy approved: %(name)s")
        notes.append(
            {
                "x": event.day.isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": (label % {"name": event.title})[:40],
                "showarrow": False,
                "textangle": -90,
                "xanchor": "right",
                "yanchor": "top",
                "font": {"size": 10, "color": "#1f2937"},
            }
        )
    layout["shapes"], layout["annotations"] = shapes, notes
    return json.dumps({"data": data, "layout": layout}, default=str)


def bar_figure(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    y_title: str,
    unit: str = "",
    currency: str = "",
    sizes: Sequence[int] = (),
) -> str:
    unit_text = unit_label(unit, currency)
    trace = {
        "type": "bar",
        "x": list(labels),
        "y": _values(values),
        "marker": {"color": PALETTE[0]},
        "customdata": list(sizes) or None,
        "hovertemplate": "%{x}: %{y:,.2~f}"
        + (f" {unit_text}" if unit_text else "")
        + ("<br>" + _("posts") + ": %{customdata}" if sizes else "")
        + "<extra></extra>",
    }
    layout = _layout(y_title)
    layout["hovermode"] = "closest"
    layout["xaxis"] = {"type": "category"}
    return json.dumps({"data": [trace], "layout": layout}, default=str)


def heatmap_figure(
    values, sizes, *, weekdays: Sequence[str], metric_name: str, unit: str = "", currency: str = ""
) -> str:
    """Weekday × hour as a grid of square markers coloured by the value (Viridis: dark is low,
    yellow is high). Not a Plotly heatmap trace: that one, and colour bars, set style attributes
    the Content-Security-Policy blocks; the grid draws with none."""
    unit_text = unit_label(unit, currency)
    hours = [f"{h:02d}" for h in range(24)]
    x, y, colour, posts = [], [], [], []
    for d in range(7):
        for h in range(24):
            value = values[d][h]
            if value is None or math.isnan(value):
                continue
            x.append(hours[h])
            y.append(weekdays[d])
            colour.append(float(value))
            posts.append(int(sizes[d][h]))
    trace = {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "markers",
        "marker": {"symbol": "square", "size": 18, "color": colour, "colorscale": "Viridis", "showscale": False},
        "customdata": posts,
        "hovertemplate": "%{y} %{x}:00 — %{marker.color:,.2~f}"
        + (f" {unit_text}" if unit_text else "")
        + "<br>"
        + _("posts")
        + ": %{customdata}<extra>"
        + metric_name
        + "</extra>",
    }
    layout = _layout("", height=340)
    layout["hovermode"] = "closest"
    layout["xaxis"] = {
        "title": {"text": _("Hour of publication")},
        "type": "category",
        "categoryorder": "array",
        "categoryarray": hours,
        "range": [-0.5, 23.5],
    }
    layout["yaxis"] = {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(weekdays),
        "range": [6.5, -0.5],
    }
    return json.dumps({"data": [trace], "layout": layout}, default=str)
