"""Writes for the strategy app. One transaction each; every id from a user is looked up within
`access.organization`; the rules that span rows live here (docs/ARCHITECTURE.md, strategy).

Lifecycle: draft → in_review → approved → archived. Only drafts change. Editing an approved (or
archived / in-review) strategy goes through `strategy_new_version`, which copies it into the next
draft version; approving that version archives the one it replaces.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from analytics.kpis import OBJECTIVE_LABELS, Objective, Unit, kpi_get
from smm_platform.dates import check_date_in_range
from smm_platform.errors import Conflict, DomainError, NotFound
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

from .checks import MAX_KEY_PLATFORMS
from .models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    CompetitorSnapshot,
    ContentFormat,
    ContentPillar,
    Experiment,
    Goal,
    PillarGoal,
    Platform,
    PlatformChoice,
    PresenceAudit,
    Strategy,
    StrategyCompetitor,
    TrendNote,
)
from .selectors import strategy_checks_for

# --- helpers ----------------------------------------------------------------------------------


def _validation_to_domain(exc: ValidationError) -> DomainError:
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(fields.values()))[0]
        return DomainError(first, fields=fields)
    return DomainError("; ".join(exc.messages))


def _clean_and_save(obj, *, update_fields: list[str] | None = None, exclude: list[str] | None = None) -> None:
    """Model validation (field validators, choices, unique constraints) → DomainError with field messages."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise Conflict(_("This conflicts with an existing record.")) from exc


def _delete(obj) -> None:
    """Deletes a row; rows that posts still point at are kept (HTTP 409 with a reason)."""
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise Conflict(_("Posts refer to this; move or delete those posts first.")) from exc


def _apply(obj, fields: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changed = []
    for key, value in fields.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


def _get(model, access: Access, obj_or_id):
    """Re-reads a row within the caller's organization (404 when it belongs to another)."""
    return get_for_organization(model, access.organization, obj_or_id)


def _locked_strategy(access: Access, strategy: Strategy | int) -> Strategy:
    pk = strategy if isinstance(strategy, int) else strategy.pk
    obj = Strategy.objects.for_organization(access.organization).select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Strategy not found."))
    return obj


def _editable_strategy(access: Access, strategy: Strategy | int) -> Strategy:
    """Locks the strategy row (serialising edits of its children) and checks it is still a draft."""
    access.require(Perm.WRITE)
    obj = _locked_strategy(access, strategy)
    if obj.status != Strategy.Status.DRAFT:
        if obj.status == Strategy.Status.IN_REVIEW:
            message = _("The strategy is in review. Return it to draft to change it.")
        else:
            message = _(
                "This strategy is %(status)s and cannot be changed in place. Create a new version to edit it."
            ) % {"status": obj.get_status_display().lower()}
        raise Conflict(message)
    return obj


def _validate_platforms(values, field: str) -> list[str]:
    values = list(values or [])
    bad = [v for v in values if v not in Platform.values]
    if bad:
        raise DomainError(_("Unknown platform: %(p)s") % {"p": ", ".join(map(str, bad))}, field=field)
    return values


# --- analysis ---------------------------------------------------------------------------------

PROFILE_FIELDS = {
    "product",
    "value_proposition",
    "price_segment",
    "geography",
    "sales_channels",
    "average_order_value",
    "gross_margin_percent",
    "support_contact_cost",
    "currency",
}


@transaction.atomic
def business_profile_save(*, access: Access, **fields) -> BusinessProfile:
    access.require(Perm.WRITE)
    profile = BusinessProfile.objects.for_organization(access.organization).select_for_update().first()
    if profile is None:
        profile = BusinessProfile(organization=access.organization, currency=access.organization.currency)
    _apply(profile, fields, PROFILE_FIELDS)
    _clean_and_save(profile, exclude=["organization"])
    return profile


SEGMENT_FIELDS = {"name", "demographics", "needs", "pains", "objections", "platforms", "buying_triggers"}


@transaction.atomic
def audience_segment_create(*, access: Access, **fields) -> AudienceSegment:
    access.require(Perm.WRITE)
    segment = AudienceSegment(organization=access.organization)
    fields["platforms"] = _validate_platforms(fields.get("platforms"), "platforms")
    _apply(segment, fields, SEGMENT_FIELDS)
    _clean_and_save(segment)
    return segment


@transaction.atomic
def audience_segment_update(*, access: Access, segment: AudienceSegment | int, **fields) -> AudienceSegment:
    access.require(Perm.WRITE)
    segment = _get(AudienceSegment, access, segment)
    if "platforms" in fields:
        fields["platforms"] = _validate_platforms(fields["platforms"], "platforms")
    _apply(segment, fields, SEGMENT_FIELDS)
    _clean_and_save(segment)
    return segment


@transaction.atomic
def audience_segment_delete(*, access: Access, segment: AudienceSegment | int) -> None:
    access.require(Perm.WRITE)
    _get(AudienceSegment, access, segment).delete()


COMPETITOR_FIELDS = {"name", "links", "positioning_notes", "strengths", "weaknesses"}


def _validate_links(links) -> dict[str, str]:
    links = dict(links or {})
    _validate_platforms(links.keys(), "links")
    for url in links.values():
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise DomainError(_("Links must be full addresses starting with https://"), field="links")
    return links


@transaction.atomic
def competitor_create(*, access: Access, **fields) -> Competitor:
    access.require(Perm.WRITE)
    competitor = Competitor(organization=access.organization)
    fields["links"] = _validate_links(fields.get("links"))
    _apply(competitor, fields, COMPETITOR_FIELDS)
    _clean_and_save(competitor)
    return competitor


@transaction.atomic
def competitor_update(*, access: Access, competitor: Competitor | int, **fields) -> Competitor:
    access.require(Perm.WRITE)
    competitor = _get(Competitor, access, competitor)
    if "links" in fields:
        fields["links"] = _validate_links(fields["links"])
    _apply(competitor, fields, COMPETITOR_FIELDS)
    _clean_and_save(competitor)
    return competitor


@transaction.atomic
def competitor_delete(*, access: Access, competitor: Competitor | int) -> None:
    access.require(Perm.WRITE)
    _get(Competitor, access, competitor).delete()


@transaction.atomic
def competitor_snapshot_record(
    *,
    access: Access,
    competitor: Competitor | int,
    platform: str,
    date: dt.date,
    followers: int | None = None,
    engagement_rate: Decimal | None = None,
) -> CompetitorSnapshot:
    """Upsert by (competitor, platform, date): typing the same day twice corrects it."""
    access.require(Perm.WRITE)
    competitor = _get(Competitor, access, competitor)
    _validate_platforms([platform], "platform")
    snapshot = CompetitorSnapshot.objects.filter(
        organization=access.organization, competitor=competitor, platform=platform, date=date
    ).first() or CompetitorSnapshot(
        organization=access.organization, competitor=competitor, platform=platform, date=date
    )
    snapshot.followers = followers
    snapshot.engagement_rate = engagement_rate
    _clean_and_save(snapshot, exclude=["organization", "competitor"])
    return snapshot


@transaction.atomic
def competitor_snapshot_delete(*, access: Access, snapshot: CompetitorSnapshot | int) -> None:
    access.require(Perm.WRITE)
    _get(CompetitorSnapshot, access, snapshot).delete()


AUDIT_FIELDS = {
    "platform",
    "date",
    "followers",
    "average_reach",
    "engagement_rate",
    "posts_per_week",
    "response_time_minutes",
    "notes",
}


@transaction.atomic
def presence_audit_create(*, access: Access, **fields) -> PresenceAudit:
    access.require(Perm.WRITE)
    audit = PresenceAudit(organization=access.organization)
    _apply(audit, fields, AUDIT_FIELDS)
    _clean_and_save(audit)
    return audit


@transaction.atomic
def presence_audit_update(*, access: Access, audit: PresenceAudit | int, **fields) -> PresenceAudit:
    access.require(Perm.WRITE)
    audit = _get(PresenceAudit, access, audit)
    _apply(audit, fields, AUDIT_FIELDS)
    _clean_and_save(audit)
    return audit


@transaction.atomic
def presence_audit_delete(*, access: Access, audit: PresenceAudit | int) -> None:
    access.require(Perm.WRITE)
    _get(PresenceAudit, access, audit).delete()


# --- the strategy document ----------------------------------------------------------------------

STRATEGY_FIELDS = {
    "title",
    "period_start",
    "period_end",
    "positioning_statement",
    "differentiators",
    "tone_guidelines",
    "words_to_use",
    "words_to_avoid",
}


def _check_period(start, end) -> None:
    if start is None or end is None:
        raise DomainError(_("Give the strategy a period: start and end dates."), field="period_end")
    check_date_in_range(start, field="period_start")
    check_date_in_range(end, field="period_end")
    if end <= start:
        raise DomainError(_("The period must end after it starts."), field="period_end")


def _set_competitors(access: Access, strategy: Strategy, competitor_ids) -> None:
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


@transaction.atomic
def strategy_create(*, access: Access, competitors=None, **fields) -> Strategy:
    access.require(Perm.WRITE)
    strategy = Strategy(organization=access.organization, created_by=access.user, status=Strategy.Status.DRAFT)
    _apply(strategy, fields, STRATEGY_FIELDS)
    if not (strategy.title or "").strip():
        raise DomainError(_("Give the strategy a title."), field="title")
    _check_period(strategy.period_start, strategy.period_end)
    _clean_and_save(strategy)
    if competitors is not None:
        _set_competitors(access, strategy, competitors)
    audit_log_record(access=access, action="strategy.create", obj=strategy)
    return strategy


@transaction.atomic
def strategy_update(*, access: Access, strategy: Strategy | int, competitors=None, **fields) -> Strategy:
    """Changes a draft. For an approved/archived strategy the change goes into its next draft
    version (created on first edit), which is returned — the approved text never changes."""
    access.require(Perm.WRITE)
    current = _locked_strategy(access, strategy)
    if current.status in (Strategy.Status.APPROVED, Strategy.Status.ARCHIVED):
        current = strategy_new_version(access=access, strategy=current)
    target = _editable_strategy(access, current)
    changed = _apply(target, fields, STRATEGY_FIELDS)
    if "title" in fields and not (target.title or "").strip():
        raise DomainError(_("Give the strategy a title."), field="title")
    _check_period(target.period_start, target.period_end)
    if changed:
        _clean_and_save(target)
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


def _fmt(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


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


# --- goals ---------------------------------------------------------------------------------------

GOAL_FIELDS = {"title", "objective", "kpi", "baseline", "target", "unit", "deadline", "platform"}


def _decimal(value, field: str, label: str) -> Decimal:
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
def goal_create(*, access: Access, strategy: Strategy | int, **fields) -> Goal:
    strategy = _editable_strategy(access, strategy)
    goal = Goal(organization=access.organization, strategy=strategy)
    _apply(goal, fields, GOAL_FIELDS)
    _validate_goal(goal, strategy)
    _clean_and_save(goal, exclude=["organization", "strategy"])
    return goal


@transaction.atomic
def goal_update(*, access: Access, goal: Goal | int, **fields) -> Goal:
    goal = _get(Goal, access, goal)
    strategy = _editable_strategy(access, goal.strategy_id)
    _apply(goal, fields, GOAL_FIELDS)
    if "kpi" in fields and "unit" not in fields:
        goal.unit = ""
    _validate_goal(goal, strategy)
    _clean_and_save(goal, exclude=["organization", "strategy"])
    return goal


@transaction.atomic
def goal_delete(*, access: Access, goal: Goal | int) -> None:
    goal = _get(Goal, access, goal)
    _editable_strategy(access, goal.strategy_id)
    _delete(goal)


# --- platforms -----------------------------------------------------------------------------------


def _validate_platform_choice(choice: PlatformChoice) -> None:
    if choice.platform not in Platform.values:
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


@transaction.atomic
def platform_choice_create(
    *, access: Access, strategy: Strategy | int, platform: str, role: str = PlatformChoice.Role.KEY, rationale: str = ""
) -> PlatformChoice:
    strategy = _editable_strategy(access, strategy)
    choice = PlatformChoice(
        organization=access.organization, strategy=strategy, platform=platform, role=role, rationale=rationale.strip()
    )
    _validate_platform_choice(choice)
    _clean_and_save(choice, exclude=["organization", "strategy"])
    return choice


@transaction.atomic
def platform_choice_update(*, access: Access, choice: PlatformChoice | int, **fields) -> PlatformChoice:
    choice = _get(PlatformChoice, access, choice)
    _editable_strategy(access, choice.strategy_id)
    _apply(choice, fields, {"platform", "role", "rationale"})
    _validate_platform_choice(choice)
    _clean_and_save(choice, exclude=["organization", "strategy"])
    return choice


@transaction.atomic
def platform_choice_delete(*, access: Access, choice: PlatformChoice | int) -> None:
    choice = _get(PlatformChoice, access, choice)
    _editable_strategy(access, choice.strategy_id)
    choice.delete()


# --- content pillars -----------------------------------------------------------------------------

PILLAR_FIELDS = {"name", "description", "objective", "funnel_stage", "target_share", "formats"}


def _validate_formats(formats) -> list[str]:
    formats = list(formats or [])
    bad = [f for f in formats if f not in ContentFormat.values]
    if bad:
        raise DomainError(_("Unknown format: %(f)s") % {"f": ", ".join(map(str, bad))}, field="formats")
    return formats


def _set_pillar_goals(access: Access, pillar: ContentPillar, goals) -> None:
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


@transaction.atomic
def content_pillar_create(*, access: Access, strategy: Strategy | int, goals=(), **fields) -> ContentPillar:
    strategy = _editable_strategy(access, strategy)
    pillar = ContentPillar(organization=access.organization, strategy=strategy)
    fields["formats"] = _validate_formats(fields.get("formats"))
    _apply(pillar, fields, PILLAR_FIELDS)
    _clean_and_save(pillar, exclude=["organization", "strategy"])
    _set_pillar_goals(access, pillar, goals)
    return pillar


@transaction.atomic
def content_pillar_update(*, access: Access, pillar: ContentPillar | int, goals=None, **fields) -> ContentPillar:
    pillar = _get(ContentPillar, access, pillar)
    _editable_strategy(access, pillar.strategy_id)
    if "formats" in fields:
        fields["formats"] = _validate_formats(fields["formats"])
    _apply(pillar, fields, PILLAR_FIELDS)
    _clean_and_save(pillar, exclude=["organization", "strategy"])
    if goals is not None:
        _set_pillar_goals(access, pillar, goals)
    return pillar


@transaction.atomic
def content_pillar_delete(*, access: Access, pillar: ContentPillar | int) -> None:
    pillar = _get(ContentPillar, access, pillar)
    _editable_strategy(access, pillar.strategy_id)
    _delete(pillar)


# --- trends and experiments ----------------------------------------------------------------------

TREND_FIELDS = {
    "title",
    "kind",
    "platform",
    "description",
    "source_url",
    "noted_on",
    "impact",
    "expected_impact",
    "follow_up",
}


@transaction.atomic
def trend_note_create(*, access: Access, **fields) -> TrendNote:
    access.require(Perm.WRITE)
    note = TrendNote(organization=access.organization, created_by=access.user)
    _apply(note, fields, TREND_FIELDS)
    _clean_and_save(note)
    return note


@transaction.atomic
def trend_note_update(*, access: Access, note: TrendNote | int, **fields) -> TrendNote:
    access.require(Perm.WRITE)
    note = _get(TrendNote, access, note)
    _apply(note, fields, TREND_FIELDS)
    _clean_and_save(note)
    return note


@transaction.atomic
def trend_note_delete(*, access: Access, note: TrendNote | int) -> None:
    access.require(Perm.WRITE)
    _get(TrendNote, access, note).delete()


EXPERIMENT_PLAN_FIELDS = {
    "title",
    "hypothesis",
    "kind",
    "platform",
    "trend",
    "budget_cap",
    "currency",
    "start_date",
    "end_date",
    "success_metric",
    "success_threshold",
    "higher_is_better",
}
# Decided up front: once the experiment runs, the yardstick cannot move.
EXPERIMENT_LOCKED_WHEN_RUNNING = {"success_metric", "success_threshold", "higher_is_better", "budget_cap"}
EXPERIMENT_RESULT_FIELDS = {"result_value", "result_notes", "decision", "recommendation"}


def _validate_experiment(exp: Experiment, access: Access) -> None:
    if (
        exp.trend_id is not None
        and not TrendNote.objects.filter(organization=access.organization, pk=exp.trend_id).exists()
    ):
        raise DomainError(_("Choose one of your trend notes."), field="trend")
    check_date_in_range(exp.start_date, field="start_date")
    check_date_in_range(exp.end_date, field="end_date")
    if exp.start_date and exp.end_date and exp.end_date < exp.start_date:
        raise DomainError(_("The experiment must end after it starts."), field="end_date")
    if not (exp.success_metric or "").strip():
        raise DomainError(_("Decide the success metric before the experiment starts."), field="success_metric")
    if exp.success_threshold is None:
        raise DomainError(_("Decide the success threshold before the experiment starts."), field="success_threshold")


@transaction.atomic
def experiment_create(*, access: Access, **fields) -> Experiment:
    access.require(Perm.WRITE)
    exp = Experiment(organization=access.organization, created_by=access.user, currency=access.organization.currency)
    _apply(exp, fields, EXPERIMENT_PLAN_FIELDS)
    _validate_experiment(exp, access)
    _clean_and_save(exp)
    return exp


@transaction.atomic
def experiment_update(*, access: Access, experiment: Experiment | int, **fields) -> Experiment:
    access.require(Perm.WRITE)
    exp = _get(Experiment, access, experiment)
    if exp.status == Experiment.Status.CONCLUDED:
        raise Conflict(_("A concluded experiment cannot be changed."))
    allowed = EXPERIMENT_PLAN_FIELDS | (
        {"result_value", "result_notes"} if exp.status == Experiment.Status.RUNNING else set()
    )
    if exp.status == Experiment.Status.RUNNING:
        moved = [k for k in EXPERIMENT_LOCKED_WHEN_RUNNING if k in fields and fields[k] != getattr(exp, k)]
        if moved:
            raise Conflict(
                _("The success metric, threshold and budget were decided up front and cannot change while it runs."),
                field=moved[0],
            )
    _apply(exp, fields, allowed)
    _validate_experiment(exp, access)
    _clean_and_save(exp)
    return exp


@transaction.atomic
def experiment_start(*, access: Access, experiment: Experiment | int) -> Experiment:
    access.require(Perm.WRITE)
    exp = _get(Experiment, access, experiment)
    if exp.status != Experiment.Status.PLANNED:
        raise Conflict(_("Only a planned experiment can be started."))
    exp.status = Experiment.Status.RUNNING
    exp.save(update_fields=["status"])
    return exp


@transaction.atomic
def experiment_conclude(
    *,
    access: Access,
    experiment: Experiment | int,
    result_value: Decimal | None,
    decision: str,
    recommendation: str,
    result_notes: str = "",
) -> Experiment:
    access.require(Perm.WRITE)
    exp = _get(Experiment, access, experiment)
    if exp.status != Experiment.Status.RUNNING:
        raise Conflict(_("Only a running experiment can be concluded."))
    if result_value is None:
        raise DomainError(_("Enter the result figure for the success metric."), field="result_value")
    if decision not in Experiment.Decision.values:
        raise DomainError(_("Decide: adopt, drop or extend."), field="decision")
    if not recommendation.strip():
        raise DomainError(_("Write the recommendation for the owner."), field="recommendation")
    exp.result_value = result_value
    exp.result_notes = result_notes
    exp.decision = decision
    exp.recommendation = recommendation.strip()
    exp.status = Experiment.Status.CONCLUDED
    exp.concluded_at = timezone.now()
    _clean_and_save(exp)
    audit_log_record(
        access=access,
        action="experiment.conclude",
        obj=exp,
        changes={"decision": decision, "result": str(result_value)},
    )
    return exp


@transaction.atomic
def experiment_delete(*, access: Access, experiment: Experiment | int) -> None:
    access.require(Perm.WRITE)
    exp = _get(Experiment, access, experiment)
    if exp.status == Experiment.Status.CONCLUDED:
        raise Conflict(_("A concluded experiment is kept for reports and cannot be deleted."))
    exp.delete()
