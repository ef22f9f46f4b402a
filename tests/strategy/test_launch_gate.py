"""ensure_launch_allowed refuses for every reason with a message naming what is missing."""

import datetime as dt

import pytest

from strategy.launch_gate import (
    GOAL_MISSING,
    GOAL_NOT_IN_STRATEGY,
    NO_APPROVED_STRATEGY,
    PERIOD_NOT_COVERED,
    PILLAR_MISSING,
    PILLAR_NOT_IN_STRATEGY,
    LaunchBlocked,
    current_strategy,
    ensure_launch_allowed,
)
from strategy.models import Strategy

from .factories import StrategyFactory, approved_strategy

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 1)


def test_no_strategy_at_all(org):
    with pytest.raises(LaunchBlocked) as exc:
        ensure_launch_allowed(organization=org, on=DAY)
    assert exc.value.reason == NO_APPROVED_STRATEGY
    assert "no approved strategy" in str(exc.value.message)


def test_only_draft_or_in_review_strategy_is_not_enough(org):
    StrategyFactory(organization=org, status=Strategy.Status.DRAFT)
    StrategyFactory(organization=org, status=Strategy.Status.IN_REVIEW)
    with pytest.raises(LaunchBlocked) as exc:
        ensure_launch_allowed(organization=org, on=DAY)
    assert exc.value.reason == NO_APPROVED_STRATEGY


def test_period_not_covered(org):
    approved_strategy(org, start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31))
    with pytest.raises(LaunchBlocked) as exc:
        ensure_launch_allowed(organization=org, on=DAY)
    assert exc.value.reason == PERIOD_NOT_COVERED
    assert "does not cover" in str(exc.value.message)


def test_goal_and_pillar_required_when_asked(org):
    approved_strategy(org)
    with pytest.raises(LaunchBlocked) as exc:
        ensure_launch_allowed(organization=org, on=DAY, require_goal=True)
    assert exc.value.reason == GOAL_MISSING
    assert exc.value.fields == {"goal": [str(exc.value.message)]}
    with pytest.raises(LaunchBlocked) as exc:
        ensure_launch_allowed(organization=org, on=DAY, require_pillar=True)
    assert exc.value.reason == PILLAR_MISSING


def test_goal_or_pillar_of_another_strategy_is_refused(org, other_org):
    _current, goal, pillar = approved_strategy(org)
    _, old_goal, old_pillar = approved_strategy(org, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    _, foreign_goal, foreign_pillar = approved_strategy(other_org)
    for bad_goal in (old_goal, foreign_goal, foreign_goal.pk):
        with pytest.raises(LaunchBlocked) as exc:
            ensure_launch_allowed(organization=org, goal=bad_goal, pillar=pillar, on=DAY)
        assert exc.value.reason == GOAL_NOT_IN_STRATEGY
        assert "not part of the approved strategy" in str(exc.value.message)
    for bad_pillar in (old_pillar, foreign_pillar):
        with pytest.raises(LaunchBlocked) as exc:
            ensure_launch_allowed(organization=org, goal=goal, pillar=bad_pillar, on=DAY)
        assert exc.value.reason == PILLAR_NOT_IN_STRATEGY


def test_allowed_returns_the_current_strategy(org):
    strategy, goal, pillar = approved_strategy(org)
    assert ensure_launch_allowed(organization=org, goal=goal, pillar=pillar, on=DAY) == strategy
    assert ensure_launch_allowed(organization=org, goal=goal.pk, pillar=pillar.pk, on=DAY) == strategy
    assert current_strategy(organization=org, on=DAY) == strategy
    assert current_strategy(organization=org, on=dt.date(2026, 1, 1)) is None


def test_datetime_is_read_in_the_organization_timezone(org):
    approved_strategy(org, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
    # 22:30 UTC on 30 June is already 1 July in Moscow: outside the period.
    late = dt.datetime(2025, 6, 30, 22, 30, tzinfo=dt.UTC)
    with pytest.raises(LaunchBlocked) as exc:
        ensure_launch_allowed(organization=org, on=late)
    assert exc.value.reason == PERIOD_NOT_COVERED
