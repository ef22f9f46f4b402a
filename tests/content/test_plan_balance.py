"""Plan balance: shares per pillar and objective against the targets, goals without posts, the
warnings — checked against an independent count of the same posts."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from content.balance import plan_balance
from strategy.models import Goal
from tests.strategy.factories import ContentPillarFactory, GoalFactory

from .calendar_support import draft_on, next_month_day, scheduled_on
from .test_launch_gate import this_year

pytestmark = pytest.mark.django_db


def _pct(n, total):
    return (Decimal(n) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_shares_targets_and_warnings_are_exact(org, owner_access):
    strategy, goal, pillar_a = this_year(org)  # pillar A: objective leads, target 100 → set to 50
    pillar_a.target_share = 50
    pillar_a.save()
    pillar_b = ContentPillarFactory(strategy=strategy, objective="awareness", target_share=30)
    pillar_c = ContentPillarFactory(strategy=strategy, objective="loyalty", target_share=20)
    idle_goal = GoalFactory(strategy=strategy, title="Цель без постов", deadline=strategy.period_end)
    start = next_month_day(org, 1)
    end = start + dt.timedelta(days=6)
    plan = [  # (pillar, objective, goal)
        (pillar_a, "lead_generation", goal),
        (pillar_a, "lead_generation", goal),
        (pillar_a, "sales", goal),
        (pillar_b, "engagement", None),
        (pillar_b, "engagement", None),
        (pillar_b, "engagement", None),
        (None, "loyalty", None),
    ]
    for i, (pillar, objective, g) in enumerate(plan):
        day = start + dt.timedelta(days=i % 7)
        if pillar is pillar_a:
            scheduled_on(owner_access, day, goal=g, pillar=pillar, objective=objective, title=f"p{i}")
        else:
            draft_on(owner_access, day, objective=objective, pillar=pillar, title=f"p{i}")
    draft_on(owner_access, end + dt.timedelta(days=1), pillar=pillar_c, title="outside")  # not in the period

    balance = plan_balance(organization=org, start=start, end=end)

    total = len(plan)
    assert balance.total == total
    expected_pillars = {
        pillar_a.name: (3, _pct(3, total), Decimal(50)),
        pillar_b.name: (3, _pct(3, total), Decimal(30)),
        pillar_c.name: (0, _pct(0, total), Decimal(20)),
    }
    got = {row.label: (row.posts, row.share, row.target) for row in balance.pillars if row.key}
    assert got == expected_pillars
    (no_pillar,) = [row for row in balance.pillars if not row.key]
    assert (no_pillar.posts, no_pillar.share, no_pillar.target) == (1, _pct(1, total), None)
    objectives = {row.key: (row.posts, row.share, row.target) for row in balance.objectives}
    assert objectives == {
        "lead_generation": (2, _pct(2, total), Decimal(50)),
        "sales": (1, _pct(1, total), Decimal(0)),
        "engagement": (3, _pct(3, total), Decimal(30)),  # awareness pillar → engagement posts
        "loyalty": (1, _pct(1, total), Decimal(20)),
    }
    assert [g.pk for g in balance.goals_without_posts] == [idle_goal.pk]
    # Off by more than 10 points: pillar C (0 vs 20), leads (28.57 vs 50), sales (14.29 vs 0).
    # Pillar A is 42.86 vs 50 and B 42.86 vs 30 (12.86 off), engagement 42.86 vs 30.
    text = "\n".join(balance.warnings)
    assert pillar_c.name in text
    assert pillar_b.name in text
    assert pillar_a.name not in text
    assert "Lead generation" in text
    assert "Sales" in text
    assert "Цель без постов" in text
    assert Goal.objects.filter(strategy=strategy).count() == 2


def test_without_strategy_or_posts_the_warning_says_so(org, owner_access):
    day = next_month_day(org)
    assert "No approved strategy" in plan_balance(organization=org, start=day, end=day).warnings[0]
    this_year(org)
    balance = plan_balance(organization=org, start=day, end=day)
    assert balance.total == 0
    assert balance.warnings == ["Nothing is planned for this period."]


def test_the_calendar_shows_the_warnings(owner_web, org, owner_access):
    strategy, goal, pillar = this_year(org)
    GoalFactory(strategy=strategy, title="Забытая цель", deadline=strategy.period_end)
    day = next_month_day(org)
    scheduled_on(owner_access, day, goal=goal, pillar=pillar)
    html = owner_web.get(f"/o/{org.slug}/content/calendar/?date={day.isoformat()}").content.decode()
    assert "Забытая цель" in html
    assert "has no planned post" in html


def test_shares_match_pandas_on_a_generated_plan(org, owner_access):
    """A random week of drafts over three pillars (and none), recounted with pandas from the rows."""
    import random

    import pandas as pd

    from content.balance import POST_OBJECTIVE_OF

    rng = random.Random(5)
    strategy, _goal, pillar_a = this_year(org)
    pillar_a.target_share = 40
    pillar_a.save()
    pillars = [
        pillar_a,
        ContentPillarFactory(strategy=strategy, objective="awareness", target_share=35),
        ContentPillarFactory(strategy=strategy, objective="loyalty", target_share=25),
        None,
    ]
    start = next_month_day(org, 1)
    end = start + dt.timedelta(days=6)
    rows = []
    for i in range(37):
        pillar = rng.choice(pillars)
        objective = rng.choice(["engagement", "loyalty", "lead_generation", "sales"])
        day = start + dt.timedelta(days=rng.randint(-2, 8))  # some fall outside the week
        fields = (
            {"cta_type": "sign_up", "cta_url": "https://zerno.example/x"}
            if objective in ("lead_generation", "sales")
            else {}
        )
        draft_on(owner_access, day, objective=objective, pillar=pillar, title=f"g{i}", **fields)
        rows.append({"pillar": pillar.pk if pillar else None, "objective": objective, "day": day})
    frame = pd.DataFrame(rows)
    week = frame[(frame["day"] >= start) & (frame["day"] <= end)]
    total = len(week)

    balance = plan_balance(organization=org, start=start, end=end)

    assert balance.total == total
    counts = week["pillar"].value_counts(dropna=False)
    for row in balance.pillars:
        n = int(week["pillar"].isna().sum()) if not row.key else int(counts.get(float(row.key), 0))
        assert (row.posts, row.share) == (n, _pct(n, total)), row.label
    targets = {}
    for pillar in pillars[:3]:
        objective = POST_OBJECTIVE_OF[pillar.objective]
        targets[objective] = targets.get(objective, Decimal(0)) + Decimal(pillar.target_share)
    by_objective = week["objective"].value_counts()
    got = {row.key: (row.posts, row.share, row.target) for row in balance.objectives}
    expected = {
        o: (int(by_objective.get(o, 0)), _pct(int(by_objective.get(o, 0)), total), targets.get(o, Decimal(0)))
        for o in ["engagement", "lead_generation", "sales", "loyalty"]
        if by_objective.get(o, 0) or targets.get(o)
    }
    assert got == expected
