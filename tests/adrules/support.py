"""Helpers for the rules tests: a campaign with a plan, stat rows and CRM leads on given days."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ads.models import AdStatDaily, CampaignPlan
from crm.models import Lead, Sale
from strategy.models import Strategy
from tests.ads.factories import AdCampaignFactory
from tests.integrations.factories import SocialAccountFactory
from tests.strategy.factories import StrategyFactory


def approve_strategy(org):
    today = timezone.localdate()
    return StrategyFactory(
        organization=org,
        status=Strategy.Status.APPROVED,
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=300),
    )


def campaign(org, *, platform="demo", budget="1000.00", target_cpl=None, external_id=None, **plan):
    account = SocialAccountFactory(organization=org, platform=platform)
    c = AdCampaignFactory(
        organization=org,
        account=account,
        daily_budget=Decimal(budget) if budget else None,
        currency="RUB",
        **({"external_id": external_id} if external_id else {}),
    )
    if target_cpl is not None or plan:
        CampaignPlan.objects.create(
            organization=org, campaign=c, target_cpl=Decimal(target_cpl) if target_cpl else None, **plan
        )
    return c


def yesterday(org):
    return org.today() - dt.timedelta(days=1)


def stat(c, day, **metrics):
    return AdStatDaily.objects.create(
        organization=c.organization, account=c.account, campaign=c, day=day, currency="RUB", **metrics
    )


def leads(c, day, n, *, prefix="L", sale=None):
    org = c.organization
    at = dt.datetime.combine(day, dt.time(12), tzinfo=org.tzinfo)
    made = []
    for i in range(n):
        lead = Lead.objects.create(organization=org, external_id=f"{prefix}{c.pk}-{day}-{i}", campaign=c, created=at)
        made.append(lead)
        if sale is not None:
            Sale.objects.create(
                organization=org,
                external_id=f"S{lead.pk}",
                lead=lead,
                amount=Decimal(sale),
                currency=org.currency,
                sold_at=at,
            )
    return made
