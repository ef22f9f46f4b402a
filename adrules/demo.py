"""Demo: campaign plans judged by the demo's CRM leads, a monthly budget, the shipped rules (two of
them switched on) and their evaluation, so the rule log shows rules that fired."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from ads.models import AdBudget, AdCampaign, AdCreative, AdSet, BudgetChange, CampaignPlan
from ads.services import campaign_budget_apply
from core.errors import DomainError
from core.numbers import money
from core.vocabulary import CampaignStatus
from strategy.models import Goal
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.roles import Role, role_permissions

from . import services
from .figures import campaign_scorecards
from .models import Mode, OptimizationRule


def seed(*, organization: Organization, users: dict) -> None:
    if OptimizationRule.objects.for_organization(organization).exists():
        return
    owner = users["owner"]
    access = Access(organization=organization, user=owner, role=Role.OWNER, permissions=role_permissions(Role.OWNER))
    today = organization.today()
    campaigns = list(
        AdCampaign.objects.for_organization(organization).exclude(status=CampaignStatus.DELETED).order_by("pk")
    )
    goal = Goal.objects.for_organization(organization).filter(kpi="leads").order_by("pk").first()
    start = today.replace(day=1)
    cards = (
        campaign_scorecards(
            organization=organization,
            start=today - dt.timedelta(days=30),
            end=today - dt.timedelta(days=1),
            campaign_ids=[c.pk for c in campaigns],
        )
        if campaigns
        else {}
    )
    total = Decimal(0)
    for index, campaign in enumerate(campaigns):
        cpl = cards[campaign.pk].value("cpl") if campaign.pk in cards else None
        spend = cards[campaign.pk].value("ad_spend") if campaign.pk in cards else None
        # The first campaign gets a target it misses (the "stop bad" rule fires), the others one they meet.
        target = money((cpl or Decimal(1000)) * (Decimal("0.5") if index == 0 else Decimal("1.2")))
        monthly = money((spend or Decimal(10000)) * Decimal("1.3"))
        total += monthly
        CampaignPlan.objects.update_or_create(
            organization=organization,
            campaign=campaign,
            defaults={"goal": goal, "target_cpl": target, "target_romi": Decimal("50"), "monthly_budget": monthly},
        )
    AdBudget.objects.update_or_create(
        organization=organization, month=start, defaults={"amount": money(total or Decimal(50000))}
    )
    _ad_sets(organization, campaigns[:2])
    last = campaigns[-1] if campaigns else None
    if last is not None and last.daily_budget is not None:
        # A person trimmed a budget through the platform (logged as a BudgetChange).
        with contextlib.suppress(DomainError):
            campaign_budget_apply(
                organization=organization,
                campaign=last,
                budget=money(last.daily_budget * Decimal("0.9")),
                source=BudgetChange.Source.USER,
                actor_id=owner.pk,
            )
    rules = services.rule_templates_install(access=access)
    for rule in rules:
        if rule.template == "stop_bad_cpl":
            rule.enabled, rule.mode, rule.window_days, rule.min_spend = True, Mode.APPROVAL, 30, Decimal("100")
            rule.save()
        if rule.template == "stop_bad_ctr":
            rule.enabled, rule.mode, rule.min_impressions = True, Mode.NOTIFY, 100
            rule.ctr_below = Decimal("5")
            rule.save()
    services.rules_evaluate(organization=organization)


AUDIENCES = [
    {
        "name": "Казань, 25–45, кофе",
        "geo": ["RU-TA", "Казань"],
        "age_min": 25,
        "age_max": 45,
        "gender": "all",
        "interests": ["кофе", "завтраки"],
        "custom_audiences": [],
    },
    {
        "name": "Похожие на покупателей",
        "geo": ["RU-TA"],
        "age_min": 18,
        "age_max": 55,
        "gender": "female",
        "interests": [],
        "custom_audiences": ["lookalike 1 %: покупатели CRM"],
    },
]


def _ad_sets(organization: Organization, campaigns: list[AdCampaign]) -> None:
    for campaign in campaigns:
        for n, audience in enumerate(AUDIENCES):
            ad_set = AdSet.objects.create(
                organization=organization,
                campaign=campaign,
                external_id=f"{campaign.external_id}-s{n + 1}",
                status=campaign.status,
                raw_spec={"geo_locations": {"regions": [{"key": "RU-TA"}]}, "age_min": audience["age_min"]},
                **audience,
            )
            AdCreative.objects.create(
                organization=organization,
                ad_set=ad_set,
                name=f"{audience['name']}: утренний кофе",
                title="Кофе к 8 утра",
                text="Свежая обжарка и завтрак с собой — закажите в приложении.",
                cta="LEARN_MORE",
                destination_url="https://zerno.example/menu",
                utm={
                    "utm_source": campaign.account.platform,
                    "utm_medium": "cpc",
                    "utm_campaign": campaign.external_id,
                },
                tracked_url="https://zerno.example/menu?utm_medium=cpc",
            )
