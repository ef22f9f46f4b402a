"""Trend notes and experiments (organization-wide, not part of a strategy version)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import check_date_in_range
from core.errors import Conflict, DomainError
from tenancy.access import Access
from tenancy.roles import Perm
from tenancy.services import audit_log_record

from ..models import (
    Experiment,
    TrendNote,
)
from ._common import (
    _apply,
    _clean_and_save,
    _get,
)

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
