"""The one formatting layer: grouping, precision and units in Russian and English."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import MISSING, format_kpi, format_number, goal_forecast, is_ratio
from core.kpis import CATALOG, Unit

NBSP = "\u00a0"


def _ru(text: str) -> str:
    """Russian groups digits and sets units off with a no-break space, so a figure never wraps."""
    return text.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("value", "unit", "currency", "ru", "en"),
    [
        (50620, Unit.COUNT, None, "50 620", "50,620"),
        (Decimal("52912.37"), Unit.COUNT, None, "52 912", "52,912"),  # a count has no fraction
        (Decimal("1234567"), "count", None, "1 234 567", "1,234,567"),
        (Decimal("328.54"), Unit.MONEY, "RUB", "328,54 ₽", "328.54 ₽"),
        (Decimal("320"), Unit.MONEY, "RUB", "320 ₽", "320 ₽"),
        (Decimal("1500.5"), Unit.MONEY, "USD", "1 500,50 $", "1,500.50 $"),
        (Decimal("12"), Unit.MONEY, "XYZ", "12 XYZ", "12 XYZ"),  # an unknown code is shown as is
        (Decimal("5.82"), Unit.PERCENT, None, "5,82 %", "5.82%"),
        (Decimal("6.00"), Unit.PERCENT, None, "6 %", "6%"),
        (Decimal("5.80"), Unit.PERCENT, None, "5,8 %", "5.8%"),
        (Decimal("95"), Unit.MINUTES, None, "95 мин", "95 min"),
        (Decimal("12.25"), Unit.MINUTES, None, "12,3 мин", "12.3 min"),  # half up
        (Decimal("-1234.5"), None, None, "-1 234,5", "-1,234.5"),
        (None, Unit.MONEY, "RUB", MISSING, MISSING),
        (None, Unit.COUNT, None, MISSING, MISSING),
    ],
)
def test_format_number_in_both_languages(value, unit, currency, ru, en):
    with translation.override("ru"):
        assert format_number(value, unit=unit, currency=currency) == _ru(ru)
    with translation.override("en"):
        assert format_number(value, unit=unit, currency=currency).replace(NBSP, " ") == en


def test_precision_and_sign():
    with translation.override("en"):
        assert format_number(Decimal("2.345"), unit=None, precision=2) == "2.35"
        assert format_number(1234, unit=None, precision=1) == "1,234.0"
        assert format_number(Decimal("12.3"), unit=Unit.PERCENT, signed=True) == "+12.3%"
        assert format_number(Decimal("-4"), unit=Unit.PERCENT, signed=True) == "-4%"
        assert format_number(0, unit=Unit.PERCENT, signed=True) == "0%"
        assert format_number("not a number", unit=Unit.COUNT) == "not a number"


def test_format_kpi_takes_the_unit_from_the_catalog():
    with translation.override("ru"):
        assert format_kpi("reach", 50620) == _ru("50 620")
        assert format_kpi("cpl", Decimal("328.54"), "RUB") == _ru("328,54 ₽")
        assert format_kpi("first_response_time", 95) == _ru("95 мин")
        assert format_kpi("no_such_kpi", 1234) == _ru("1 234")
    with translation.override("en"):
        assert format_kpi("reach", 50620) == "50,620"
        for kpi in CATALOG:
            if kpi.unit == Unit.PERCENT:
                assert format_kpi(kpi.key, Decimal("5.82")) == "5.82%"


def test_ratios_get_no_straight_line_forecast_and_counts_a_whole_one():
    kinds = {kpi.key: is_ratio(kpi) for kpi in CATALOG}
    assert {key for key in ("cpl", "cpc", "first_response_time") if kinds[key]} == {"cpl", "cpc", "first_response_time"}
    assert not any(kinds[key] for key in ("reach", "leads", "revenue", "followers"))
    assert all(kinds[kpi.key] for kpi in CATALOG if kpi.unit == Unit.PERCENT)
    assert goal_forecast("cpl", Decimal("250.00")) is None
    assert goal_forecast("reach", Decimal("52912.37")) == Decimal(52912)
    assert goal_forecast("revenue", Decimal("1000.50")) == Decimal("1000.50")
    assert goal_forecast("reach", None) is None


def _render(source: str, **context) -> str:
    return Template("{% load numbers %}" + source).render(Context(context))


class _Org:
    currency = "RUB"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "1 234,50 ₽|12 345|5,82 %|+3 %|95 мин|1 500 $|—"), ("en", "1,234.50 ₽|12,345|5.82%|+3%|95 min|1,500 $|—")],
)
def test_template_filters(lang, expected):
    source = (
        '{% kpi price "cpl" %}|{{ n|count }}|{{ er|percent }}|{{ change|percent:"signed" }}|{{ m|minutes }}'
        '|{{ spend|money:"USD" }}|{{ missing|count }}'
    )
    with translation.override(lang):
        text = _render(
            source,
            organization=_Org(),
            price=Decimal("1234.5"),
            n=12345,
            er=Decimal("5.82"),
            change=3,
            m=95,
            spend=1500,
            missing=None,
        )
    assert text.replace(NBSP, " ") == expected


def test_kpi_tag_into_a_variable_and_forecast():
    with translation.override("en"):
        text = _render(
            '{% kpi v "reach" as shown %}[{{ shown }}]{% kpi_forecast p "reach" %}|{% kpi_forecast p "cpl" %}|',
            organization=_Org(),
            v=50620,
            p=Decimal("52912.37"),
        )
    assert text == "[50,620]52,912||"
