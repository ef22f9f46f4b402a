"""The plan inside a strategy: goals, key platform choices, content pillars and their goals.
Every change locks the strategy and requires it to be a draft."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Final, TypedDict, Unpack

from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import check_date_in_range
from core.errors import Conflict, DomainError
from core.kpis import OBJECTIVE_LABELS, Objective, Unit, kpi_get
from core.services import fields_of, model_update
from core.vocabulary import PostFormat, SocialPlatform
from tenancy.access import Access

from ..checks import MAX_KEY_PLATFORMS
from ..models import (
    ContentPillar,
    Goal,
    PillarGoal,
    PlatformChoice,
    Strategy,
)
from ._common import (
    _delete_from_draft,
    _editable_strategy,
    _fmt,
    _get,
    _validate_platforms,
)

# --- goals ---------------------------------------------------------------------------------------


class GoalData(TypedDict, total=False):
    title: str
    objective: str
    kpi: str
    baseline: Decimal | None
    target: Decimal | None
    unit: str
    deadline: dt.date | None
    platform: str


GOAL_FIELDS: Final = fields_of(GoalData)


def _decimal(value: object, field: str, label: str) -> Decimal:
    if value is None or value == "":
        raise DomainError(_("A goal needs a numeric %(what)s.") % {"what": label}, field=field)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Enter a number."), field=field) from exc
    if not number.is_finite():
        raise DomainError(_("Enter a number."), field=field)
    return number


def _validate_goal(goal: Goal, strategy: Strategy) -> None:
    if goal.objective not in {o.value for o in Objective}:
        raise DomainError(_("Choose a business objective."), field="objective")
    kpi = kpi_get(goal.kpi or "")
    if kpi is None:
        raise DomainError(_("Choose a KPI from the catalog."), field="kpi")
    if not kpi.fits(goal.objective):
        raise DomainError(
            _("“%(kpi)s” does not measure %(objective)s. Choose a KPI that fits the objective.")
            % {"kpi": kpi.name, "objective": str(OBJECTIVE_LABELS[Objective(goal.objective)]).lower()},
            field="kpi",
        )
    goal.baseline = _decimal(goal.baseline, "baseline", _("baseline"))
    goal.target = _decimal(goal.target, "target", _("target"))
    if goal.deadline is None:
        raise DomainError(_("A goal needs a deadline."), field="deadline")
    if goal.target == goal.baseline:
        raise DomainError(_("The target must differ from the baseline."), field="target")
    if kpi.higher_is_better and goal.target < goal.baseline:
        raise DomainError(
            _("For %(kpi)s higher is better: set a target above the baseline.") % {"kpi": kpi.name}, field="target"
        )
    if not kpi.higher_is_better and goal.target > goal.baseline:
        raise DomainError(
            _("For %(kpi)s lower is better: set a target below the baseline.") % {"kpi": kpi.name}, field="target"
        )
    check_date_in_range(goal.deadline, field="deadline")
    if goal.deadline <= strategy.period_start or goal.deadline > strategy.period_end:
        raise DomainError(
            _("The deadline must fall within the strategy period (%(start)s to %(end)s).")
            % {"start": _fmt(strategy.period_start), "end": _fmt(strategy.period_end)},
            field="deadline",
        )
    if goal.platform:
        _validate_platforms([goal.platform], "platform")
    if not goal.unit:
        goal.unit = strategy.organization.currency if kpi.unit == Unit.MONEY else str(kpi.unit)


@transaction.atomic
def goal_create(*, access: Access, strategy: Strategy | int, **data: Unpack[GoalData]) -> Goal:
    parent = _editable_strategy(access, strategy)
    goal = Goal(organization=access.organization, strategy=parent)
    return _goal_save(goal, parent, data)


@transaction.atomic
def goal_update(*, access: Access, goal: Goal | int, **data: Unpack[GoalData]) -> Goal:
    row = _get(Goal, access, goal)
    parent = _editable_strategy(access, row.strategy_id)
    if "kpi" in data and "unit" not in data:
        data["unit"] = ""  # the new KPI's unit, filled in by the validation
    return _goal_save(row, parent, data)


def _goal_save(goal: Goal, strategy: Strategy, data: GoalData) -> Goal:
    return model_update(
        instance=goal,
        data=data,
        fields=GOAL_FIELDS,
        exclude=["organization", "strategy"],
        validate=lambda g: _validate_goal(g, strategy),
    )[0]


@transaction.atomic
def goal_delete(*, access: Access, goal: Goal | int) -> None:
    _delete_from_draft(access, Goal, goal)


# --- platforms -----------------------------------------------------------------------------------


def _validate_platform_choice(choice: PlatformChoice) -> None:
    if choice.platform not in SocialPlatform.values:
        raise DomainError(_("Choose a platform."), field="platform")
    if choice.role not in PlatformChoice.Role.values:
        raise DomainError(_("Choose key or secondary."), field="role")
    if not (choice.rationale or "").strip():
        raise DomainError(
            _("Explain why this platform: where is the audience, what will it do here?"), field="rationale"
        )
    duplicate = PlatformChoice.objects.filter(
        organization_id=choice.organization_id, strategy_id=choice.strategy_id, platform=choice.platform
    ).exclude(pk=choice.pk)
    if duplicate.exists():
        raise Conflict(_("This platform is already in the strategy."), field="platform")
    if choice.role == PlatformChoice.Role.KEY:
        other_keys = (
            PlatformChoice.objects.filter(
                organization_id=choice.organization_id, strategy_id=choice.strategy_id, role=PlatformChoice.Role.KEY
            )
            .exclude(pk=choice.pk)
            .count()
        )
        if other_keys >= MAX_KEY_PLATFORMS:
            raise DomainError(
                _("At most %(max)d key platforms: focus where your audience is. Make this one secondary.")
                % {"max": MAX_KEY_PLATFORMS},
                field="role",
            )


class PlatformChoiceData(TypedDict, total=False):
    platform: str
    role: str
    rationale: str


PLATFORM_CHOICE_FIELDS: Final = fields_of(PlatformChoiceData)


def _platform_choice_save(choice: PlatformChoice, data: PlatformChoiceData) -> PlatformChoice:
    return model_update(
        instance=choice,
        data=data,
        fields=PLATFORM_CHOICE_FIELDS,
        exclude=["organization", "strategy"],
        validate=_validate_platform_choice,
    )[0]


@transaction.atomic
def platform_choice_create(
    *, access: Access, strategy: Strategy | int, platform: str, role: str = PlatformChoice.Role.KEY, rationale: str = ""
) -> PlatformChoice:
    parent = _editable_strategy(access, strategy)
    choice = PlatformChoice(organization=access.organization, strategy=parent)
    return _platform_choice_save(choice, {"platform": platform, "role": role, "rationale": rationale.strip()})


@transaction.atomic
def platform_choice_update(
    *, access: Access, choice: PlatformChoice | int, **data: Unpack[PlatformChoiceData]
) -> PlatformChoice:
    row = _get(PlatformChoice, access, choice)
    _editable_strategy(access, row.strategy_id)
    return _platform_choice_save(row, data)


@transaction.atomic
def platform_choice_delete(*, access: Access, choice: PlatformChoice | int) -> None:
    _delete_from_draft(access, PlatformChoice, choice)


# --- content pillars -----------------------------------------------------------------------------


class PillarData(TypedDict, total=False):
    name: str
    description: str
    objective: str
    funnel_stage: str
    target_share: int | None
    formats: list[str]


PILLAR_FIELDS: Final = fields_of(PillarData)


def _validate_formats(formats: Iterable[str] | None) -> list[str]:
    formats = list(formats or [])
    bad = [f for f in formats if f not in PostFormat.values]
    if bad:
        raise DomainError(_("Unknown format: %(f)s") % {"f": ", ".join(map(str, bad))}, field="formats")
    return formats


def _validate_pillar(pillar: ContentPillar) -> None:
    pillar.formats = _validate_formats(pillar.formats)


def _set_pillar_goals(access: Access, pillar: ContentPillar, goals: Iterable[Goal | int]) -> None:
    ids = {g if isinstance(g, int) else g.pk for g in goals}
    valid = set(
        Goal.objects.filter(organization=access.organization, strategy_id=pillar.strategy_id, pk__in=ids).values_list(
            "pk", flat=True
        )
    )
    if valid != ids:
        raise DomainError(_("Choose goals of this strategy."), field="goals")
    PillarGoal.objects.filter(organization=access.organization, pillar=pillar).exclude(goal_id__in=ids).delete()
    existing = set(
        PillarGoal.objects.filter(organization=access.organization, pillar=pillar).values_list("goal_id", flat=True)
    )
    PillarGoal.objects.bulk_create(
        [PillarGoal(organization=access.organization, pillar=pillar, goal_id=g) for g in sorted(ids - existing)]
    )


def _pillar_save(pillar: ContentPillar, data: PillarData) -> ContentPillar:
    return model_update(
        instance=pillar,
        data=data,
        fields=PILLAR_FIELDS,
        exclude=["organization", "strategy"],
        validate=_validate_pillar,
    )[0]


@transaction.atomic
def content_pillar_create(
    *, access: Access, strategy: Strategy | int, goals: Iterable[Goal | int] = (), **data: Unpack[PillarData]
) -> ContentPillar:
    parent = _editable_strategy(access, strategy)
    pillar = _pillar_save(ContentPillar(organization=access.organization, strategy=parent), data)
    _set_pillar_goals(access, pillar, goals)
    return pillar


@transaction.atomic
def content_pillar_update(
    *,
    access: Access,
    pillar: ContentPillar | int,
    goals: Iterable[Goal | int] | None = None,
    **data: Unpack[PillarData],
) -> ContentPillar:
    row = _get(ContentPillar, access, pillar)
    _editable_strategy(access, row.strategy_id)
    _pillar_save(row, data)
    if goals is not None:
        _set_pillar_goals(access, row, goals)
    return row


@transaction.atomic
def content_pillar_delete(*, access: Access, pillar: ContentPillar | int) -> None:
    _delete_from_draft(access, ContentPillar, pillar)
