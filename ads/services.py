"""Ad campaigns: sync steps (campaigns, daily stats) and campaign control (launch, pause, budget).

Launching is gated by the approved strategy (``strategy.launch_gate``): nothing launches
without one. Control calls the platform first (the connector's ``set_campaign_status`` /
``set_campaign_budget``) and stores the new state only when the platform accepted it; the
demo platform's connector simulates the change (``integrations.account_state.connector_call``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.db import transaction
from django.utils.translation import gettext as _

from ads.models import AdBudget, AdCampaign, AdStatDaily, BudgetChange, CampaignPlan
from core.errors import DomainError
from core.numbers import money
from core.vocabulary import CampaignStatus
from integrations.account_state import connector_call
from integrations.bulk import bulk_upsert
from integrations.connectors.base import Connector, RemoteCampaign
from integrations.models import SocialAccount
from integrations.quality import step_quality
from integrations.steps import StepResult, SyncWindow
from strategy.launch_gate import ensure_launch_allowed
from strategy.models import Goal
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

CAMPAIGN_KEY = ["organization_id", "account_id", "external_id"]
STAT_KEY = ["organization_id", "campaign_id", "day"]
_STATUSES = frozenset(CampaignStatus.values)
MAX_DAILY_BUDGET = Decimal("100000000")


# --------------------------------------------------------------------------- sync steps


def _currency(account: SocialAccount, value: str | None) -> str:
    return (value or (account.options or {}).get("currency") or account.organization.currency or "")[:3]


def campaign_rows(account: SocialAccount, campaigns: list[RemoteCampaign]) -> list[dict[str, Any]]:
    return [
        {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "external_id": c.external_id,
            "name": (c.name or c.external_id)[:300],
            "status": c.status if c.status in _STATUSES else CampaignStatus.PAUSED,
            "effective_status": (c.effective_status or "")[:40],
            "objective": (c.objective or "")[:60],
            "daily_budget": c.daily_budget,
            "lifetime_budget": c.lifetime_budget,
            "currency": _currency(account, c.currency),
            "start_at": c.start,
            "stop_at": c.stop,
        }
        for c in campaigns
    ]


def campaigns_sync(*, account: SocialAccount, connector: Connector, window: SyncWindow) -> StepResult:
    campaigns = connector.fetch_campaigns()
    if not campaigns:
        return StepResult(**step_quality(connector))
    rows = campaign_rows(account, campaigns)
    result = bulk_upsert(AdCampaign, rows, key_fields=CAMPAIGN_KEY, on_duplicate="last")
    return StepResult(
        fetched=len(campaigns), written=result.written, **step_quality(connector, [("campaigns", result)])
    )


def ad_stats_sync(*, account: SocialAccount, connector: Connector, window: SyncWindow) -> StepResult:
    """Daily campaign totals for the trailing window; breakdown slices are not stored here."""
    stats = [s for s in connector.fetch_ad_stats(window.since, window.until) if not s.breakdown]
    if not stats:
        return StepResult(**step_quality(connector))
    external_ids = {s.campaign_external_id for s in stats}
    # Stats can name campaigns the listing no longer returns (deleted ones): create a stub
    # (never overwriting a real campaign's name) so the money is not lost.
    stubs = [
        {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "external_id": ext,
            "name": _("Campaign %(id)s") % {"id": ext},
            "status": CampaignStatus.DELETED,
            "currency": _currency(account, None),
        }
        for ext in external_ids
    ]
    bulk_upsert(AdCampaign, stubs, key_fields=CAMPAIGN_KEY, update_fields=[])
    ids = dict(
        AdCampaign.objects.filter(
            organization_id=account.organization_id, account_id=account.pk, external_id__in=external_ids
        ).values_list("external_id", "id")
    )
    rows = [
        {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "campaign_id": ids[s.campaign_external_id],
            "day": s.day,
            "spend": s.spend,
            "currency": _currency(account, s.currency),
            "impressions": s.impressions,
            "clicks": s.clicks,
            "reach": s.reach,
            "leads": s.leads,
            "conversions": s.conversions,
            "revenue": s.revenue,
        }
        for s in stats
    ]
    # Two rows for one campaign-day are a repeated or revised copy (paging overlap, a late
    # revision), not two halves: summing would double count, so the most complete row wins
    # (a real 24.87/143/7 row beats a zero copy) and the other is recorded on the run.
    # Decision record: docs/decisions/0003-duplicate-keys.md.
    result = bulk_upsert(AdStatDaily, rows, key_fields=STAT_KEY, on_duplicate="most_complete")
    return StepResult(fetched=len(stats), written=result.written, **step_quality(connector, [("ad_stats", result)]))


# --------------------------------------------------------------------------- control


def ad_campaign_get(*, organization: Organization | int, campaign_id: int) -> AdCampaign:
    queryset = AdCampaign.objects.for_organization(organization).select_related("account")
    return get_for_organization(queryset, organization, campaign_id, message=_("Campaign not found."))


def _remote(campaign: AdCampaign, call: Callable[[Connector], object]) -> None:
    """Run a control call on the platform (the demo platform simulates it in its connector)."""
    connector_call(account=campaign.account, call=call)


def _set_status(*, access: Access, campaign: AdCampaign, status: str, action: str) -> AdCampaign:
    previous = campaign.status
    _remote(campaign, lambda c: c.set_campaign_status(campaign.external_id, status))
    with transaction.atomic():
        AdCampaign.objects.for_organization(campaign.organization_id).filter(pk=campaign.pk).update(status=status)
        campaign.status = status
        audit_log_record(access=access, action=action, obj=campaign, changes={"status": [previous, status]})
    return campaign


def ad_campaign_launch(*, access: Access, campaign_id: int) -> AdCampaign:
    """Activate a campaign. Refused (``LaunchBlocked``, HTTP 400) without an approved strategy."""
    access.require(Perm.WRITE)
    campaign = ad_campaign_get(organization=access.organization, campaign_id=campaign_id)
    ensure_launch_allowed(organization=access.organization)
    if campaign.status in (CampaignStatus.ARCHIVED, CampaignStatus.DELETED):
        raise DomainError(_("An archived or deleted campaign cannot be launched."), field="status")
    if campaign.status == CampaignStatus.ACTIVE:
        return campaign
    return _set_status(access=access, campaign=campaign, status=CampaignStatus.ACTIVE, action="ads.campaign_launched")


def ad_campaign_pause(*, access: Access, campaign_id: int) -> AdCampaign:
    access.require(Perm.WRITE)
    campaign = ad_campaign_get(organization=access.organization, campaign_id=campaign_id)
    if campaign.status != CampaignStatus.ACTIVE:
        return campaign
    return _set_status(access=access, campaign=campaign, status=CampaignStatus.PAUSED, action="ads.campaign_paused")


def ad_campaign_budget_set(*, access: Access, campaign_id: int, daily_budget: Decimal | str) -> AdCampaign:
    """Set the daily budget (major units of the campaign's currency) on the platform, logged in
    ``BudgetChange``. A raise passes the strategy launch gate (it spends more); a cut never waits."""
    access.require(Perm.WRITE)
    campaign = ad_campaign_get(organization=access.organization, campaign_id=campaign_id)
    budget = budget_parse(daily_budget)
    return campaign_budget_apply(
        organization=access.organization,
        campaign=campaign,
        budget=budget,
        source=BudgetChange.Source.USER,
        actor_id=access.user.pk if access.user else None,
        access=access,
    )


def budget_parse(value: Decimal | str) -> Decimal:
    try:
        budget = money(value)
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter the daily budget as a number."), field="daily_budget") from None
    if budget <= 0 or budget >= MAX_DAILY_BUDGET:
        raise DomainError(_("The daily budget must be a positive amount."), field="daily_budget")
    return budget


def campaign_budget_apply(
    *,
    organization: Organization,
    campaign: AdCampaign,
    budget: Decimal,
    source: str,
    actor_id: int | None = None,
    access: Access | None = None,
) -> AdCampaign:
    """Send a new daily budget through the connector; store it only when the platform accepted it.
    Every attempt, accepted or refused, is a ``BudgetChange`` row."""
    if campaign.status in (CampaignStatus.ARCHIVED, CampaignStatus.DELETED):
        raise DomainError(_("An archived or deleted campaign cannot be changed."), field="daily_budget")
    previous = campaign.daily_budget
    if previous is None or budget > previous:
        ensure_launch_allowed(organization=organization)
    log = {"campaign_id": campaign.pk, "previous": previous, "new": budget}
    try:
        _remote(campaign, lambda c: c.set_campaign_budget(campaign.external_id, budget))
    except DomainError as exc:
        BudgetChange.objects.create(
            organization_id=organization.pk,
            **log,
            source=source,
            actor_id=actor_id,
            ok=False,
            error=str(exc.message)[:500],
        )
        raise
    with transaction.atomic():
        AdCampaign.objects.for_organization(campaign.organization_id).filter(pk=campaign.pk).update(daily_budget=budget)
        campaign.daily_budget = budget
        BudgetChange.objects.create(organization_id=organization.pk, **log, source=source, actor_id=actor_id)
        if access is not None:
            audit_log_record(
                access=access,
                action="ads.campaign_budget_set",
                obj=campaign,
                changes={"daily_budget": [str(previous) if previous is not None else None, str(budget)]},
            )
    return campaign


def campaign_status_apply(*, organization: Organization, campaign: AdCampaign, status: str) -> AdCampaign:
    """Pause or resume a campaign for an automated caller (optimization rules); resuming is gated."""
    if status == CampaignStatus.ACTIVE:
        ensure_launch_allowed(organization=organization)
    if campaign.status == status:
        return campaign
    _remote(campaign, lambda c: c.set_campaign_status(campaign.external_id, status))
    AdCampaign.objects.for_organization(campaign.organization_id).filter(pk=campaign.pk).update(status=status)
    campaign.status = status
    return campaign


# --------------------------------------------------------------------------- plans and budgets


class CampaignPlanData(TypedDict, total=False):
    goal: int | None
    target_cpl: Decimal | None
    target_romi: Decimal | None
    monthly_budget: Decimal | None


def campaign_plan_set(*, access: Access, campaign_id: int, data: CampaignPlanData) -> CampaignPlan:
    """Create or update a campaign's goal, target CPL/ROMI and monthly budget."""
    access.require(Perm.WRITE)
    campaign = ad_campaign_get(organization=access.organization, campaign_id=campaign_id)
    values: dict[str, Any] = {}
    if "goal" in data:
        goal_id = data["goal"]
        if goal_id is not None and not Goal.objects.for_organization(access.organization).filter(pk=goal_id).exists():
            raise DomainError(_("Choose a goal of this organization."), field="goal")
        values["goal_id"] = goal_id
    for field in ("target_cpl", "target_romi", "monthly_budget"):
        if field in data:
            value = data[field]
            if value is not None and field != "target_romi" and value <= 0:
                raise DomainError(_("Enter a positive amount."), field=field)
            values[field] = value
    with transaction.atomic():
        plan, _created = CampaignPlan.objects.update_or_create(
            organization=access.organization, campaign=campaign, defaults=values
        )
        audit_log_record(
            access=access, action="ads.campaign_plan_set", obj=campaign, changes={k: str(v) for k, v in values.items()}
        )
    return plan


def ad_budget_set(*, access: Access, month: dt.date, amount: Decimal) -> AdBudget:
    """The organization's monthly ad budget (all campaigns) for the month of ``month``."""
    access.require(Perm.WRITE)
    if amount <= 0 or amount >= MAX_DAILY_BUDGET * 31:
        raise DomainError(_("Enter a positive amount."), field="amount")
    with transaction.atomic():
        budget, _created = AdBudget.objects.update_or_create(
            organization=access.organization, month=month.replace(day=1), defaults={"amount": money(amount)}
        )
        audit_log_record(access=access, action="ads.budget_set", obj=budget, changes={"amount": str(budget.amount)})
    return budget
