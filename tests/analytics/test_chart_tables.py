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
