"""Numbers as people read them: one place that renders every figure with its unit, grouping and
precision in the active language ("50 620" in Russian, "50,620" in English), so the same reach
never reads "50620" on one page and "50 620" on another.

Precision by unit (unless a caller asks for `precision`): counts are whole numbers (a forecast of
52 912.37 people is 52 912); money shows kopecks only when there are any (328,54 ₽, 320 ₽);
percent and minutes show up to two/one decimals with trailing zeros dropped. Missing values
(None: not reported, not zero) render as an em dash. Templates use the filters in
`core/templatetags/numbers.py`, which call these functions.
"""

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .kpis import Direction, Kpi, Unit, kpi_get
from .numbers import round_to

MISSING = "—"

# The currencies an organization can choose (tenancy.models.CURRENCY_CHOICES), by symbol.
CURRENCY_SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br"}

# Decimals shown at most, and whether trailing zeros are dropped.
_PRECISION: dict[Unit, tuple[int, bool]] = {
    Unit.COUNT: (0, False),
    Unit.MONEY: (2, False),  # 2 decimals when there are kopecks, none for whole amounts
    Unit.PERCENT: (2, True),
    Unit.MINUTES: (1, True),
}
NBSP = "\u00a0"

Number = Decimal | int | float | str


def _decimal(value: Number) -> Decimal | None:
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _digits(number: Decimal, unit: Unit | None, precision: int | None) -> tuple[Decimal, int]:
    """`number` rounded half up, and the decimals to show."""
    if precision is not None:
        return round_to(number, precision), precision
    places, trim = _PRECISION.get(unit, (2, True)) if unit is not None else (2, True)
    rounded = round_to(number, places)
    if rounded == rounded.to_integral_value():
        return rounded, 0
    if trim:
        shown = rounded.normalize()
        return rounded, max(0, -int(shown.as_tuple().exponent))
    return rounded, places


def currency_symbol(currency: str | None) -> str:
    if not currency:
        return ""
    return CURRENCY_SYMBOLS.get(currency.upper(), currency.upper())


def format_number(
    value: Number | None,
    *,
    unit: Unit | str | None,
    currency: str | None = None,
    precision: int | None = None,
    signed: bool = False,
) -> str:
    """`value` with grouping in the active language and its unit: "50 620", "328,54 ₽", "5,82 %",
    "95 мин". `unit` is a catalog `Unit` (or its value; anything else renders as a plain number).
    `signed` prefixes a "+" to positive numbers (changes against a previous period)."""
    if value is None or value == "":
        return MISSING
    number = _decimal(value)
    if number is None:
        return str(value)
    try:
        kind: Unit | None = Unit(unit) if unit else None
    except ValueError:
        kind = None
    rounded, places = _digits(number, kind, precision)
    text = number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)
    if signed and rounded > 0:
        text = "+" + text
    if kind == Unit.PERCENT:
        return _("%(number)s%%") % {"number": text}
    if kind == Unit.MINUTES:
        return _("%(number)s min") % {"number": text}
    if kind == Unit.MONEY and currency:
        return f"{text}{NBSP}{currency_symbol(currency)}"
    return text


def format_kpi(kpi_key: str, value: Number | None, currency: str | None = None) -> str:
    """A value of the catalog KPI `kpi_key` with the KPI's unit; money in `currency` (the
    organization's). An unknown key renders a plain grouped number."""
    kpi = kpi_get(kpi_key)
    return format_number(value, unit=kpi.unit if kpi else None, currency=currency)


def is_ratio(kpi: Kpi) -> bool:
    """Whether the KPI is a ratio or a median (ER, conversion, ROI, CPL, CPC, response time)
    rather than a sum or a level. Sums are counts and the money the business wants more of
    (revenue); cost-per-X money KPIs are lower-is-better ratios."""
    if kpi.unit == Unit.COUNT:
        return False
    if kpi.unit == Unit.MONEY:
        return kpi.direction == Direction.LOWER
    return True


def goal_forecast(kpi_key: str, projected_value: Decimal | None) -> Decimal | None:
    """The forecast a goal card shows: the straight-line projection for sums and levels (a count
    rounded to a whole number), and none for ratios. A ratio (CPL, ER, conversion) is not a
    quantity that accumulates: its value next month does not follow from extending the change
    so far in a straight line (cost per lead does not fall by the same roubles every week), so
    the card shows the current value and the status, not an invented figure."""
    kpi = kpi_get(kpi_key)
    if projected_value is None or kpi is None or is_ratio(kpi):
        return None
    if kpi.unit == Unit.COUNT:
        return round_to(max(projected_value, Decimal(0)), 0)
    return projected_value
