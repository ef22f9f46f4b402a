"""Trend notes and experiments (organization-wide, not part of a strategy version)."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Final, TypedDict, Unpack, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import check_date_in_range
from core.errors import Conflict, DomainError
from core.services import clean_and_save, fields_of, model_update
from tenancy.access import Access
from tenancy.roles import Perm
from tenancy.services import audit_log_record

from ..models import (
    Experiment,
    TrendNote,
)
from ._common import (
    _delete_own,
    _get,
)

# --- trends and experiments ----------------------------------------------------------------------


class TrendData(TypedDict, total=False):
    title: str
    kind: str
    platform: str
    description: str
    source_url: str
    noted_on: dt.date
    impact: str
    expected_impact: str
    follow_up: str


TREND_FIELDS: Final = fields_of(TrendData)


@transaction.atomic
def trend_note_create(*, access: Access, **data: Unpack[TrendData]) -> TrendNote:
    access.require(Perm.WRITE)
    note = TrendNote(organization=access.organization, created_by=access.user)
    return model_update(instance=note, data=data, fields=TREND_FIELDS)[0]


@transaction.atomic
def trend_note_update(*, access: Access, note: TrendNote | int, **data: Unpack[TrendData]) -> TrendNote:
    access.require(Perm.WRITE)
    row = _get(TrendNote, access, note)
    return model_update(instance=row, data=data, fields=TREND_FIELDS)[0]


@transaction.atomic
def trend_note_delete(*, access: Access, note: TrendNote | int) -> None:
    _delete_own(access, TrendNote, note)


class ExperimentPlanData(TypedDict, total=False):
    title: str
    hypothesis: str
    kind: str
    platform: str
    trend: TrendNote | None
    budget_cap: Decimal | None
    currency: str
    start_date: dt.date | None
    end_date: dt.date | None
    success_metric: str
    success_threshold: Decimal | None
    higher_is_better: bool


class ExperimentData(ExperimentPlanData, total=False):
    """The plan, and while the experiment runs, its interim result."""

    result_value: Decimal | None
    result_notes: str


EXPERIMENT_PLAN_FIELDS: Final = fields_of(ExperimentPlanData)
# Decided up front: once the experiment runs, the yardstick cannot move.
EXPERIMENT_LOCKED_WHEN_RUNNING: Final = ("success_metric", "success_threshold", "higher_is_better", "budget_cap")
EXPERIMENT_RESULT_FIELDS: Final = ("result_value", "result_notes", "decision", "recommendation")


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
def experiment_create(*, access: Access, **data: Unpack[ExperimentPlanData]) -> Experiment:
    access.require(Perm.WRITE)
    exp = Experiment(organization=access.organization, created_by=access.user, currency=access.organization.currency)
    return model_update(
        instance=exp, data=data, fields=EXPERIMENT_PLAN_FIELDS, validate=lambda e: _validate_experiment(e, access)
    )[0]


@transaction.atomic
def experiment_update(*, access: Access, experiment: Experiment | int, **data: Unpack[ExperimentData]) -> Experiment:
    access.require(Perm.WRITE)
    exp = _get(Experiment, access, experiment)
    if exp.status == Experiment.Status.CONCLUDED:
        raise Conflict(_("A concluded experiment cannot be changed."))
    allowed = EXPERIMENT_PLAN_FIELDS
    sent: Mapping[str, object] = data
    results = [k for k in ("result_value", "result_notes") if k in sent and sent[k] != getattr(exp, k)]
    if exp.status != Experiment.Status.RUNNING:  # a draft's (a concluded one is refused above)
        if results:
            raise Conflict(_("The result is entered while the experiment runs: start it first."), field=results[0])
        data = cast(ExperimentData, {k: v for k, v in sent.items() if k not in ("result_value", "result_notes")})
    if exp.status == Experiment.Status.RUNNING:
        allowed = (*EXPERIMENT_PLAN_FIELDS, "result_value", "result_notes")
        given: Mapping[str, object] = data
        moved = [k for k in EXPERIMENT_LOCKED_WHEN_RUNNING if k in given and given[k] != getattr(exp, k)]
        if moved:
            raise Conflict(
                _("The success metric, threshold and budget were decided up front and cannot change while it runs."),
                field=moved[0],
            )
    return model_update(instance=exp, data=data, fields=allowed, validate=lambda e: _validate_experiment(e, access))[0]


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
    clean_and_save(exp)
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
