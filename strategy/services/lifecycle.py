"""The strategy document and its lifecycle: create, update, submit, approve, return to draft,
archive, delete, new version and copy for another period, with the approval rules.

Lifecycle: draft → in_review → approved → archived. Only drafts change. Editing an approved (or
archived / in-review) strategy goes through `strategy_new_version`, which copies it into the next
draft version; approving that version archives the one it replaces.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Final, TypedDict, Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import check_date_in_range
from core.errors import Conflict, DomainError
from core.services import fields_of, model_update
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.roles import Perm
from tenancy.services import audit_log_record

from ..models import (
    Competitor,
    ContentPillar,
    Goal,
    PillarGoal,
    PlatformChoice,
    Strategy,
    StrategyCompetitor,
)
from ..selectors import strategy_checks_for
from ._common import (
    _delete,
    _editable_strategy,
    _fmt,
    _get,
    _locked_strategy,
)

# --- the strategy document ----------------------------------------------------------------------


class StrategyData(TypedDict, total=False):
    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    positioning_statement: str
    differentiators: str
    tone_guidelines: str
    words_to_use: str
    words_to_avoid: str


STRATEGY_FIELDS: Final = fields_of(StrategyData)


def _check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start is None or end is None:
        raise DomainError(_("Give the strategy a period: start and end dates."), field="period_end")
    check_date_in_range(start, field="period_start")
    check_date_in_range(end, field="period_end")
    if end <= start:
        raise DomainError(_("The period must end after it starts."), field="period_end")


def _set_competitors(access: Access, strategy: Strategy, competitor_ids: Iterable[Competitor | int]) -> None:
    ids = {c if isinstance(c, int) else c.pk for c in competitor_ids}
    found = set(Competitor.objects.filter(organization=access.organization, pk__in=ids).values_list("pk", flat=True))
    if found != ids:
        raise DomainError(_("Choose competitors from your analysis."), field="competitors")
    StrategyCompetitor.objects.filter(organization=access.organization, strategy=strategy).exclude(
        competitor_id__in=ids
    ).delete()
    existing = set(
        StrategyCompetitor.objects.filter(organization=access.organization, strategy=strategy).values_list(
            "competitor_id", flat=True
        )
    )
    StrategyCompetitor.objects.bulk_create(
        [
            StrategyCompetitor(organization=access.organization, strategy=strategy, competitor_id=pk)
            for pk in sorted(ids - existing)
        ]
    )


def _validate_strategy(strategy: Strategy, *, title_given: bool = True) -> None:
    if title_given and not (strategy.title or "").strip():
        raise DomainError(_("Give the strategy a title."), field="title")
    _check_period(strategy.period_start, strategy.period_end)


@transaction.atomic
def strategy_create(
    *, access: Access, competitors: Iterable[Competitor | int] | None = None, **data: Unpack[StrategyData]
) -> Strategy:
    access.require(Perm.WRITE)
    strategy = Strategy(organization=access.organization, created_by=access.user, status=Strategy.Status.DRAFT)
    model_update(instance=strategy, data=data, fields=STRATEGY_FIELDS, validate=_validate_strategy)
    if competitors is not None:
        _set_competitors(access, strategy, competitors)
    audit_log_record(access=access, action="strategy.create", obj=strategy)
    return strategy


@transaction.atomic
def strategy_update(
    *,
    access: Access,
    strategy: Strategy | int,
    competitors: Iterable[Competitor | int] | None = None,
    **data: Unpack[StrategyData],
) -> Strategy:
    """Changes a draft. For an approved/archived strategy the change goes into its next draft
    version (created on first edit), which is returned — the approved text never changes."""
    access.require(Perm.WRITE)
    current = _locked_strategy(access, strategy)
    if current.status in (Strategy.Status.APPROVED, Strategy.Status.ARCHIVED):
        current = strategy_new_version(access=access, strategy=current)
    target = _editable_strategy(access, current)
    model_update(
        instance=target,
        data=data,
        fields=STRATEGY_FIELDS,
        validate=lambda s: _validate_strategy(s, title_given="title" in data),
    )
    if competitors is not None:
        _set_competitors(access, target, competitors)
    return target


@transaction.atomic
def strategy_delete(*, access: Access, strategy: Strategy | int) -> None:
    obj = _editable_strategy(access, strategy)
    audit_log_record(access=access, action="strategy.delete", obj=obj)
    _delete(obj)


def _copy_children(access: Access, source: Strategy, target: Strategy) -> None:
    org = access.organization
    goal_map: dict[int, Goal] = {}
    for goal in Goal.objects.filter(organization=org, strategy=source).order_by("id"):
        old_pk = goal.pk
        goal.pk = None
        goal.strategy = target
        goal.save()
        goal_map[old_pk] = goal
    PlatformChoice.objects.bulk_create(
        [
            PlatformChoice(organization=org, strategy=target, platform=p.platform, role=p.role, rationale=p.rationale)
            for p in PlatformChoice.objects.filter(organization=org, strategy=source)
        ]
    )
    links = list(
        PillarGoal.objects.filter(organization=org, pillar__strategy=source).values_list("pillar_id", "goal_id")
    )
    for pillar in ContentPillar.objects.filter(organization=org, strategy=source).order_by("id"):
        old_pk = pillar.pk
        pillar.pk = None
        pillar.strategy = target
        pillar.save()
        PillarGoal.objects.bulk_create(
            [
                PillarGoal(organization=org, pillar=pillar, goal=goal_map[goal_id])
                for pillar_id, goal_id in links
                if pillar_id == old_pk and goal_id in goal_map
            ]
        )
    StrategyCompetitor.objects.bulk_create(
        [
            StrategyCompetitor(organization=org, strategy=target, competitor_id=c)
            for c in StrategyCompetitor.objects.filter(organization=org, strategy=source).values_list(
                "competitor_id", flat=True
            )
        ]
    )


@transaction.atomic
def strategy_new_version(*, access: Access, strategy: Strategy | int) -> Strategy:
    """The next draft version of a strategy (a copy of everything), or the open one if it exists."""
    access.require(Perm.WRITE)
    source = _locked_strategy(access, strategy)
    if source.status == Strategy.Status.DRAFT:
        return source
    existing = (
        Strategy.objects.filter(organization=access.organization, previous=source)
        .filter(status__in=[Strategy.Status.DRAFT, Strategy.Status.IN_REVIEW])
        .first()
    )
    if existing is not None:
        return existing
    draft = Strategy.objects.create(
        organization=access.organization,
        title=source.title,
        version=source.version + 1,
        previous=source,
        period_start=source.period_start,
        period_end=source.period_end,
        status=Strategy.Status.DRAFT,
        positioning_statement=source.positioning_statement,
        differentiators=source.differentiators,
        tone_guidelines=source.tone_guidelines,
        words_to_use=source.words_to_use,
        words_to_avoid=source.words_to_avoid,
        created_by=access.user,
    )
    _copy_children(access, source, draft)
    audit_log_record(
        access=access, action="strategy.new_version", obj=draft, changes={"from": source.pk, "version": draft.version}
    )
    return draft


@transaction.atomic
def strategy_copy_for_period(
    *, access: Access, strategy: Strategy | int, title: str, period_start: dt.date, period_end: dt.date
) -> Strategy:
    """A new draft for another period, starting from a copy of `strategy` (goals need new deadlines)."""
    access.require(Perm.WRITE)
    source = _get(Strategy, access, strategy)
    draft = strategy_create(
        access=access,
        title=title,
        period_start=period_start,
        period_end=period_end,
        positioning_statement=source.positioning_statement,
        differentiators=source.differentiators,
        tone_guidelines=source.tone_guidelines,
        words_to_use=source.words_to_use,
        words_to_avoid=source.words_to_avoid,
    )
    _copy_children(access, source, draft)
    # Deadlines of the copied goals move to the end of the new period.
    Goal.objects.filter(organization=access.organization, strategy=draft).update(deadline=period_end)
    return draft


def _refuse_if_incomplete(strategy: Strategy, *, action: str) -> None:
    checks = strategy_checks_for(strategy)
    if checks.problems:
        if action == "submit":
            intro = _("The strategy cannot be submitted yet:")
        else:
            intro = _("The strategy cannot be approved:")
        fields: dict[str, list[str]] = {}
        for issue in checks.problems:
            fields.setdefault(issue.step, []).append(issue.message)
        raise DomainError(" ".join([intro, *checks.messages()]), fields=fields)


@transaction.atomic
def strategy_submit(*, access: Access, strategy: Strategy | int) -> Strategy:
    obj = _editable_strategy(access, strategy)
    _refuse_if_incomplete(obj, action="submit")
    obj.status = Strategy.Status.IN_REVIEW
    obj.submitted_at = timezone.now()
    obj.review_comment = ""
    obj.save(update_fields=["status", "submitted_at", "review_comment", "updated_at"])
    audit_log_record(access=access, action="strategy.submit", obj=obj)
    return obj


def can_return_to_draft(access: Access) -> bool:
    """The reviewer (`approve`, the client included) asks for changes, or an author (`write`) withdraws."""
    return access.can(Perm.WRITE) or access.can(Perm.APPROVE)


def can_archive(access: Access) -> bool:
    """Archiving stops scheduling and launches: it needs `approve` and `write` (a client may not)."""
    return access.can(Perm.APPROVE) and access.can(Perm.WRITE)


@transaction.atomic
def strategy_return_to_draft(*, access: Access, strategy: Strategy | int, comment: str = "") -> Strategy:
    """The reviewer asks for changes, or the author withdraws the submission."""
    if not can_return_to_draft(access):
        access.require(Perm.APPROVE)  # neither reviewer nor author: the usual permission error
    obj = _locked_strategy(access, strategy)
    if obj.status != Strategy.Status.IN_REVIEW:
        raise Conflict(_("Only a strategy in review can be returned to draft."))
    obj.status = Strategy.Status.DRAFT
    obj.review_comment = comment.strip()
    obj.save(update_fields=["status", "review_comment", "updated_at"])
    audit_log_record(access=access, action="strategy.return_to_draft", obj=obj, changes={"comment": obj.review_comment})
    return obj


@transaction.atomic
def strategy_approve(*, access: Access, strategy: Strategy | int) -> Strategy:
    """Approval by an owner, admin or client (`approve`). Refuses an incomplete strategy (naming the
    gaps) and a period that overlaps another approved strategy; archives the version this one replaces."""
    access.require(Perm.APPROVE)
    # Serialise approvals per organization: the overlap check below must see committed rows only.
    Organization.objects.select_for_update().filter(pk=access.organization.pk).first()
    obj = _locked_strategy(access, strategy)
    if obj.status == Strategy.Status.DRAFT:
        raise Conflict(_("Submit the strategy for review before approving it."))
    if obj.status != Strategy.Status.IN_REVIEW:
        raise Conflict(_("Only a strategy in review can be approved."))
    _refuse_if_incomplete(obj, action="approve")
    overlapping = (
        Strategy.objects.for_organization(access.organization)
        .select_for_update()
        .filter(
            status=Strategy.Status.APPROVED,
            period_start__lte=obj.period_end,
            period_end__gte=obj.period_start,
        )
        .exclude(pk=obj.pk)
    )
    replaced = None
    for other in overlapping:
        if other.pk == obj.previous_id:
            replaced = other
            continue
        raise Conflict(
            _("“%(other)s” is already approved for %(start)s to %(end)s, which overlaps this period.")
            % {"other": other, "start": _fmt(other.period_start), "end": _fmt(other.period_end)},
            field="period_start",
        )
    now = timezone.now()
    if replaced is not None:
        replaced.status = Strategy.Status.ARCHIVED
        replaced.archived_at = now
        replaced.save(update_fields=["status", "archived_at", "updated_at"])
        audit_log_record(access=access, action="strategy.archive", obj=replaced, changes={"replaced_by": obj.pk})
    obj.status = Strategy.Status.APPROVED
    obj.approved_by = access.user
    obj.approved_at = now
    obj.review_comment = ""
    obj.save(update_fields=["status", "approved_by", "approved_at", "review_comment", "updated_at"])
    audit_log_record(
        access=access,
        action="strategy.approve",
        obj=obj,
        changes={"version": obj.version, "period": [str(obj.period_start), str(obj.period_end)]},
    )
    return obj


@transaction.atomic
def strategy_archive(*, access: Access, strategy: Strategy | int) -> Strategy:
    access.require(Perm.APPROVE)
    access.require(Perm.WRITE)
    obj = _locked_strategy(access, strategy)
    if obj.status != Strategy.Status.APPROVED:
        raise Conflict(_("Only an approved strategy can be archived."))
    obj.status = Strategy.Status.ARCHIVED
    obj.archived_at = timezone.now()
    obj.save(update_fields=["status", "archived_at", "updated_at"])
    audit_log_record(access=access, action="strategy.archive", obj=obj)
    return obj
