"""The one rounding rule (half up) and the ratio guard."""

from decimal import Decimal, InvalidOperation

import pytest

from core.numbers import money, ratio, round_to


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("2.345"), 2, Decimal("2.35")),  # a tie goes up, not to the even neighbour
        (Decimal("2.335"), 2, Decimal("2.34")),
        (Decimal("-2.345"), 2, Decimal("-2.35")),  # away from zero on negatives
        (Decimal("0.25"), 1, Decimal("0.3")),
        (Decimal("12.34449"), 4, Decimal("12.3445")),
        (Decimal("7.5"), 0, Decimal("8")),
        (3, 2, Decimal("3.00")),
        ("10.005", 2, Decimal("10.01")),
        (2.675, 2, Decimal("2.68")),  # as the float reads, not its binary expansion (2.67499…)
        (0.1 + 0.2, 2, Decimal("0.30")),
    ],
)
def test_round_to_rounds_half_up(value, places, expected):
    got = round_to(value, places)
    assert got == expected
    assert got.as_tuple().exponent == -places  # the scale is fixed too: 3 → "3.00"


def test_round_to_refuses_text_that_is_not_a_number():
    with pytest.raises(InvalidOperation):
        round_to("twelve", 2)


def test_money_is_whole_cents():
    assert money(Decimal("1250.505")) == Decimal("1250.51")
    assert str(money(1500)) == "1500.00"
    assert money(0.125) == Decimal("0.13")


def test_ratio_guards_and_rounds():
    assert ratio(None, 10) is None
    assert ratio(5, 0) is None
    assert ratio(5, None) is None
    assert ratio(1, 3) == Decimal("0.33")
    assert ratio(1, 8, scale=100) == Decimal("12.50")
    assert ratio(Decimal("0.045"), 1) == Decimal("0.05")
