"""Strategy services, the plan: goals, platforms and pillars are validated, and the approval checks name every gap."""

import datetime as dt
from decimal import Decimal

import pytest

from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from strategy import services
from strategy.models import ContentPillar, Goal, PillarGoal, PlatformChoice, Strategy
from tenancy.models import AuditLog
from tenancy.roles import Role

from ..conftest import access_of
from .factories import (
    ContentPillarFactory,
    GoalFactory,
    PlatformChoiceFactory,
    StrategyFactory,
    complete_strategy,
    goal_fields,
)

pytestmark = pytest.mark.django_db


# --- goals ---------------------------------------------------------------------------------------


def test_goal_without_target_is_rejected(marketer_access, draft):
    with pytest.raises(DomainError) as exc:
        services.goal_create(access=marketer_access, strategy=draft, **goal_fields(target=None))
    assert exc.value.fields == {"target": ["A goal needs a numeric target."]}
    with pytest.raises(DomainError) as exc:
        services.goal_create(access=marketer_access, strategy=draft, **goal_fields(deadline=None))
    assert exc.value.fields == {"deadline": ["A goal needs a deadline."]}
    assert Goal.objects.count() == 0


def test_goal_kpi_must_fit_objective_and_direction(marketer_access, draft):
    with pytest.raises(DomainError) as exc:
        services.goal_create(access=marketer_access, strategy=draft, **goal_fields(kpi="reach"))
    assert exc.value.fields["kpi"] == ["“Reach” does not measure leads. Choose a KPI that fits the objective."]
    with pytest.raises(DomainError) as exc:
        services.goal_create(
            access=marketer_access, strategy=draft, **goal_fields(kpi="cpl", baseline=Decimal(500), target=Decimal(600))
        )
    assert "lower is better" in exc.value.fields["target"][0]
    with pytest.raises(DomainError) as exc:
        services.goal_create(access=marketer_access, strategy=draft, **goal_fields(deadline=dt.date(2026, 2, 1)))
    assert "within the strategy period" in exc.value.fields["deadline"][0]
    assert Goal.objects.count() == 0


def test_goal_unit_defaults_from_kpi(marketer_access, draft):
    leads = services.goal_create(access=marketer_access, strategy=draft, **goal_fields())
    cpl = services.goal_create(
        access=marketer_access, strategy=draft, **goal_fields(kpi="cpl", baseline=Decimal(500), target=Decimal(300))
    )
    assert (leads.unit, cpl.unit) == ("count", "RUB")
    assert leads.organization_id == draft.organization_id


def test_marketer_writes_client_cannot(org, draft, client_user):
    client_access = access_of(org, client_user, Role.CLIENT)
    with pytest.raises(PermissionDenied):
        services.goal_create(access=client_access, strategy=draft, **goal_fields())
    assert Goal.objects.count() == 0


def test_other_organization_strategy_is_not_found(marketer_access, other_org):
    foreign = StrategyFactory(organization=other_org)
    with pytest.raises(NotFound):
        services.goal_create(access=marketer_access, strategy=foreign, **goal_fields())
    with pytest.raises(NotFound):
        services.strategy_update(access=marketer_access, strategy=foreign.pk, title="x")
    foreign.refresh_from_db()
    assert foreign.title != "x"
    assert Goal.objects.count() == 0


# --- platforms -----------------------------------------------------------------------------------


def test_more_than_two_key_platforms_rejected(marketer_access, draft):
    for platform in ("vk", "telegram"):
        services.platform_choice_create(
            access=marketer_access, strategy=draft, platform=platform, rationale="Аудитория"
        )
    with pytest.raises(DomainError) as exc:
        services.platform_choice_create(
            access=marketer_access, strategy=draft, platform="instagram", role="key", rationale="Молодёжь"
        )
    assert exc.value.fields["role"][0].startswith("At most 2 key platforms")
    secondary = services.platform_choice_create(
        access=marketer_access, strategy=draft, platform="instagram", role="secondary", rationale="Молодёжь"
    )
    with pytest.raises(DomainError):
        services.platform_choice_update(access=marketer_access, choice=secondary, role="key")
    assert PlatformChoice.objects.filter(strategy=draft, role="key").count() == 2


def test_platform_rationale_required_and_unique(marketer_access, draft):
    with pytest.raises(DomainError) as exc:
        services.platform_choice_create(access=marketer_access, strategy=draft, platform="vk", rationale="  ")
    assert list(exc.value.fields) == ["rationale"]
    services.platform_choice_create(access=marketer_access, strategy=draft, platform="vk", rationale="Да")
    with pytest.raises(Conflict):
        services.platform_choice_create(access=marketer_access, strategy=draft, platform="vk", rationale="Ещё раз")


def test_more_than_three_platforms_warns(draft):
    from strategy.selectors import strategy_checks_for

    for platform, role in (("vk", "key"), ("telegram", "key"), ("instagram", "secondary"), ("facebook", "secondary")):
        PlatformChoiceFactory(strategy=draft, platform=platform, role=role)
    checks = strategy_checks_for(draft)
    assert [w.message for w in checks.warnings] == [
        "The strategy spreads over 4 platforms. Focus beats presence: 1-2 key platforms "
        "and at most 3 in total usually work better."
    ]


# --- pillars and approval checks -----------------------------------------------------------------


def test_pillar_shares_must_sum_to_100(owner_access, draft):
    goal = GoalFactory(strategy=draft)
    PlatformChoiceFactory(strategy=draft)
    ContentPillarFactory(strategy=draft, goals=[goal], target_share=60)
    ContentPillarFactory(strategy=draft, goals=[goal], target_share=30)
    with pytest.raises(DomainError) as exc:
        services.strategy_submit(access=owner_access, strategy=draft)
    assert exc.value.fields == {"pillars": ["Content pillar shares must sum to 100% (now 90%)."]}
    assert str(exc.value.message) == (
        "The strategy cannot be submitted yet: Content pillar shares must sum to 100% (now 90%)."
    )
    draft.refresh_from_db()
    assert draft.status == Strategy.Status.DRAFT


def test_unserved_goal_blocks_approval_naming_the_goal(owner_access, draft):
    complete_strategy(draft)
    services.strategy_submit(access=owner_access, strategy=draft)
    # A goal slips in unserved (e.g. added through the admin) — approval names it.
    GoalFactory(strategy=draft, title="Снизить CPL", objective="leads", kpi="cpl", baseline=500, target=300)
    with pytest.raises(DomainError) as exc:
        services.strategy_approve(access=owner_access, strategy=draft)
    assert exc.value.fields == {"pillars": ["Goal “Снизить CPL” is not served by any content pillar."]}
    draft.refresh_from_db()
    assert draft.status == Strategy.Status.IN_REVIEW
    assert not AuditLog.objects.filter(action="strategy.approve").exists()


def test_empty_strategy_lists_every_gap(owner_access, org):
    empty = StrategyFactory(organization=org, positioning_statement="")
    with pytest.raises(DomainError) as exc:
        services.strategy_submit(access=owner_access, strategy=empty)
    assert exc.value.fields == {
        "goals": ["Add at least one measurable goal."],
        "platforms": ["Choose at least one key platform."],
        "positioning": ["Write the positioning statement."],
        "pillars": ["Add content pillars."],
    }


def test_pillar_goals_must_belong_to_the_same_strategy(marketer_access, draft, org, other_org):
    other_strategy_goal = GoalFactory(strategy=StrategyFactory(organization=org))
    foreign_goal = GoalFactory(strategy=StrategyFactory(organization=other_org))
    for bad in (other_strategy_goal, foreign_goal):
        with pytest.raises(DomainError) as exc:
            services.content_pillar_create(
                access=marketer_access,
                strategy=draft,
                goals=[bad.pk],
                name=f"Рубрика {bad.pk}",
                objective="leads",
                funnel_stage="conversion",
                target_share=50,
            )
        assert exc.value.fields == {"goals": ["Choose goals of this strategy."]}
    assert ContentPillar.objects.count() == 0
    assert PillarGoal.objects.count() == 0


def test_pillar_formats_validated(marketer_access, draft):
    with pytest.raises(DomainError) as exc:
        services.content_pillar_create(
            access=marketer_access,
            strategy=draft,
            name="Рубрика",
            objective="leads",
            funnel_stage="conversion",
            target_share=50,
            formats=["hologram"],
        )
    assert exc.value.fields == {"formats": ["Unknown format: hologram"]}
