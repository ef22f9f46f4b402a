"""Whether a strategy is complete enough to submit and approve — a pure function over loaded rows.

Used by the submit/approve services (which refuse on problems) and by the review page (which
shows the same list before the owner clicks), so the rule lives in one place.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import ContentPillar, Goal, PlatformChoice, Strategy

MAX_KEY_PLATFORMS = 2
WARN_OVER_PLATFORMS = 3
REQUIRED_SHARE_TOTAL = 100


@dataclass(frozen=True)
class Issue:
    step: str  # editor step where it is fixed: goals / platforms / positioning / pillars
    message: str


@dataclass(frozen=True)
class StrategyChecks:
    problems: list[Issue] = field(default_factory=list)  # block submit/approval
    warnings: list[Issue] = field(default_factory=list)  # shown, do not block
    share_total: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        return [p.message for p in self.problems]


def platform_warnings(platforms: list[PlatformChoice]) -> list[Issue]:
    if len(platforms) > WARN_OVER_PLATFORMS:
        return [
            Issue(
                "platforms",
                _(
                    "The strategy spreads over %(n)d platforms. Focus beats presence: 1-2 key platforms "
                    "and at most %(max)d in total usually work better."
                )
                % {"n": len(platforms), "max": WARN_OVER_PLATFORMS},
            )
        ]
    return []


def strategy_checks(
    strategy: Strategy,
    *,
    goals: list[Goal],
    platforms: list[PlatformChoice],
    pillars: list[ContentPillar],
    pillar_goal_ids: dict[int, set[int]],
) -> StrategyChecks:
    """`pillar_goal_ids` maps pillar id → ids of the goals it serves."""
    problems: list[Issue] = []
    if not goals:
        problems.append(Issue("goals", _("Add at least one measurable goal.")))
    key = [p for p in platforms if p.role == PlatformChoice.Role.KEY]
    if not key:
        problems.append(Issue("platforms", _("Choose at least one key platform.")))
    if len(key) > MAX_KEY_PLATFORMS:
        problems.append(
            Issue("platforms", _("At most %(max)d key platforms are allowed.") % {"max": MAX_KEY_PLATFORMS})
        )
    if not strategy.positioning_statement.strip():
        problems.append(Issue("positioning", _("Write the positioning statement.")))
    total = sum(p.target_share for p in pillars)
    if not pillars:
        problems.append(Issue("pillars", _("Add content pillars.")))
    elif total != REQUIRED_SHARE_TOTAL:
        problems.append(
            Issue(
                "pillars",
                _("Content pillar shares must sum to 100%% (now %(total)d%%).") % {"total": total},
            )
        )
    served = set().union(*pillar_goal_ids.values()) if pillar_goal_ids else set()
    problems.extend(
        Issue("pillars", _("Goal “%(goal)s” is not served by any content pillar.") % {"goal": goal})
        for goal in goals
        if goal.pk not in served
    )
    return StrategyChecks(problems=problems, warnings=platform_warnings(platforms), share_total=total)
