"""Ratios shown to users, defined once so every page rounds and guards the same way."""

from decimal import ROUND_HALF_UP, Decimal


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None, *, scale: int = 1) -> Decimal | None:
    """numerator × scale ÷ denominator to 2 places; None when either side is missing or zero.

    Callers pass sums over the rows that report BOTH parts (a NULL metric was not reported,
    not 0): a row with spend but no reported revenue must not enter an ROI's spend."""
    if numerator is None or not denominator:
        return None
    value = Decimal(numerator) * scale / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
