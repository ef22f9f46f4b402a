"""Demo: campaign plans judged by the demo's CRM leads, a monthly budget, the shipped rules (two of
them switched on) and their evaluation, so the rule log shows rules that fired; ad sets and
creatives with their daily rows (the campaign's days split between them) and CRM leads that carry a
creative's tracked-link code, so the campaign page shows figures per ad set and creative."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from ads.models import (
    AdBudget,
    AdCampaign,
    AdCreative,
    AdCreativeStatDaily,
    AdSet,
    AdSetStatDaily,
    AdStatDaily,
    BudgetChange,
    CampaignPlan,
)
from ads.services import campaign_budget_apply
from core.errors import DomainError
from core.numbers import money
from core.vocabulary import CampaignStatus
from crm.models import Lead
from links.models import TrackedLink
from links.services import link_for
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


# Each ad set's share of the campaign's days, and each creative's share of its ad set's.
SET_SHARES = (Decimal("0.6"), Decimal("0.4"))
CREATIVE_SHARES = (Decimal("0.7"), Decimal("0.3"))
CREATIVES = (
    ("утренний кофе", "Кофе к 8 утра", "Свежая обжарка и завтрак с собой — закажите в приложении.", "LEARN_MORE"),
    ("завтрак", "Завтраки до 12:00", "Сырники, каша и кофе — от 290 ₽, с собой за 5 минут.", "ORDER_NOW"),
)


def _ad_sets(organization: Organization, campaigns: list[AdCampaign]) -> None:
    for campaign in campaigns:
        # The campaign's own tracked link (made by the links demo) carries the first creative; a
        # second link of the campaign carries the second creative of the first ad set.
        first_link = TrackedLink.objects.for_organization(organization).filter(campaign=campaign).order_by("pk").first()
        links: list[TrackedLink | None] = [first_link, None]
        if first_link is not None:
            links[1] = link_for(
                organization=organization, campaign=campaign, target_url=first_link.target_url + "&creative=2"
            )
        for n, audience in enumerate(AUDIENCES):
            ad_set = AdSet.objects.create(
                organization=organization,
                campaign=campaign,
                external_id=f"{campaign.external_id}-s{n + 1}",
                status=campaign.status,
                raw_spec={"geo_locations": {"regions": [{"key": "RU-TA"}]}, "age_min": audience["age_min"]},
                **audience,
            )
            for k, (suffix, title, text, cta) in enumerate(CREATIVES):
                link = links[k] if n == 0 else None
                utm = {
                    "utm_source": campaign.account.platform,
                    "utm_medium": "cpc",
                    "utm_campaign": campaign.external_id,
                    "utm_content": link.code if link else f"{campaign.external_id}-s{n + 1}-a{k + 1}",
                }
                AdCreative.objects.create(
                    organization=organization,
                    ad_set=ad_set,
                    external_id=f"{campaign.external_id}-s{n + 1}-a{k + 1}",
                    name=f"{audience['name']}: {suffix}",
                    status=campaign.status,
                    title=title,
                    text=text,
                    cta=cta,
                    destination_url="https://zerno.example/menu",
                    utm=utm,
                    tracked_url=link.tagged_url if link else "https://zerno.example/menu?utm_medium=cpc",
                    lead_code=utm["utm_content"],
                )
        _unit_stats(organization, campaign)
        if links[0] is not None and links[1] is not None:
            _leads_through(organization, campaign, links[0], links[1])


def _split(value, share: Decimal):
    if value is None:
        return None
    return money(value * share) if isinstance(value, Decimal) else round(value * share)


def _unit_stats(organization: Organization, campaign: AdCampaign) -> None:
    """The campaign's daily rows split between its ad sets and their creatives (reach too: the demo
    has no overlap between audiences)."""
    ad_sets = list(AdSet.objects.for_organization(organization).filter(campaign=campaign).order_by("external_id"))
    creatives = {
        s.pk: list(AdCreative.objects.for_organization(organization).filter(ad_set=s).order_by("external_id"))
        for s in ad_sets
    }
    metrics = ("spend", "impressions", "clicks", "reach", "leads", "conversions", "revenue")
    set_rows, creative_rows = [], []
    for stat in AdStatDaily.objects.for_organization(organization).filter(campaign=campaign):
        common = {
            "organization": organization,
            "account_id": stat.account_id,
            "campaign": campaign,
            "day": stat.day,
            "currency": stat.currency,
        }
        for ad_set, set_share in zip(ad_sets, SET_SHARES, strict=False):
            set_rows.append(
                AdSetStatDaily(ad_set=ad_set, **common, **{m: _split(getattr(stat, m), set_share) for m in metrics})
            )
            for creative, share in zip(creatives[ad_set.pk], CREATIVE_SHARES, strict=False):
                values = {m: _split(getattr(stat, m), set_share * share) for m in metrics}
                creative_rows.append(AdCreativeStatDaily(ad_set=ad_set, creative=creative, **common, **values))
    AdSetStatDaily.objects.bulk_create(set_rows)
    AdCreativeStatDaily.objects.bulk_create(creative_rows)


def _leads_through(organization: Organization, campaign: AdCampaign, first: TrackedLink, second: TrackedLink) -> None:
    """Every third lead that came through the campaign's link came through the second creative's."""
    through = Lead.objects.for_organization(organization).filter(campaign=campaign, utm_content=first.code)
    ids = list(through.order_by("pk").values_list("pk", flat=True))[::3]
    Lead.objects.for_organization(organization).filter(pk__in=ids).update(utm_content=second.code)
