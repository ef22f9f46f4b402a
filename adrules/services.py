"""Optimization rules: evaluate, preview (dry run), propose, approve, execute exactly once.

``rules_evaluate`` runs after every successful ad-stats sync (``signals.py`` → ``tasks.py``) and
on demand. Each enabled rule is checked on each campaign it covers over its trailing window,
which ends yesterday (the last complete day; today's cabinet figures are partial). Every check is
a ``RuleEvaluation`` with the figures it read. A fired rule proposes one ``RuleAction`` per rule,
campaign and window end (the idempotency key); by the rule's mode the action is only a
notification, waits for approval, or is approved at once and executed.

Execution claims the action under a row lock (approved → executing) in its own transaction, calls
the platform through ``ads.services`` (connector + launch gate for anything that spends more),
then records done/failed. The request is absolute (pause; set the daily budget to an amount fixed
when the action was proposed), so a redelivered task after a worker died mid-call re-sends the
same state and cannot compound a change; a fresh "executing" claim is left to its worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ads.models import AdCampaign, CampaignPlan
from ads.services import campaign_budget_apply, campaign_status_apply
from core.errors import Conflict, DomainError
from core.events import Event, emit_many
from core.numbers import money
from core.vocabulary import CampaignStatus
from integrations.connectors.errors import RateLimited, TransientError
from strategy.launch_gate import LaunchBlocked
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

from .figures import Scorecard, campaign_scorecards
from .models import ActionKind, ActionStatus, Condition, Mode, OptimizationRule, RuleAction, RuleEvaluation

MAX_ATTEMPTS = 3
STALE_CLAIM = dt.timedelta(minutes=10)  # an "executing" claim older than this was left by a dead worker
MAX_WINDOW_DAYS = 90
MAX_STREAK_DAYS = 14


# --------------------------------------------------------------------------- editing


class RuleData(TypedDict, total=False):
    name: str
    enabled: bool
    mode: str
    campaign: int | None
    condition: str
    window_days: int
    factor: Decimal | None
    min_spend: Decimal | None
    ctr_below: Decimal | None
    min_impressions: int | None
    romi_above: Decimal | None
    streak_days: int | None
    action: str
    percent: Decimal | None
    budget_min: Decimal | None
    budget_max: Decimal | None


REQUIRED = {
    Condition.CPL_ABOVE_TARGET: ("factor", "min_spend"),
    Condition.CTR_BELOW: ("ctr_below", "min_impressions"),
    Condition.ROMI_ABOVE_STREAK: ("romi_above", "streak_days"),
}

TEMPLATES: dict[str, dict[str, Any]] = {
    "stop_bad_cpl": {
        "name": "Stop bad: CRM CPL above 1.5 × target",
        "condition": Condition.CPL_ABOVE_TARGET,
        "window_days": 7,
        "factor": Decimal("1.5"),
        "min_spend": Decimal("3000"),
        "action": ActionKind.PAUSE,
        "mode": Mode.APPROVAL,
    },
    "stop_bad_ctr": {
        "name": "Stop bad: CTR below 0.5 % after 5,000 impressions",
        "condition": Condition.CTR_BELOW,
        "window_days": 7,
        "ctr_below": Decimal("0.5"),
        "min_impressions": 5000,
        "action": ActionKind.BUDGET_DOWN,
        "percent": Decimal("30"),
        "budget_min": Decimal("300"),
        "mode": Mode.APPROVAL,
    },
    "scale_good_romi": {
        "name": "Scale good: ROMI above 100 % for 3 days",
        "condition": Condition.ROMI_ABOVE_STREAK,
        "window_days": 3,
        "romi_above": Decimal("100"),
        "streak_days": 3,
        "action": ActionKind.BUDGET_UP,
        "percent": Decimal("20"),
        "budget_max": Decimal("10000"),
        "mode": Mode.APPROVAL,
    },
}


DECIMALS = ("factor", "min_spend", "ctr_below", "romi_above", "percent", "budget_min", "budget_max")


def _validated(organization: Organization, data: RuleData, rule: OptimizationRule | None) -> dict[str, Any]:
    values: dict[str, Any] = {k: v for k, v in data.items() if k != "campaign"}
    for name in DECIMALS:
        if values.get(name) is not None:
            try:
                values[name] = Decimal(str(values[name]))
            except InvalidOperation:
                raise DomainError(_("Enter a number."), field=name) from None
            if not values[name].is_finite() or abs(values[name]) >= Decimal("1e12"):
                raise DomainError(_("Enter a number."), field=name)
    if "campaign" in data:
        campaign_id = data["campaign"]
        if (
            campaign_id is not None
            and not AdCampaign.objects.for_organization(organization).filter(pk=campaign_id).exists()
        ):
            raise DomainError(_("Choose a campaign of this organization."), field="campaign")
        values["campaign_id"] = campaign_id
    merged = {f.name: getattr(rule, f.attname) for f in OptimizationRule._meta.concrete_fields} if rule else {}
    merged.update(values)
    if not (merged.get("name") or "").strip():
        raise DomainError(_("Name the rule."), field="name")
    condition = merged.get("condition")
    if condition not in Condition.values:
        raise DomainError(_("Choose a condition."), field="condition")
    if merged.get("action") not in ActionKind.values:
        raise DomainError(_("Choose an action."), field="action")
    if merged.get("mode", Mode.NOTIFY) not in Mode.values:
        raise DomainError(_("Choose a mode."), field="mode")
    for name in REQUIRED[Condition(condition)]:
        if merged.get(name) is None:
            raise DomainError(_("This condition needs this figure."), field=name)
    window = merged.get("window_days")
    window = 7 if window is None else window
    if not 1 <= window <= MAX_WINDOW_DAYS:
        raise DomainError(_("The window is 1 to 90 days."), field="window_days")
    streak = merged.get("streak_days")
    if streak is not None and not 1 <= streak <= MAX_STREAK_DAYS:
        raise DomainError(_("Consecutive days are 1 to 14."), field="streak_days")
    for name in ("factor", "min_spend", "ctr_below", "romi_above", "budget_min", "budget_max"):
        value = merged.get(name)
        if value is not None and value < 0 and name != "romi_above":
            raise DomainError(_("Enter a number that is not negative."), field=name)
    if merged.get("action") in (ActionKind.BUDGET_DOWN, ActionKind.BUDGET_UP):
        percent = merged.get("percent")
        if percent is None or not Decimal(0) < percent <= Decimal(90):
            raise DomainError(_("A budget change is 0.01 to 90 percent."), field="percent")
    low, high = merged.get("budget_min"), merged.get("budget_max")
    if low is not None and high is not None and low > high:
        raise DomainError(_("The floor is above the cap."), field="budget_min")
    return values


def rule_create(*, access: Access, data: RuleData) -> OptimizationRule:
    access.require(Perm.WRITE)
    values = _validated(access.organization, data, None)
    with transaction.atomic():
        rule = OptimizationRule.objects.create(organization=access.organization, **values)
        audit_log_record(access=access, action="adrules.rule_created", obj=rule, changes={"name": rule.name})
    return rule


def rule_draft(*, organization: Organization, rule: OptimizationRule | None, data: RuleData) -> OptimizationRule:
    """An unsaved rule with the editor's values, validated like a save: what the preview runs."""
    values = _validated(organization, data, rule)
    draft = OptimizationRule(organization=organization)
    if rule is not None:
        for f in OptimizationRule._meta.concrete_fields:
            setattr(draft, f.attname, getattr(rule, f.attname))
    for name, value in values.items():
        setattr(draft, name, value)
    draft.pk = draft.pk or 0
    return draft


def rule_get(*, organization: Organization | int, rule_id: int, lock: bool = False) -> OptimizationRule:
    queryset = OptimizationRule.objects.for_organization(organization)
    if not lock:  # FOR UPDATE refuses the nullable side of the campaign join
        queryset = queryset.select_related("campaign")
    return get_for_organization(queryset, organization, rule_id, message=_("Rule not found."), lock=lock)


def rule_update(*, access: Access, rule_id: int, data: RuleData) -> OptimizationRule:
    access.require(Perm.WRITE)
    with transaction.atomic():
        rule = rule_get(organization=access.organization, rule_id=rule_id, lock=True)
        values = _validated(access.organization, data, rule)
        for name, value in values.items():
            setattr(rule, name, value)
        rule.save()
        audit_log_record(
            access=access, action="adrules.rule_updated", obj=rule, changes={k: str(v) for k, v in values.items()}
        )
    return rule


def rule_delete(*, access: Access, rule_id: int) -> None:
    access.require(Perm.WRITE)
    with transaction.atomic():
        rule = rule_get(organization=access.organization, rule_id=rule_id, lock=True)
        audit_log_record(access=access, action="adrules.rule_deleted", obj=rule, changes={"name": rule.name})
        rule.delete()


def rule_templates_install(*, access: Access) -> list[OptimizationRule]:
    """The shipped "stop bad / scale good" rules, disabled; a template already installed is kept."""
    access.require(Perm.WRITE)
    created = []
    with transaction.atomic():
        existing = set(
            OptimizationRule.objects.for_organization(access.organization)
            .exclude(template="")
            .values_list("template", flat=True)
        )
        for key, values in TEMPLATES.items():
            if key in existing:
                continue
            data = dict(values, name=_(values["name"]))
            created.append(
                OptimizationRule.objects.create(organization=access.organization, template=key, enabled=False, **data)
            )
    return created


# --------------------------------------------------------------------------- deciding


@dataclass
class Decision:
    """What a rule concludes on one campaign: the figures it read and the action it would take."""

    campaign: AdCampaign
    fired: bool
    figures: dict[str, Any]
    reason: str
    action: str = ""
    previous_budget: Decimal | None = None
    new_budget: Decimal | None = None
    window: tuple[dt.date, dt.date] = field(default=(dt.date.min, dt.date.min))

    @property
    def window_start(self) -> dt.date:
        return self.window[0]

    @property
    def window_end(self) -> dt.date:
        return self.window[1]

    @property
    def action_label(self) -> str:
        return str(ActionKind(self.action).label) if self.action else ""


def rule_window(rule: OptimizationRule, today: dt.date) -> tuple[dt.date, dt.date]:
    """The trailing window ending yesterday (the last complete day)."""
    end = today - dt.timedelta(days=1)
    days = rule.streak_days if rule.condition == Condition.ROMI_ABOVE_STREAK else rule.window_days
    return end - dt.timedelta(days=(days or 1) - 1), end


def _s(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


def _condition(
    rule: OptimizationRule, campaign: AdCampaign, plan: CampaignPlan | None, card: Scorecard, daily: list[Scorecard]
) -> tuple[bool, dict[str, Any], str]:
    figures: dict[str, Any]
    if rule.condition == Condition.CPL_ABOVE_TARGET:
        spend, leads, cpl = card.value("ad_spend"), card.value("leads"), card.value("cpl")
        target = plan.target_cpl if plan else None
        figures = {"spend": _s(spend), "crm_leads": _s(leads), "cpl": _s(cpl), "target_cpl": _s(target)}
        limit = money((rule.factor or Decimal(0)) * target) if target else None
        figures["limit"] = _s(limit)
        if limit is None:
            return False, figures, _("The campaign has no target CPL.")
        if spend is None or spend < (rule.min_spend or 0):
            return False, figures, _("Spend is below the minimum.")
        if not leads:
            return True, figures, _("No CRM leads after the minimum spend.")
        if cpl is not None and cpl > limit:
            return True, figures, _("CRM CPL is above the limit.")
        return False, figures, _("CRM CPL is within the limit.")
    if rule.condition == Condition.CTR_BELOW:
        impressions, ctr = card.value("impressions"), card.value("ctr")
        figures = {"impressions": _s(impressions), "clicks": _s(card.value("clicks")), "ctr": _s(ctr)}
        if impressions is None or impressions < (rule.min_impressions or 0):
            return False, figures, _("Too few impressions yet.")
        if ctr is not None and ctr < (rule.ctr_below or 0):
            return True, figures, _("CTR is below the threshold.")
        return False, figures, _("CTR is at or above the threshold.")
    romis = [day.value("romi") for day in daily]
    figures = {"romi_by_day": [_s(r) for r in romis], "threshold": _s(rule.romi_above)}
    threshold = rule.romi_above if rule.romi_above is not None else Decimal(0)
    if romis and all(r is not None and r > threshold for r in romis):
        return True, figures, _("ROMI was above the threshold every day.")
    return False, figures, _("ROMI was not above the threshold every day.")


def _new_budget(rule: OptimizationRule, previous: Decimal | None) -> Decimal | None:
    if previous is None or rule.percent is None:
        return None
    sign = 1 if rule.action == ActionKind.BUDGET_UP else -1
    value = money(
        (previous * (Decimal(100) + sign * rule.percent) / Decimal(100)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    )
    if rule.budget_max is not None:
        value = min(value, rule.budget_max)
    if rule.budget_min is not None:
        value = max(value, rule.budget_min)
    return value


def _campaigns(organization: Organization, rules: Iterable[OptimizationRule]) -> dict[int, AdCampaign]:
    rules = list(rules)
    queryset = AdCampaign.objects.for_organization(organization).select_related("account")
    if all(rule.campaign_id for rule in rules):
        queryset = queryset.filter(pk__in=[rule.campaign_id for rule in rules])
    else:
        queryset = queryset.filter(status=CampaignStatus.ACTIVE)
    return {campaign.pk: campaign for campaign in queryset}


def decide(
    *, organization: Organization, rules: Iterable[OptimizationRule], today: dt.date
) -> dict[int, list[Decision]]:
    """What each rule concludes on each campaign it covers (active ones, or its own campaign), from
    current data; writes nothing. Queries: one for campaigns, one for plans, then per distinct
    window the figures (a constant number: rules share windows, the streak adds one per day)."""
    rules = list(rules)
    if not rules:
        return {}
    campaigns = _campaigns(organization, rules)
    plans = {
        p.campaign_id: p for p in CampaignPlan.objects.for_organization(organization).filter(campaign_id__in=campaigns)
    }
    cards_by_window: dict[tuple[dt.date, dt.date], dict[int, Scorecard]] = {}

    def cards(start: dt.date, end: dt.date) -> dict[int, Scorecard]:
        if (start, end) not in cards_by_window:
            cards_by_window[(start, end)] = campaign_scorecards(
                organization=organization, start=start, end=end, campaign_ids=campaigns
            )
        return cards_by_window[(start, end)]

    decisions: dict[int, list[Decision]] = {}
    for rule in rules:
        start, end = rule_window(rule, today)
        covered = [campaigns[rule.campaign_id]] if rule.campaign_id in campaigns else []
        if not rule.campaign_id:
            covered = [c for c in campaigns.values() if c.status == CampaignStatus.ACTIVE]
        found = []
        for campaign in covered:
            daily = []
            if rule.condition == Condition.ROMI_ABOVE_STREAK:
                day = start
                while day <= end:
                    daily.append(cards(day, day)[campaign.pk])
                    day += dt.timedelta(days=1)
            fired, figures, reason = _condition(
                rule, campaign, plans.get(campaign.pk), cards(start, end)[campaign.pk], daily
            )
            decision = Decision(campaign, fired, figures, str(reason), window=(start, end))
            if fired:
                decision.action = rule.action
                if rule.action in (ActionKind.BUDGET_DOWN, ActionKind.BUDGET_UP):
                    decision.previous_budget = campaign.daily_budget
                    decision.new_budget = _new_budget(rule, campaign.daily_budget)
                    if decision.new_budget is None or decision.new_budget == campaign.daily_budget:
                        decision.action = ActionKind.NOTIFY
                        decision.reason += " " + _("The budget is already at its limit or unknown: notify only.")
                elif rule.action == ActionKind.PAUSE and campaign.status != CampaignStatus.ACTIVE:
                    decision.action = ActionKind.NOTIFY
            found.append(decision)
        decisions[rule.pk] = found
    return decisions


def rule_preview(*, organization: Organization, rule: OptimizationRule) -> list[Decision]:
    """Dry run: what the rule would do on current data. Reads only; nothing is written or sent."""
    return decide(organization=organization, rules=[rule], today=organization.today()).get(rule.pk, [])


# --------------------------------------------------------------------------- evaluating and acting


def rules_evaluate(*, organization: Organization) -> list[int]:
    """Evaluate every enabled rule and log it; propose actions (once per rule, campaign and window
    end). Returns the ids of actions approved for execution (automatic mode).

    One transaction and a constant number of writes whatever the number of rules and campaigns: the
    log rows in one insert, the new actions in another (see `_propose`)."""
    rules = list(OptimizationRule.objects.for_organization(organization).filter(enabled=True))
    decisions = decide(organization=organization, rules=rules, today=organization.today())
    made = [(rule, decision) for rule in rules for decision in decisions.get(rule.pk, [])]
    if not made:
        return []
    with transaction.atomic():
        evaluations = RuleEvaluation.objects.bulk_create(
            [
                RuleEvaluation(
                    organization=organization,
                    rule=rule,
                    campaign=decision.campaign,
                    window_start=decision.window[0],
                    window_end=decision.window[1],
                    fired=decision.fired,
                    figures=decision.figures,
                    reason=decision.reason[:300],
                )
                for rule, decision in made
            ]
        )
        fired = [
            (rule, decision, evaluation)
            for (rule, decision), evaluation in zip(made, evaluations, strict=True)
            if decision.fired
        ]
        actions = _propose(organization, fired)
    return [action.pk for action in actions if action.status == ActionStatus.APPROVED]


def _action_status(rule: OptimizationRule, decision: Decision) -> str:
    if decision.action == ActionKind.NOTIFY or rule.mode == Mode.NOTIFY:
        return ActionStatus.NOTIFIED
    if rule.mode == Mode.APPROVAL:
        return ActionStatus.PENDING
    return ActionStatus.APPROVED


def _propose(
    organization: Organization, fired: list[tuple[OptimizationRule, Decision, RuleEvaluation]]
) -> list[RuleAction]:
    """The actions of fired decisions not proposed before (one per rule, campaign and window end,
    the idempotency key), and one `rule.fired` event for each. Three queries whatever their number:
    inserted with conflicts ignored (a concurrent evaluation may have proposed the same key), then
    read back by this evaluation's log rows, so only the ones inserted here are announced."""
    if not fired:
        return []
    wanted = [
        RuleAction(
            organization=organization,
            rule=rule,
            evaluation=evaluation,
            campaign=decision.campaign,
            kind=decision.action,
            status=_action_status(rule, decision),
            idempotency_key=f"r{rule.pk}-c{decision.campaign.pk}-{decision.window[1].isoformat()}",
            previous_budget=decision.previous_budget,
            new_budget=decision.new_budget,
        )
        for rule, decision, evaluation in fired
    ]
    RuleAction.objects.bulk_create(wanted, ignore_conflicts=True)
    created = {
        action.evaluation_id: action
        for action in RuleAction.objects.for_organization(organization).filter(
            evaluation_id__in=[evaluation.pk for _rule, _decision, evaluation in fired]
        )
    }
    proposed = []
    payloads = []
    for rule, decision, evaluation in fired:
        action = created.get(evaluation.pk)
        if action is None:
            continue  # already proposed for this window end
        proposed.append(action)
        payloads.append(
            {
                "rule_id": rule.pk,
                "rule_name": rule.name,
                "campaign_id": decision.campaign.pk,
                "action": str(decision.action),
                "reason": decision.reason[:300],
            }
        )
    emit_many(organization.pk, Event.RULE_FIRED, payloads)
    return proposed


def action_decide(*, access: Access, action_id: int, approve: bool) -> RuleAction:
    """Approve (queued for execution) or reject a pending action."""
    access.require(Perm.WRITE)
    with transaction.atomic():
        queryset = RuleAction.objects.for_organization(access.organization)
        action = get_for_organization(
            queryset, access.organization, action_id, message=_("Action not found."), lock=True
        )
        if action.status != ActionStatus.PENDING:
            raise Conflict(_("This action is not waiting for approval."), field="status")
        action.status = ActionStatus.APPROVED if approve else ActionStatus.REJECTED
        action.decided_by = access.user
        action.save(update_fields=["status", "decided_by", "updated_at"])
        audit_log_record(
            access=access, action="adrules.action_approved" if approve else "adrules.action_rejected", obj=action
        )
    return action


def _claim(organization_id: int, action_id: int) -> RuleAction | None:
    with transaction.atomic():
        action = (
            RuleAction.objects.for_organization(organization_id)
            .select_for_update()
            .select_related("campaign__account", "organization", "rule")
            .filter(pk=action_id)
            .first()
        )
        if action is None:
            return None
        stale = action.status == ActionStatus.EXECUTING and action.updated_at < timezone.now() - STALE_CLAIM
        if action.status != ActionStatus.APPROVED and not stale:
            return None
        action.status = ActionStatus.EXECUTING
        action.attempts += 1
        action.save(update_fields=["status", "attempts", "updated_at"])
    return action


def action_execute(*, organization_id: int, action_id: int) -> RuleAction | None:
    """Send an approved action to the platform once. None when it is not claimable (done, pending,
    or being executed by another worker)."""
    action = _claim(organization_id, action_id)
    if action is None:
        return None
    organization, campaign = action.organization, action.campaign
    try:
        if action.kind == ActionKind.PAUSE:
            campaign_status_apply(organization=organization, campaign=campaign, status=CampaignStatus.PAUSED)
        elif action.kind in (ActionKind.BUDGET_DOWN, ActionKind.BUDGET_UP) and action.new_budget is not None:
            campaign_budget_apply(organization=organization, campaign=campaign, budget=action.new_budget, source="rule")
    except LaunchBlocked as exc:
        action.status, action.error = ActionStatus.BLOCKED, str(exc.message)[:500]
    except DomainError as exc:
        # A rate limit or a transient platform error: back to "approved" for a later attempt
        # (the task retries with a growing delay) until MAX_ATTEMPTS; anything else is final.
        transient = isinstance(exc.__context__, RateLimited | TransientError) and action.attempts < MAX_ATTEMPTS
        action.status = ActionStatus.APPROVED if transient else ActionStatus.FAILED
        action.error = str(exc.message)[:500]
    else:
        action.status, action.error = ActionStatus.DONE, ""
    action.save(update_fields=["status", "error", "updated_at"])
    return action


def actions_pending_execution(*, organization_id: int) -> list[int]:
    """Approved actions and stale claims (a worker died mid-call) to (re)send."""
    return list(
        RuleAction.objects.for_organization(organization_id)
        .filter(status__in=[ActionStatus.APPROVED, ActionStatus.EXECUTING])
        .values_list("pk", flat=True)
    )
