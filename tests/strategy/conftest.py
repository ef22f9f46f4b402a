"""Fixtures of the strategy tests."""

import datetime as dt

import pytest

from .factories import StrategyFactory


@pytest.fixture
def draft(org):
    """An empty draft strategy for 2025."""
    return StrategyFactory(organization=org, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
