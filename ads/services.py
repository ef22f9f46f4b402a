"""Ad campaigns: sync steps (campaigns, daily stats) and campaign control (launch, pause, budget).

Launching is gated by the approved strategy (``strategy.launch_gate``): nothing launches
without one. Control calls the platform first (the connector's ``set_campaign_status`` /
``set_campaign_budget``) and stores the new state only when the platform accepted it; the
demo platform's connector simulates the change (``integrations.account_state.connector_call``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

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
from core.errors import DomainError
from core.numbers import money
from core.vocabulary import CampaignStatus
from integrations.account_state import connector_call
from integrations.bulk import UpsertResult, bulk_upsert
from integrations.connectors.base import (
    AdUnitStatDay,
    Capability,
    Connector,
    RemoteAd,
    RemoteAdSet,
    RemoteCampaign,
)
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
AD_SET_KEY = ["organization_id", "campaign_id", "external_id"]
CREATIVE_KEY = ["organization_id", "ad_set_id", "external_id"]
AD_SET_STAT_KEY = ["organization_id", "ad_set_id", "day"]
CREATIVE_STAT_KEY = ["organization_id", "creative_id", "day"]
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
    fetched, written, results = len(campaigns), result.written, [("campaigns", result)]
    if Capability.AD_UNITS in connector.capabilities:
        unit_fetched, unit_results = ad_units_sync(account=account, connector=connector)
        fetched += unit_fetched
        written += sum(r.written for _name, r in unit_results)
        results += unit_results
    return StepResult(fetched=fetched, written=written, **step_quality(connector, results))


# --------------------------------------------------------------------------- ad sets and creatives


def lead_code(tracked_url: str, utm: dict[str, str]) -> str:
    """What a CRM lead brings back from a creative: its tracked link's code (``…/l/<code>``), else
    its ``utm_content`` tag (docs/ads.md)."""
    path = urlsplit(tracked_url or "").path
    if "/l/" in path:
        code = path.rsplit("/l/", 1)[1].strip("/")
        if code:
            return code[:200]
    return str((utm or {}).get("utm_content") or "")[:200]


def _campaign_ids(account: SocialAccount, external_ids: set[str]) -> dict[str, int]:
    return dict(
        AdCampaign.objects.filter(
            organization_id=account.organization_id, account_id=account.pk, external_id__in=external_ids
        ).values_list("external_id", "id")
    )


def _ad_set_ids(account: SocialAccount, campaign_ids: dict[str, int]) -> dict[tuple[str, str], int]:
    """(campaign external id, ad set external id) → ad set id, for the account's campaigns."""
    by_pk = {pk: ext for ext, pk in campaign_ids.items()}
    found = AdSet.objects.filter(organization_id=account.organization_id, campaign_id__in=list(by_pk)).values_list(
        "campaign_id", "external_id", "id"
    )
    return {(by_pk[campaign], ext): pk for campaign, ext, pk in found}


def ad_set_rows(account: SocialAccount, ad_sets: list[RemoteAdSet], campaigns: dict[str, int]) -> list[dict[str, Any]]:
    """Ad sets of campaigns this account knows (an ad set of an unknown campaign is left for the
    next sync, after its campaign is listed)."""
    return [
        {
            "organization_id": account.organization_id,
            "campaign_id": campaigns[a.campaign_external_id],
            "external_id": a.external_id[:100],
            "name": (a.name or a.external_id)[:300],
            "status": a.status if a.status in _STATUSES else CampaignStatus.PAUSED,
            "daily_budget": a.daily_budget,
            "geo": list(a.geo),
            # An inverted range from a platform would break the check constraint: keep the spec only.
            "age_min": a.age_min if a.age_min is None or a.age_max is None or a.age_min <= a.age_max else None,
            "age_max": a.age_max if a.age_min is None or a.age_max is None or a.age_min <= a.age_max else None,
            "gender": a.gender if a.gender in AdSet.Gender.values else AdSet.Gender.ALL,
            "interests": list(a.interests),
            "custom_audiences": list(a.custom_audiences),
            "raw_spec": dict(a.raw_spec),
        }
        for a in ad_sets
        if a.campaign_external_id in campaigns
    ]


def creative_rows(
    account: SocialAccount, ads: list[RemoteAd], ad_sets: dict[tuple[str, str], int]
) -> list[dict[str, Any]]:
    rows = []
    for ad in ads:
        ad_set_id = ad_sets.get((ad.campaign_external_id, ad.ad_set_external_id))
        if ad_set_id is None:
            continue
        utm = {str(k)[:40]: str(v)[:200] for k, v in ad.utm.items()}
        rows.append(
            {
                "organization_id": account.organization_id,
                "ad_set_id": ad_set_id,
                "external_id": ad.external_id[:100],
                "name": (ad.name or ad.external_id)[:300],
                "status": ad.status if ad.status in _STATUSES else CampaignStatus.PAUSED,
                "title": ad.title[:200],
                "text": ad.text,
                "media_url": ad.media_url[:1000],
                "cta": ad.cta[:60],
                "destination_url": ad.destination_url[:1000],
                "utm": utm,
                "lead_code": lead_code("", utm),
            }
        )
    return rows


def ad_units_sync(*, account: SocialAccount, connector: Connector) -> tuple[int, list[tuple[str, UpsertResult]]]:
    """Ad sets (audience fields + raw spec) and ads (creatives) of the account, upserted by their
    organization-scoped natural keys, so a second sync changes nothing. Ads whose ad set lists
    under a campaign the account has not listed are skipped until it is."""
    ad_sets = connector.fetch_ad_sets()
    ads = connector.fetch_ads()
    # Meta names an ad's campaign on the ad; where it does not, the ad set's campaign is used.
    campaign_of_set = {a.external_id: a.campaign_external_id for a in ad_sets}
    ads = [
        ad
        if ad.campaign_external_id
        else replace(ad, campaign_external_id=campaign_of_set.get(ad.ad_set_external_id, ""))
        for ad in ads
    ]
    campaigns = _campaign_ids(account, {a.campaign_external_id for a in ad_sets})
    results: list[tuple[str, UpsertResult]] = []
    with transaction.atomic():
        set_result = bulk_upsert(
            AdSet, ad_set_rows(account, ad_sets, campaigns), key_fields=AD_SET_KEY, on_duplicate="last"
        )
        results.append(("ad_sets", set_result))
        creative_result = bulk_upsert(
            AdCreative,
            creative_rows(account, ads, _ad_set_ids(account, campaigns)),
            key_fields=CREATIVE_KEY,
            on_duplicate="last",
        )
        results.append(("creatives", creative_result))
    return len(ad_sets) + len(ads), results


def _stat_values(account: SocialAccount, s: AdUnitStatDay) -> dict[str, Any]:
    return {
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


def ad_unit_stats_sync(
    *, account: SocialAccount, connector: Connector, window: SyncWindow
) -> tuple[int, list[tuple[str, UpsertResult]]]:
    """Daily ad-set and ad rows for the window. Rows of ad sets or ads not synced yet are left out
    (the next structure sync brings them; the stats are re-read with the trailing window)."""
    stats = connector.fetch_ad_unit_stats(window.since, window.until)
    if not stats:
        return 0, []
    campaigns = _campaign_ids(account, {s.campaign_external_id for s in stats})
    ad_sets = _ad_set_ids(account, campaigns)
    creatives = {
        (ad_set_id, ext): pk
        for ad_set_id, ext, pk in AdCreative.objects.filter(
            organization_id=account.organization_id, ad_set_id__in=list(ad_sets.values())
        ).values_list("ad_set_id", "external_id", "id")
    }
    set_rows, creative_rows_ = [], []
    for s in stats:
        ad_set_id = ad_sets.get((s.campaign_external_id, s.ad_set_external_id))
        if ad_set_id is None:
            continue
        base = {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "campaign_id": campaigns[s.campaign_external_id],
            "ad_set_id": ad_set_id,
            **_stat_values(account, s),
        }
        if s.level == "ad_set":
            set_rows.append(base)
        elif (creative_id := creatives.get((ad_set_id, s.ad_external_id or ""))) is not None:
            creative_rows_.append({**base, "creative_id": creative_id})
    with transaction.atomic():
        results = [
            (
                "ad_set_stats",
                bulk_upsert(AdSetStatDaily, set_rows, key_fields=AD_SET_STAT_KEY, on_duplicate="most_complete"),
            ),
            (
                "creative_stats",
                bulk_upsert(
                    AdCreativeStatDaily, creative_rows_, key_fields=CREATIVE_STAT_KEY, on_duplicate="most_complete"
                ),
            ),
        ]
    return len(stats), results


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
    fetched, written, results = len(stats), result.written, [("ad_stats", result)]
    if Capability.AD_UNITS in connector.capabilities:
        unit_fetched, unit_results = ad_unit_stats_sync(account=account, connector=connector, window=window)
        fetched += unit_fetched
        written += sum(r.written for _name, r in unit_results)
        results += unit_results
    return StepResult(fetched=fetched, written=written, **step_quality(connector, results))


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
