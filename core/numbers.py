"""Rounding and ratios shown to users, defined once so every page, report and connector rounds and
guards the same way: half up (2.345 → 2.35), as people round by hand and as spreadsheets do."""

from decimal import ROUND_HALF_UP, Decimal

MONEY_PLACES = 2


def round_to(value: Decimal | int | float | str, places: int) -> Decimal:
    """`value` rounded half up to `places` decimals (`places=2` → 0.01).

    A float goes through its shortest repr (0.1 → "0.1"), not its binary expansion, so
    round_to(2.675, 2) is 2.68 as it reads. A string that is not a number raises InvalidOperation."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(value: Decimal | int | float | str) -> Decimal:
    """An amount in major units (roubles, dollars) to whole cents, half up."""
    return round_to(value, MONEY_PLACES)


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None, *, scale: int = 1) -> Decimal | None:
    """numerator × scale ÷ denominator to 2 places; None when either side is missing or zero.

    Callers pass sums over the rows that report BOTH parts (a NULL metric was not reported,
    not 0): a row with spend but no reported revenue must not enter an ROI's spend."""
    if numerator is None or not denominator:
        return None
    return round_to(Decimal(numerator) * scale / Decimal(denominator), 2)
