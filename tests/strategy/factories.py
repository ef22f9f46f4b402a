"""Factories for strategy rows; every child row gets its strategy's organization."""

import datetime as dt
from decimal import Decimal

import factory

from strategy import services
from strategy.models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    ContentPillar,
    Experiment,
    FunnelStage,
    Goal,
    PillarGoal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
    TrendNote,
)
from tests.tenancy.factories import OrganizationFactory


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Стратегия {n}")
    period_start = dt.date(2025, 1, 1)
    period_end = dt.date(2025, 12, 31)
    status = Strategy.Status.DRAFT
    positioning_statement = "Кофе рядом с домом"


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    strategy = factory.SubFactory(StrategyFactory)
    organization = factory.LazyAttribute(lambda o: o.strategy.organization)
    objective = "leads"
    kpi = "leads"
    baseline = Decimal(40)
    target = Decimal(120)
    unit = "count"
    deadline = factory.LazyAttribute(lambda o: o.strategy.period_end)


class PlatformChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformChoice

    strategy = factory.SubFactory(StrategyFactory)
    organization = factory.LazyAttribute(lambda o: o.strategy.organization)
    platform = "vk"
    role = PlatformChoice.Role.KEY
    rationale = "Аудитория здесь"


class ContentPillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentPillar
        skip_postgeneration_save = True

    strategy = factory.SubFactory(StrategyFactory)
    organization = factory.LazyAttribute(lambda o: o.strategy.organization)
    name = factory.Sequence(lambda n: f"Рубрика {n}")
    objective = "leads"
    funnel_stage = FunnelStage.CONVERSION
    target_share = 100
    formats = factory.LazyFunction(lambda: ["photo"])

    @factory.post_generation
    def goals(self, create, extracted, **kwargs):
        for goal in extracted or ():
            PillarGoal.objects.create(organization=self.organization, pillar=self, goal=goal)


def approved_strategy(organization, *, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), **kwargs):
    """A complete approved strategy: one goal, one key platform, one pillar (100%) serving the goal."""
    strategy = StrategyFactory(
        organization=organization, period_start=start, period_end=end, status=Strategy.Status.APPROVED, **kwargs
    )
    goal = GoalFactory(strategy=strategy, deadline=end)
    PlatformChoiceFactory(strategy=strategy)
    pillar = ContentPillarFactory(strategy=strategy, goals=[goal])
    return strategy, goal, pillar


def complete_strategy(strategy):
    """Fills a draft so it passes the checks: one goal, one key platform, one pillar at 100 % serving it."""
    goal = GoalFactory(strategy=strategy)
    PlatformChoiceFactory(strategy=strategy)
    ContentPillarFactory(strategy=strategy, goals=[goal], target_share=100)
    return goal


def goal_fields(**overrides):
    """Valid fields of a goal for services.goal_create (a 2025 leads goal)."""
    return {
        "objective": "leads",
        "kpi": "leads",
        "baseline": Decimal(40),
        "target": Decimal(120),
        "deadline": dt.date(2025, 6, 30),
    } | overrides


def submit_and_approve(strategy, owner_access):
    """Submits and approves through the services, as an owner would."""
    services.strategy_submit(access=owner_access, strategy=strategy)
    return services.strategy_approve(access=owner_access, strategy=strategy)


class BusinessProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessProfile

    organization = factory.SubFactory(OrganizationFactory)
    product = "Кофейни"


class AudienceSegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudienceSegment

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Сегмент {n}")


class CompetitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competitor

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Конкурент {n}")


class PresenceAuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PresenceAudit

    organization = factory.SubFactory(OrganizationFactory)
    platform = "vk"
    date = dt.date(2025, 1, 1)
    followers = 1000


class TrendNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrendNote

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Тренд {n}")
    kind = TrendNote.Kind.FEATURE
    noted_on = dt.date(2025, 2, 1)


class ExperimentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Experiment

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Эксперимент {n}")
    hypothesis = "Рилсы дадут больше охвата"
    kind = Experiment.Kind.FORMAT
    start_date = dt.date(2025, 3, 1)
    end_date = dt.date(2025, 3, 31)
    success_metric = "ER, %"
    success_threshold = Decimal(5)
