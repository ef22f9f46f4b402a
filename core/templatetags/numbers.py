"""`{% load numbers %}`: every number on a page goes through `core.formatting`, so it carries its
unit, grouping and precision in the active language.

    {% kpi goal.target goal.kpi %}            a KPI value; money in the organization's currency
    {% kpi p.current goal.kpi as now %}       … into a variable (for blocktrans)
    {{ c.spend_total|money:c.currency }}      an amount in a given currency
    {{ link.clicks|count }}                   a whole number, grouped
    {{ r.change_percent|percent }}            a percentage; `|percent:"signed"` adds "+" to gains
    {{ minutes|minutes }}                     a duration in minutes

The `kpi` tag reads the currency from the page's `organization`, so a template cannot forget it.
"""

from decimal import Decimal
from typing import Any

from django import template
from django.template import Context

from core.formatting import Number, format_kpi, format_number, goal_forecast
from core.kpis import Unit

register = template.Library()


@register.simple_tag(takes_context=True)
def kpi(context: Context, value: Number | None, kpi_key: str, currency: str | None = None) -> str:
    if currency is None:
        organization = context.get("organization")
        currency = getattr(organization, "currency", None)
    return format_kpi(str(kpi_key), value, currency)


@register.filter
def money(value: Number | None, currency: str | None = None) -> str:
    return format_number(value, unit=Unit.MONEY, currency=currency)


@register.filter
def count(value: Number | None) -> str:
    return format_number(value, unit=Unit.COUNT)


@register.filter
def percent(value: Number | None, mode: str = "") -> str:
    return format_number(value, unit=Unit.PERCENT, signed=mode == "signed")


@register.filter
def minutes(value: Number | None) -> str:
    return format_number(value, unit=Unit.MINUTES)


@register.filter
def number(value: Number | None, precision: Any = None) -> str:
    """A plain number with grouping (no unit): `precision` (an int or its text) fixes the decimals shown."""
    return format_number(value, unit=None, precision=None if precision in (None, "") else int(precision))


@register.simple_tag(takes_context=True)
def kpi_forecast(context: Context, projected_value: Decimal | None, kpi_key: str) -> str:
    """The formatted forecast at a goal's deadline, or "" where none is shown (ratio KPIs: see
    `core.formatting.goal_forecast`)."""
    forecast = goal_forecast(str(kpi_key), projected_value)
    return "" if forecast is None else kpi(context, forecast, kpi_key)
