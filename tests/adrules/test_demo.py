"""The demo shows campaigns judged by CRM leads, budgets and rules that fired."""

import datetime as dt

import pytest
from django.core.management import call_command

from adrules.figures import unit_scorecards
from adrules.models import ActionStatus, OptimizationRule, RuleAction, RuleEvaluation
from ads.models import (
    AdBudget,
    AdCreative,
    AdCreativeStatDaily,
    AdSet,
    AdSetStatDaily,
    BudgetChange,
    CampaignPlan,
)
from crm.models import Lead
from tenancy.models import Organization

pytestmark = pytest.mark.django_db


def test_demo_has_campaigns_with_crm_leads_and_rules_that_fired(settings):
    settings.DEBUG = True  # seed_demo refuses the public demo password with DEBUG off
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="zerno")
    assert Lead.objects.for_organization(org).filter(campaign__isnull=False).exists()
    assert CampaignPlan.objects.for_organization(org).filter(target_cpl__isnull=False).exists()
    assert AdBudget.objects.for_organization(org).exists()
    assert AdSet.objects.for_organization(org).exists()
    assert AdCreative.objects.for_organization(org).exists()
    assert BudgetChange.objects.for_organization(org).exists()
    rules = OptimizationRule.objects.for_organization(org)
    assert rules.count() == 3
    assert rules.filter(enabled=False).count() == 1  # "scale good" stays off
    assert RuleEvaluation.objects.for_organization(org).filter(fired=True).exists()
    assert RuleAction.objects.for_organization(org).filter(status=ActionStatus.PENDING).exists()
    # Ad sets and creatives have daily rows and CRM leads of their own.
    campaign = AdSet.objects.for_organization(org).order_by("pk").first().campaign
    today = org.today()
    start = today - dt.timedelta(days=29)
    creatives = AdCreative.objects.for_organization(org).filter(ad_set__campaign=campaign)
    cards = unit_scorecards(
        organization=org,
        start=start,
        end=today,
        campaign_id=campaign.pk,
        level="creative",
        unit_ids=[c.pk for c in creatives],
    )
    with_leads = [pk for pk, card in cards.items() if card.value("leads")]
    assert len(with_leads) >= 2
    assert all(card.value("ad_spend") for card in cards.values())
    assert AdSetStatDaily.objects.for_organization(org).filter(campaign=campaign).exists()
    # Seeding again adds nothing.
    rows = AdCreativeStatDaily.objects.for_organization(org).count()
    call_command("seed_demo", verbosity=0)
    assert OptimizationRule.objects.for_organization(org).count() == 3
    assert AdCreativeStatDaily.objects.for_organization(org).count() == rows
