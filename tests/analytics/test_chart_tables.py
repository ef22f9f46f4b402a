"""The charts' data tables: the per-column formatter gives the text of `format_number`, and the
table body escapes what it shows."""

import random

import pytest
from django.utils import translation

from analytics.charts import Chart, Column, _column_formatter, _shown

VALUES = [None, float("nan"), "", 0, 0.0, -0.0, 1, -1, 999, 1000, -1234567, 0.005, 0.004, -0.004, 2.675, 1234.5]
VALUES += [1234.567, 99.995, 12345678.9, 3.10, 5.82, "not a number"]
_rng = random.Random(17)
VALUES += [_rng.uniform(-1e7, 1e7) for _ in range(300)] + [_rng.randint(-(10**9), 10**9) for _ in range(100)]
VALUES += [_rng.uniform(0, 100) for _ in range(200)]
# Whole numbers take a shortcut past Decimal: ints, whole floats, large ones and the edges.
VALUES += [float(_rng.randint(-(10**9), 10**9)) for _ in range(100)] + [-5.0, 7.0, 1e14, -1e14, 999999999999999.0]
VALUES += [1e15, 1e16, 123456789012345678, True, False]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("unit", ["count", "percent", "money", "minutes", ""])
@pytest.mark.parametrize("currency", ["RUB", "USD", ""])
def test_column_formatter_matches_format_number(language, unit, currency):
    column = Column("x", "x", unit)
    with translation.override(language):
        show = _column_formatter(column, currency)
        assert [show(v) for v in VALUES] == [_shown(v, column, currency) for v in VALUES]


def test_table_body_escapes_cells():
    chart = Chart("t", "T", [Column("name", "Name"), Column("n", "N", "count")], [["<b>x</b>", 1234]])
    with translation.override("en"):
        body = str(chart.table_body())
    assert body == '<tr><th scope="row">&lt;b&gt;x&lt;/b&gt;</th><td>1,234</td></tr>'


def test_table_body_is_the_escaped_cells_and_shared_texts_do_not_leak():
    """The column-wise table body is the row-wise rendering of `cells()` it replaced, with every
    cell escaped, also when several charts share one dict of texts (a page's charts do)."""
    from html import escape

    rng = random.Random(5)
    columns = [Column("day", "Day"), Column("n", "N", "count"), Column("p", "P", "percent"), Column("t", "T")]
    rows = [
        [
            f"2026-01-{i % 28 + 1:02d}",
            rng.choice(VALUES[:40]),
            rng.choice(VALUES),
            rng.choice(["", "<a>", "x&y", 0.0, -0.0]),
        ]
        for i in range(300)
    ]
    memo: dict = {}
    with translation.override("ru"):
        other = Chart("o", "O", [Column("n", "N", "count")], [[v] for v in VALUES[:60]], memo=memo)
        other.table_body()
        chart = Chart("t", "T", columns, rows, memo=memo)
        expected = "".join(
            '<tr><th scope="row">'
            + escape(row[0])
            + "</th>"
            + "".join(f"<td>{escape(c)}</td>" for c in row[1:])
            + "</tr>"
            for row in [[_shown(v, col, "") for v, col in zip(row, columns, strict=True)] for row in rows]
        )
        assert str(chart.table_body()) == expected
        assert chart.cells() == [[_shown(v, col, "") for v, col in zip(row, columns, strict=True)] for row in rows]
    assert Chart("e", "E", columns, []).table_body() == ""


def test_figure_script_is_what_json_script_rendered():
    """The figure's <script> element is the one `{{ chart.figure|json_script:id }}` rendered before:
    the same escapes of <, > and & (hover templates hold "<extra>"), quotes, Cyrillic and a title
    with markup, for a year of days."""
    import datetime as dt

    from django.utils.html import json_script

    from analytics.charts import Series, time_figure

    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    rng = random.Random(3)
    with translation.override("ru"):
        figure = time_figure(
            days,
            [
                Series('Охват <b>"A&B"</b>', [rng.choice([None, float("nan"), rng.uniform(0, 1e5)]) for _ in days]),
                Series("Лиды", [rng.randint(0, 9) for _ in days], "bar", unit="count"),
            ],
            y_title="люди > 0 & < 1",
            posts=[rng.randint(0, 2) for _ in days],
        )
    chart = Chart("reach_views", "T", [Column("day", "Day")], [[d] for d in days], figure)
    assert str(chart.figure_script) == str(json_script(figure, "chart-reach_views-data"))
    assert "\\u003Cextra\\u003E" in str(chart.figure_script)
