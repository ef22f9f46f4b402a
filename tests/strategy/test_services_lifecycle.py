"""Strategy services, the lifecycle: the approval workflow, immutability of approved versions, periods, experiments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from core.errors import Conflict, DomainError, PermissionDenied
from strategy import services
from strategy.models import Experiment, Strategy
from tenancy.models import AuditLog
from tenancy.roles import Role

from ..conftest import access_of
from .factories import (
    CompetitorFactory,
    StrategyFactory,
    approved_strategy,
    complete_strategy,
    goal_fields,
    submit_and_approve,
)

# --- workflow ------------------------------------------------------------------------------------


def test_marketer_and_analyst_cannot_approve_admin_can(org, draft, marketer_access, make_member):
    complete_strategy(draft)
    services.strategy_submit(access=marketer_access, strategy=draft)
    for role in (Role.MARKETER, Role.ANALYST):
        user = make_member(org, role).user
        with pytest.raises(PermissionDenied):
            services.strategy_approve(access=access_of(org, user, role), strategy=draft)
    draft.refresh_from_db()
    assert draft.status == Strategy.Status.IN_REVIEW
    admin = make_member(org, Role.ADMIN).user
    approved = services.strategy_approve(access=access_of(org, admin, Role.ADMIN), strategy=draft)
    assert approved.status == Strategy.Status.APPROVED
    assert approved.approved_by == admin
    assert approved.approved_at is not None
    entry = AuditLog.objects.get(organization=org, action="strategy.approve")
    assert (entry.actor, entry.object_id, entry.changes) == (
        admin,
        str(draft.pk),
        {"version": 1, "period": ["2025-01-01", "2025-12-31"]},
    )


def test_draft_must_be_submitted_before_approval(owner_access, draft):
    complete_strategy(draft)
    with pytest.raises(Conflict) as exc:
        services.strategy_approve(access=owner_access, strategy=draft)
    assert str(exc.value.message) == "Submit the strategy for review before approving it."


def test_return_to_draft_keeps_comment(owner_access, draft):
    complete_strategy(draft)
    services.strategy_submit(access=owner_access, strategy=draft)
    returned = services.strategy_return_to_draft(access=owner_access, strategy=draft, comment="Уточните CPL")
    assert (returned.status, returned.review_comment) == (Strategy.Status.DRAFT, "Уточните CPL")


def test_in_review_strategy_is_frozen(marketer_access, draft):
    complete_strategy(draft)
    services.strategy_submit(access=marketer_access, strategy=draft)
    with pytest.raises(Conflict):
        services.goal_create(access=marketer_access, strategy=draft, **goal_fields())


def test_approved_strategy_is_not_edited_in_place_a_new_version_is_created(owner_access, draft):
    goal = complete_strategy(draft)
    competitor = CompetitorFactory(organization=draft.organization)
    services.strategy_update(access=owner_access, strategy=draft, competitors=[competitor.pk])
    submit_and_approve(draft, owner_access)

    # Child rows of the approved strategy refuse changes.
    with pytest.raises(Conflict) as exc:
        services.goal_update(access=owner_access, goal=goal, target=Decimal(999))
    assert "Create a new version" in str(exc.value.message)
    with pytest.raises(Conflict):
        services.platform_choice_create(access=owner_access, strategy=draft, platform="telegram", rationale="x")

    # Editing the document creates version 2 with everything copied; version 1 is untouched.
    v2 = services.strategy_update(access=owner_access, strategy=draft, positioning_statement="Новое позиционирование")
    draft.refresh_from_db()
    goal.refresh_from_db()
    assert draft.status == Strategy.Status.APPROVED
    assert draft.positioning_statement == "Кофе рядом с домом"
    assert goal.target == Decimal(120)
    assert (v2.pk != draft.pk, v2.version, v2.previous_id, v2.status) == (True, 2, draft.pk, Strategy.Status.DRAFT)
    assert v2.positioning_statement == "Новое позиционирование"
    assert v2.goals.count() == 1
    assert v2.platforms.count() == 1
    v2_pillar = v2.pillars.get()
    assert [g.strategy_id for g in v2_pillar.goals.all()] == [v2.pk]
    assert list(v2.competitors.values_list("pk", flat=True)) == [competitor.pk]
    # A second edit goes into the same open draft.
    again = services.strategy_update(access=owner_access, strategy=draft, title="Стратегия 2025")
    assert again.pk == v2.pk
    assert Strategy.objects.filter(organization=draft.organization).count() == 2

    # Approving version 2 archives version 1: one approved strategy for the period.
    submit_and_approve(v2, owner_access)
    draft.refresh_from_db()
    assert draft.status == Strategy.Status.ARCHIVED
    assert Strategy.objects.filter(organization=draft.organization, status="approved").get() == v2


def test_overlapping_approved_strategies_refused(owner_access, org):
    existing, _goal, _pillar = approved_strategy(org, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
    overlapping = StrategyFactory(organization=org, period_start=dt.date(2025, 6, 1), period_end=dt.date(2025, 12, 31))
    complete_strategy(overlapping)
    services.strategy_submit(access=owner_access, strategy=overlapping)
    with pytest.raises(Conflict) as exc:
        services.strategy_approve(access=owner_access, strategy=overlapping)
    assert "overlaps this period" in str(exc.value.message)
    overlapping.refresh_from_db()
    existing.refresh_from_db()
    assert (overlapping.status, existing.status) == (Strategy.Status.IN_REVIEW, Strategy.Status.APPROVED)

    adjacent = StrategyFactory(organization=org, period_start=dt.date(2025, 7, 1), period_end=dt.date(2025, 12, 31))
    complete_strategy(adjacent)
    assert submit_and_approve(adjacent, owner_access).status == Strategy.Status.APPROVED


def test_copy_for_next_period(owner_access, org):
    source, _goal, _pillar = approved_strategy(org)
    nxt = services.strategy_copy_for_period(
        access=owner_access,
        strategy=source,
        title="Стратегия 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    assert (nxt.status, nxt.version, nxt.previous_id) == (Strategy.Status.DRAFT, 1, None)
    assert list(nxt.goals.values_list("deadline", flat=True)) == [dt.date(2026, 12, 31)]
    assert nxt.pillars.get().goals.get().strategy_id == nxt.pk


def test_strategy_period_validated(marketer_access):
    with pytest.raises(DomainError) as exc:
        services.strategy_create(
            access=marketer_access, title="x", period_start=dt.date(2025, 2, 1), period_end=dt.date(2025, 1, 1)
        )
    assert exc.value.fields == {"period_end": ["The period must end after it starts."]}


# --- experiments ---------------------------------------------------------------------------------


def test_experiment_lifecycle(marketer_access):
    exp = services.experiment_create(
        access=marketer_access,
        title="Рилсы",
        hypothesis="Короткие видео поднимут охват",
        kind="format",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 3, 31),
        success_metric="Средний охват видео",
        success_threshold=Decimal(3000),
        budget_cap=Decimal(15000),
    )
    assert (exp.status, exp.currency) == (Experiment.Status.PLANNED, "RUB")
    with pytest.raises(Conflict):
        services.experiment_conclude(
            access=marketer_access, experiment=exp, result_value=Decimal(1), decision="adopt", recommendation="x"
        )
    services.experiment_start(access=marketer_access, experiment=exp)
    with pytest.raises(Conflict) as exc:
        services.experiment_update(access=marketer_access, experiment=exp, success_threshold=Decimal(1000))
    assert "decided up front" in str(exc.value.message)
    with pytest.raises(DomainError) as exc:
        services.experiment_conclude(
            access=marketer_access, experiment=exp, result_value=Decimal(4200), decision="adopt", recommendation=" "
        )
    assert list(exc.value.fields) == ["recommendation"]
    done = services.experiment_conclude(
        access=marketer_access,
        experiment=exp,
        result_value=Decimal(4200),
        decision="adopt",
        recommendation="Делать 2 рилса в неделю",
    )
    assert (done.status, done.succeeded, done.decision) == (Experiment.Status.CONCLUDED, True, "adopt")
    with pytest.raises(Conflict):
        services.experiment_delete(access=marketer_access, experiment=exp)
    assert AuditLog.objects.filter(action="experiment.conclude", object_id=str(exp.pk)).count() == 1


def test_experiment_needs_metric_and_threshold_up_front(marketer_access):
    with pytest.raises(DomainError) as exc:
        services.experiment_create(
            access=marketer_access,
            title="x",
            hypothesis="y",
            kind="format",
            start_date=dt.date(2025, 3, 1),
            end_date=dt.date(2025, 3, 31),
            success_metric="",
            success_threshold=Decimal(1),
        )
    assert list(exc.value.fields) == ["success_metric"]


def test_database_refuses_two_overlapping_approved_strategies(org):
    """The second fence: on PostgreSQL an exclusion constraint, elsewhere the same-start unique index."""
    approved_strategy(org, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
    same_start = StrategyFactory(organization=org, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Strategy.objects.filter(pk=same_start.pk).update(status=Strategy.Status.APPROVED)
    if connection.vendor != "postgresql":
        return
    overlapping = StrategyFactory(organization=org, period_start=dt.date(2025, 6, 1), period_end=dt.date(2025, 9, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Strategy.objects.filter(pk=overlapping.pk).update(status=Strategy.Status.APPROVED)
    adjacent = StrategyFactory(organization=org, period_start=dt.date(2025, 7, 1), period_end=dt.date(2025, 9, 1))
    Strategy.objects.filter(pk=adjacent.pk).update(status=Strategy.Status.APPROVED)
