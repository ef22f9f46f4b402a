"""The launch gate: nothing is scheduled, published or launched without an approved, current strategy.

Other apps call this from their services (so the API and the UI obey the same rule):

    from strategy.launch_gate import ensure_launch_allowed
    strategy = ensure_launch_allowed(organization=org, goal=post.goal, pillar=post.pillar, on=post.scheduled_at)

`LaunchBlocked` is a `DomainError` (→ HTTP 400 / a form error) whose message names what is missing.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import DomainError
from tenancy.models import Organization

from .models import ContentPillar, Goal, Strategy


class LaunchBlocked(DomainError):
    code = "launch_blocked"

    def __init__(self, message, *, reason: str, field: str | None = None):
        super().__init__(message, field=field)
        self.reason = reason


# Refusal reasons (stable keys for callers and tests).
NO_APPROVED_STRATEGY = "no_approved_strategy"
PERIOD_NOT_COVERED = "period_not_covered"
GOAL_MISSING = "goal_missing"
GOAL_NOT_IN_STRATEGY = "goal_not_in_strategy"
PILLAR_MISSING = "pillar_missing"
PILLAR_NOT_IN_STRATEGY = "pillar_not_in_strategy"


def _local_date(organization: Organization, on: date | datetime | None) -> date:
    """The organization's local calendar day for `on` (default: now)."""
    if on is None:
        return timezone.localtime(timezone.now(), organization.tzinfo).date()
    if isinstance(on, datetime):
        if timezone.is_naive(on):
            on = timezone.make_aware(on, organization.tzinfo)
        return timezone.localtime(on, organization.tzinfo).date()
    return on


def current_strategy(*, organization: Organization, on: date | datetime | None = None) -> Strategy | None:
    """The approved strategy whose period covers `on` (the organization's local day), or None."""
    day = _local_date(organization, on)
    return (
        Strategy.objects.filter(
            organization=organization,
            status=Strategy.Status.APPROVED,
            period_start__lte=day,
            period_end__gte=day,
        )
        .order_by("-version")
        .first()
    )


def _fmt(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def ensure_launch_allowed(
    *,
    organization: Organization,
    goal: Goal | int | None = None,
    pillar: ContentPillar | int | None = None,
    on: date | datetime | None = None,
    require_goal: bool = False,
    require_pillar: bool = False,
) -> Strategy:
    """The approved strategy covering `on`, or `LaunchBlocked` naming what is missing.

    `goal`/`pillar` (instances or ids) must belong to that strategy. Content passes
    `require_goal=require_pillar=True` because every post must serve a goal through a pillar.
    """
    day = _local_date(organization, on)
    strategy = current_strategy(organization=organization, on=day)
    if strategy is None:
        approved = (
            Strategy.objects.filter(organization=organization, status=Strategy.Status.APPROVED)
            .order_by("-period_start")
            .first()
        )
        if approved is None:
            raise LaunchBlocked(
                _("There is no approved strategy. Write a strategy and have the owner approve it before launching."),
                reason=NO_APPROVED_STRATEGY,
            )
        raise LaunchBlocked(
            _(
                "The approved strategy covers %(start)s to %(end)s and does not cover %(day)s. "
                "Approve a strategy for that period first."
            )
            % {"start": _fmt(approved.period_start), "end": _fmt(approved.period_end), "day": _fmt(day)},
            reason=PERIOD_NOT_COVERED,
        )

    if goal is None:
        if require_goal:
            raise LaunchBlocked(
                _("Choose which goal of the approved strategy this serves."), reason=GOAL_MISSING, field="goal"
            )
    else:
        goal_id = goal if isinstance(goal, int) else goal.pk
        if not Goal.objects.filter(organization=organization, strategy=strategy, pk=goal_id).exists():
            raise LaunchBlocked(
                _("The goal is not part of the approved strategy “%(strategy)s”. Choose one of its goals.")
                % {"strategy": strategy},
                reason=GOAL_NOT_IN_STRATEGY,
                field="goal",
            )

    if pillar is None:
        if require_pillar:
            raise LaunchBlocked(
                _("Choose which content pillar of the approved strategy this belongs to."),
                reason=PILLAR_MISSING,
                field="pillar",
            )
    else:
        pillar_id = pillar if isinstance(pillar, int) else pillar.pk
        if not ContentPillar.objects.filter(organization=organization, strategy=strategy, pk=pillar_id).exists():
            raise LaunchBlocked(
                _("The content pillar is not part of the approved strategy “%(strategy)s”. Choose one of its pillars.")
                % {"strategy": strategy},
                reason=PILLAR_NOT_IN_STRATEGY,
                field="pillar",
            )
    return strategy
