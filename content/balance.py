"""Plan balance for a period: how the planned posts split over the strategy's content pillars and
business objectives against the target shares, and which goals have no planned post.

- A pillar's target is its ``target_share`` (percent of posts); an objective's target is the sum of
  the target shares of the pillars with that objective (a pillar's business objective maps to the
  post objective that serves it: awareness → engagement, lower support load → loyalty).
- Actual share = posts of the pillar (objective) ÷ all posts of the period × 100, half up to two
  decimals (``core.numbers.ratio``); posts without a pillar count in the total and in a "no pillar" row.
- A warning is raised when an actual share is off its target by more than ``TOLERANCE`` percentage
  points, for each goal of the strategy that no planned post serves, and when nothing is planned."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from core.numbers import ratio
from strategy.launch_gate import current_strategy
from strategy.models import ContentPillar, Goal, Strategy
from tenancy.models import Organization

from .calendar import plan_posts
from .models import PostObjective

TOLERANCE = Decimal(10)
# Strategy (business) objective of a pillar → the post objective that serves it.
POST_OBJECTIVE_OF = {
    "awareness": PostObjective.ENGAGEMENT.value,
    "support_load": PostObjective.LOYALTY.value,
    "leads": PostObjective.LEAD_GENERATION.value,
    "sales": PostObjective.SALES.value,
    "loyalty": PostObjective.LOYALTY.value,
}


@dataclass
class ShareRow:
    key: str
    label: str
    posts: int
    share: Decimal | None
    target: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        if self.target is None:
            return None
        return (self.share or Decimal(0)) - self.target

    @property
    def off_target(self) -> bool:
        gap = self.gap
        return gap is not None and abs(gap) > TOLERANCE


@dataclass
class Balance:
    start: dt.date
    end: dt.date
    strategy: Strategy | None
    total: int
    pillars: list[ShareRow] = field(default_factory=list)
    objectives: list[ShareRow] = field(default_factory=list)
    goals_without_posts: list[Goal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _share(count: int, total: int) -> Decimal | None:
    return ratio(count, total, scale=100)


def plan_balance(*, organization: Organization, start: dt.date, end: dt.date) -> Balance:
    """The balance of the posts planned from `start` to `end` (local days) against the strategy
    that covers `start` (or, failing that, `end`). A fixed number of queries."""
    strategy = current_strategy(organization=organization, on=start) or current_strategy(
        organization=organization, on=end
    )
    posts = plan_posts(organization=organization, start=start, end=end).prefetch_related(None)
    counts = list(posts.values("pillar_id", "objective", "goal_id").annotate(n=Count("id")).order_by())
    total = sum(row["n"] for row in counts)
    result = Balance(start=start, end=end, strategy=strategy, total=total)
    by_pillar: dict[int | None, int] = {}
    by_objective: dict[str, int] = {}
    goals_served: set[int] = set()
    for row in counts:
        by_pillar[row["pillar_id"]] = by_pillar.get(row["pillar_id"], 0) + row["n"]
        by_objective[row["objective"]] = by_objective.get(row["objective"], 0) + row["n"]
        if row["goal_id"] is not None:
            goals_served.add(row["goal_id"])
    pillars = list(ContentPillar.objects.filter(organization=organization, strategy=strategy)) if strategy else []
    objective_targets: dict[str, Decimal] = {}
    for pillar in pillars:
        n = by_pillar.pop(pillar.pk, 0)
        target = Decimal(pillar.target_share)
        result.pillars.append(ShareRow(str(pillar.pk), pillar.name, n, _share(n, total), target))
        objective = POST_OBJECTIVE_OF.get(pillar.objective, pillar.objective)
        objective_targets[objective] = objective_targets.get(objective, Decimal(0)) + target
    other = sum(by_pillar.values())  # no pillar, or a pillar of another strategy
    if other:
        result.pillars.append(ShareRow("", _("No pillar of the strategy"), other, _share(other, total), None))
    for objective in PostObjective:
        n = by_objective.get(objective.value, 0)
        goal_share = objective_targets.get(objective.value, Decimal(0) if strategy else None)
        if n or goal_share:
            result.objectives.append(ShareRow(objective.value, str(objective.label), n, _share(n, total), goal_share))
    if strategy is not None:
        goals = Goal.objects.filter(organization=organization, strategy=strategy).order_by("id")
        result.goals_without_posts = [g for g in goals if g.pk not in goals_served]
    result.warnings = _warnings(result)
    return result


def _warnings(balance: Balance) -> list[str]:
    if balance.strategy is None:
        return [_("No approved strategy covers this period: the plan cannot be checked against targets.")]
    if balance.total == 0:
        return [_("Nothing is planned for this period.")]
    pillar_text = _("Pillar «%(name)s»: %(share)s%% of posts against a target of %(target)s%%.")
    objective_text = _("Objective «%(name)s»: %(share)s%% of posts against a target of %(target)s%%.")
    warnings = [
        text % {"name": row.label, "share": row.share or 0, "target": row.target}
        for text, rows in ((pillar_text, balance.pillars), (objective_text, balance.objectives))
        for row in rows
        if row.off_target
    ]
    warnings += [
        _("Goal «%(goal)s» has no planned post in this period.") % {"goal": goal.label}
        for goal in balance.goals_without_posts
    ]
    return warnings
