"""Optimization rules: boundaries, modes, dry run, exactly-once execution, the connector."""

import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adrules import services
from adrules.models import ActionKind, ActionStatus, Condition, Mode, OptimizationRule, RuleAction, RuleEvaluation
from ads.models import AdCampaign, BudgetChange, CampaignStatus
from core import events
from core.errors import DomainError
from integrations.connectors.meta_ads import MetaAdsConnector
from tests.integrations.connectors.conftest import resolve_fixtures_dir
from tests.strategy.factories import BusinessProfileFactory

from .support import approve_strategy, campaign, leads, stat, yesterday

pytestmark = pytest.mark.django_db


def cpl_rule(org, c=None, **kwargs):
    values = {
        "name": "Stop bad",
        "condition": Condition.CPL_ABOVE_TARGET,
        "window_days": 7,
        "factor": Decimal("1.5"),
        "min_spend": Decimal("3000"),
        "action": ActionKind.PAUSE,
        "mode": Mode.AUTOMATIC,
        "enabled": True,
        "campaign": c,
    }
    values.update(kwargs)
    return OptimizationRule.objects.create(organization=org, **values)


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize(
    ("spend", "n_leads", "fired"),
    [
        ("3000.00", 2, False),  # CPL 1500 = 1.5 × 1000: not above
        ("3002.00", 2, True),  # CPL 1501 > 1500
        ("2999.99", 1, False),  # spend below the minimum: not judged yet
        ("3000.00", 0, True),  # no CRM lead after the minimum spend
        ("3000.00", 3, False),  # CPL 1000
    ],
)
def test_cpl_rule_fires_exactly_above_k_times_target(org, spend, n_leads, fired):
    c = campaign(org, target_cpl="1000")
    Lead_outside = leads(c, yesterday(org) - dt.timedelta(days=10), 5, prefix="old")  # outside the window
    assert Lead_outside
    stat(c, yesterday(org), spend=Decimal(spend), impressions=1000, clicks=10)
    leads(c, yesterday(org), n_leads)
    (decision,) = services.rule_preview(organization=org, rule=cpl_rule(org))
    assert decision.fired is fired
    assert decision.figures["target_cpl"] == "1000.00"
    assert decision.figures["spend"] == spend


def test_cpl_rule_ignores_today_and_days_before_the_window(org):
    c = campaign(org, target_cpl="1000")
    stat(c, org.today(), spend=Decimal("9000"))  # today is partial: not in the window
    stat(c, yesterday(org) - dt.timedelta(days=7), spend=Decimal("9000"))  # 8 days back
    (decision,) = services.rule_preview(organization=org, rule=cpl_rule(org))
    assert decision.fired is False
    assert decision.figures["spend"] is None


def test_cpl_rule_without_target_never_fires(org):
    c = campaign(org)
    stat(c, yesterday(org), spend=Decimal("99999"))
    (decision,) = services.rule_preview(organization=org, rule=cpl_rule(org))
    assert (decision.fired, decision.reason) == (False, "The campaign has no target CPL.")


@pytest.mark.parametrize(
    ("impressions", "clicks", "fired"),
    [
        (10000, 49, True),  # 0.49 % < 0.5 %
        (10000, 50, False),  # 0.50 %: not below
        (9999, 0, False),  # too few impressions
        (10000, 0, True),
    ],
)
def test_ctr_rule_boundaries(org, impressions, clicks, fired):
    c = campaign(org)
    stat(c, yesterday(org), spend=Decimal("100"), impressions=impressions, clicks=clicks)
    rule = cpl_rule(
        org, condition=Condition.CTR_BELOW, ctr_below=Decimal("0.5"), min_impressions=10000, factor=None, min_spend=None
    )
    (decision,) = services.rule_preview(organization=org, rule=rule)
    assert decision.fired is fired


def romi_rule(org, **kwargs):
    values = {
        "condition": Condition.ROMI_ABOVE_STREAK,
        "romi_above": Decimal("100"),
        "streak_days": 3,
        "action": ActionKind.BUDGET_UP,
        "percent": Decimal("20"),
        "budget_max": Decimal("1100"),
        "factor": None,
        "min_spend": None,
    }
    values.update(kwargs)
    return cpl_rule(org, **values)


@pytest.mark.parametrize(("last_sale", "fired"), [("301", True), ("300", False)])
def test_romi_streak_needs_every_day_strictly_above(org, last_sale, fired):
    BusinessProfileFactory(organization=org, gross_margin_percent=Decimal("100"))
    c = campaign(org)
    for back, sale in ((3, "400"), (2, "400"), (1, last_sale)):
        day = org.today() - dt.timedelta(days=back)
        stat(c, day, spend=Decimal("150"))
        leads(c, day, 1, sale=sale)
    (decision,) = services.rule_preview(organization=org, rule=romi_rule(org))
    # ROMI = (revenue × 100 % − 150) ÷ 150: 400 → 166.67 %, 301 → 100.67 %, 300 → 100 % (not above).
    assert decision.fired is fired
    assert decision.figures["romi_by_day"][0] == "166.67"
    if fired:
        assert (decision.action, decision.previous_budget, decision.new_budget) == (
            ActionKind.BUDGET_UP,
            Decimal("1000.00"),
            Decimal("1100.00"),  # +20 % capped at 1,100
        )


def test_romi_streak_broken_by_a_day_without_data(org):
    BusinessProfileFactory(organization=org, gross_margin_percent=Decimal("100"))
    c = campaign(org)
    for back in (3, 1):
        day = org.today() - dt.timedelta(days=back)
        stat(c, day, spend=Decimal("100"))
        leads(c, day, 1, sale="900")
    (decision,) = services.rule_preview(organization=org, rule=romi_rule(org))
    assert decision.fired is False


# --------------------------------------------------------------------------- modes and the log


def bad_campaign(org, **kwargs):
    c = campaign(org, target_cpl="1000", **kwargs)
    stat(c, yesterday(org), spend=Decimal("5000"), impressions=1000, clicks=10)
    leads(c, yesterday(org), 1)
    return c


def test_dry_run_changes_nothing(org, django_assert_num_queries):
    approve_strategy(org)
    c = bad_campaign(org)
    rule = cpl_rule(org)
    before = (RuleEvaluation.objects.count(), RuleAction.objects.count(), BudgetChange.objects.count())
    (decision,) = services.rule_preview(organization=org, rule=rule)
    assert decision.fired
    assert decision.action == ActionKind.PAUSE
    c.refresh_from_db()
    assert c.status == CampaignStatus.ACTIVE
    assert (RuleEvaluation.objects.count(), RuleAction.objects.count(), BudgetChange.objects.count()) == before


def test_notify_mode_logs_and_does_not_act(org):
    c = bad_campaign(org)
    cpl_rule(org, mode=Mode.NOTIFY)
    assert services.rules_evaluate(organization=org) == []
    (evaluation,) = RuleEvaluation.objects.filter(organization=org)
    assert evaluation.fired
    assert evaluation.figures["cpl"] == "5000.00"
    assert evaluation.figures["limit"] == "1500.00"
    (action,) = RuleAction.objects.filter(organization=org)
    assert action.status == ActionStatus.NOTIFIED
    c.refresh_from_db()
    assert c.status == CampaignStatus.ACTIVE


def test_approval_mode_waits_then_acts_once(org, owner_access):
    c = bad_campaign(org)
    cpl_rule(org, mode=Mode.APPROVAL)
    assert services.rules_evaluate(organization=org) == []
    (action,) = RuleAction.objects.filter(organization=org)
    assert action.status == ActionStatus.PENDING
    services.action_decide(access=owner_access, action_id=action.pk, approve=True)
    done = services.action_execute(organization_id=org.pk, action_id=action.pk)
    assert done.status == ActionStatus.DONE
    assert services.action_execute(organization_id=org.pk, action_id=action.pk) is None  # not twice
    c.refresh_from_db()
    assert c.status == CampaignStatus.PAUSED
    with pytest.raises(DomainError):
        services.action_decide(access=owner_access, action_id=action.pk, approve=True)


def test_rejected_action_never_runs(org, owner_access):
    c = bad_campaign(org)
    cpl_rule(org, mode=Mode.APPROVAL)
    services.rules_evaluate(organization=org)
    action = RuleAction.objects.get(organization=org)
    services.action_decide(access=owner_access, action_id=action.pk, approve=False)
    assert services.action_execute(organization_id=org.pk, action_id=action.pk) is None
    c.refresh_from_db()
    assert c.status == CampaignStatus.ACTIVE


def test_automatic_mode_acts_and_a_second_evaluation_proposes_nothing_new(org):
    c = bad_campaign(org)
    cpl_rule(org)
    (action_id,) = services.rules_evaluate(organization=org)
    services.action_execute(organization_id=org.pk, action_id=action_id)
    c.refresh_from_db()
    assert c.status == CampaignStatus.PAUSED
    assert services.rules_evaluate(organization=org) == []  # the campaign is no longer active
    assert RuleAction.objects.filter(organization=org).count() == 1
    assert RuleEvaluation.objects.filter(organization=org).count() == 1


def test_same_window_is_proposed_once(org):
    bad_campaign(org)
    cpl_rule(org, mode=Mode.APPROVAL)
    services.rules_evaluate(organization=org)
    services.rules_evaluate(organization=org)
    assert RuleEvaluation.objects.filter(organization=org).count() == 2
    assert RuleAction.objects.filter(organization=org).count() == 1


def test_a_fired_rule_emits_rule_fired_once_per_window(org, monkeypatch):
    seen = []
    monkeypatch.setattr(events, "_sinks", [*events._sinks, lambda org_id, event, data: seen.extend(data)])
    c = bad_campaign(org)
    rule = cpl_rule(org, mode=Mode.APPROVAL)
    services.rules_evaluate(organization=org)
    services.rules_evaluate(organization=org)
    assert len(seen) == 1  # the second evaluation proposes nothing new
    assert seen[0]["rule_id"] == rule.pk
    assert seen[0]["campaign_id"] == c.pk
    assert seen[0]["action"] == ActionKind.PAUSE


def test_disabled_rules_are_not_evaluated(org):
    bad_campaign(org)
    cpl_rule(org, enabled=False)
    assert services.rules_evaluate(organization=org) == []
    assert not RuleEvaluation.objects.filter(organization=org).exists()


def test_scaling_up_passes_the_launch_gate(org):
    c = bad_campaign(org)
    rule = cpl_rule(org, action=ActionKind.BUDGET_UP, percent=Decimal("10"))
    (action_id,) = services.rules_evaluate(organization=org)
    action = services.action_execute(organization_id=org.pk, action_id=action_id)
    assert action.status == ActionStatus.BLOCKED  # no approved strategy
    c.refresh_from_db()
    assert c.daily_budget == Decimal("1000.00")
    assert rule.pk


def test_lowering_the_budget_applies_percent_and_floor(org):
    c = bad_campaign(org)
    cpl_rule(org, action=ActionKind.BUDGET_DOWN, percent=Decimal("50"), budget_min=Decimal("600"))
    (action_id,) = services.rules_evaluate(organization=org)
    action = services.action_execute(organization_id=org.pk, action_id=action_id)
    assert (action.status, action.previous_budget, action.new_budget) == (
        ActionStatus.DONE,
        Decimal("1000.00"),
        Decimal("600.00"),
    )
    c.refresh_from_db()
    assert c.daily_budget == Decimal("600.00")
    change = BudgetChange.objects.get(organization=org)
    assert (change.source, change.previous, change.new, change.ok) == (
        "rule",
        Decimal("1000.00"),
        Decimal("600.00"),
        True,
    )


# --------------------------------------------------------------------------- exactly once


def test_a_worker_that_died_mid_action_does_not_act_twice(org, monkeypatch):
    c = bad_campaign(org, platform="meta_ads", external_id="120210000000001")
    cpl_rule(org, action=ActionKind.BUDGET_DOWN, percent=Decimal("20"))
    (action_id,) = services.rules_evaluate(organization=org)
    sent = []
    monkeypatch.setattr("integrations.account_state.connector_for", lambda account: meta(sent))
    # A worker claimed it and died: the claim is fresh, so another delivery leaves it alone…
    RuleAction.objects.filter(pk=action_id).update(status=ActionStatus.EXECUTING, attempts=1)
    assert services.action_execute(organization_id=org.pk, action_id=action_id) is None
    assert sent == []
    # …and once stale it re-sends the same absolute amount (800), never 1000 × 0.8 × 0.8.
    RuleAction.objects.filter(pk=action_id).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    action = services.action_execute(organization_id=org.pk, action_id=action_id)
    assert (action.status, action.attempts) == (ActionStatus.DONE, 2)
    assert [(m, p.rsplit("/", 1)[-1], f) for m, p, f in sent] == [
        ("POST", "120210000000001", {"daily_budget": "80000"})
    ]
    c.refresh_from_db()
    assert c.daily_budget == Decimal("800.00")


# --------------------------------------------------------------------------- the connector (recorded fixtures)


def meta(sent, fixture="meta_ads/campaign.update_status.json", status=200):
    body = json.loads((resolve_fixtures_dir() / fixture).read_text(encoding="utf-8"))

    def answer(request):
        form = dict(httpx.QueryParams(request.content.decode()))
        sent.append(
            (request.method, request.url.path, {k: v for k, v in form.items() if k == "daily_budget" or k == "status"})
        )
        return httpx.Response(status, json=body)

    return MetaAdsConnector(
        "EAAG-TEST-token",
        "1029384756102938",
        currency="RUB",
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    )


def test_pause_reaches_meta_with_the_recorded_success(org, monkeypatch):
    c = bad_campaign(org, platform="meta_ads", external_id="120210000000001")
    cpl_rule(org)
    sent = []
    monkeypatch.setattr("integrations.account_state.connector_for", lambda account: meta(sent))
    (action_id,) = services.rules_evaluate(organization=org)
    action = services.action_execute(organization_id=org.pk, action_id=action_id)
    assert action.status == ActionStatus.DONE
    assert [(m, p.rsplit("/", 1)[-1], f.get("status")) for m, p, f in sent] == [("POST", "120210000000001", "PAUSED")]
    assert AdCampaign.objects.get(pk=c.pk).status == CampaignStatus.PAUSED


def test_platform_error_is_logged_and_nothing_changes(org, monkeypatch):
    c = bad_campaign(org, platform="meta_ads", external_id="120210000000001")
    cpl_rule(org, action=ActionKind.BUDGET_DOWN, percent=Decimal("20"))
    sent = []
    monkeypatch.setattr(
        "integrations.account_state.connector_for",
        lambda account: meta(sent, "meta_ads/error.invalid_parameter.json", status=400),
    )
    (action_id,) = services.rules_evaluate(organization=org)
    action = services.action_execute(organization_id=org.pk, action_id=action_id)
    assert action.status == ActionStatus.FAILED
    assert action.error
    assert len(sent) == 1
    c.refresh_from_db()
    assert c.daily_budget == Decimal("1000.00")
    change = BudgetChange.objects.get(organization=org)
    assert (change.ok, change.new) == (False, Decimal("800.00"))
    assert services.action_execute(organization_id=org.pk, action_id=action_id) is None  # failed: not retried blindly


# --------------------------------------------------------------------------- templates and validation


def test_templates_are_shipped_off_and_installed_once(org, owner_access):
    first = services.rule_templates_install(access=owner_access)
    assert len(first) == 3
    assert not any(rule.enabled for rule in first)
    assert services.rule_templates_install(access=owner_access) == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"condition": "cpl_above_target", "action": "pause", "factor": "1.5"}, "min_spend"),
        (
            {"condition": "ctr_below", "action": "pause", "ctr_below": "1", "min_impressions": 10, "window_days": 0},
            "window_days",
        ),
        ({"condition": "ctr_below", "action": "budget_up", "ctr_below": "1", "min_impressions": 10}, "percent"),
        ({"condition": "nope", "action": "pause"}, "condition"),
    ],
)
def test_bad_rules_are_refused_with_the_field(org, owner_access, data, field):
    with pytest.raises(DomainError) as caught:
        services.rule_create(access=owner_access, data={"name": "x", **data})
    assert list(caught.value.fields) == [field]
    assert not OptimizationRule.objects.filter(organization=org).exists()


# --------------------------------------------------------------------------- after each sync, constant reads


def test_rules_run_after_an_ad_stats_sync(org, django_capture_on_commit_callbacks):
    from integrations.models import SyncKind
    from integrations.services import demo_account_connect
    from integrations.sync import account_sync

    account = demo_account_connect(organization=org, sync=False)
    OptimizationRule.objects.create(
        organization=org,
        name="CTR",
        condition=Condition.CTR_BELOW,
        ctr_below=Decimal("100"),
        min_impressions=1,
        action=ActionKind.NOTIFY,
        enabled=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        account_sync(account_id=account.pk, plan="full", days=5, kinds=[SyncKind.CAMPAIGNS, SyncKind.AD_STATS])
    assert RuleEvaluation.objects.filter(organization=org).exists()


def test_preview_reads_a_constant_number_of_queries(org, django_assert_max_num_queries):
    rule = cpl_rule(org)
    bad_campaign(org)
    with django_assert_max_num_queries(12) as few:
        services.rule_preview(organization=org, rule=rule)
    for _n in range(8):
        bad_campaign(org)
    with django_assert_max_num_queries(len(few)):
        assert len(services.rule_preview(organization=org, rule=rule)) == 9


def test_a_rate_limited_call_is_retried_then_succeeds(org, monkeypatch):
    c = bad_campaign(org, platform="meta_ads", external_id="120210000000001")
    cpl_rule(org, action=ActionKind.BUDGET_DOWN, percent=Decimal("20"))
    sent = []
    answers = iter(
        [
            meta(sent, "meta_ads/error.rate_limit_ads_management.json", status=400),
            meta(sent),
        ]
    )
    monkeypatch.setattr("integrations.account_state.connector_for", lambda account: next(answers))
    (action_id,) = services.rules_evaluate(organization=org)
    first = services.action_execute(organization_id=org.pk, action_id=action_id)
    assert (first.status, first.attempts) == (ActionStatus.APPROVED, 1)  # left for a retry
    assert first.error  # the platform's message is kept
    second = services.action_execute(organization_id=org.pk, action_id=action_id)
    assert (second.status, second.attempts, second.error) == (ActionStatus.DONE, 2, "")
    assert len(sent) == 2
    c.refresh_from_db()
    assert c.daily_budget == Decimal("800.00")


def _evaluation_queries(org, n):
    """Queries of one evaluation over `n` fresh campaigns that all fire (and one per rule on none)."""
    made = [bad_campaign(org) for _ in range(n)]
    with CaptureQueriesContext(connection) as captured:
        services.rules_evaluate(organization=org)
    return made, len(captured)


@pytest.mark.parametrize("mode", [Mode.AUTOMATIC, Mode.APPROVAL])
def test_evaluation_queries_do_not_grow_with_campaigns(org, other_org, mode):
    approve_strategy(org)
    approve_strategy(other_org)
    cpl_rule(org, mode=mode)
    cpl_rule(other_org, mode=mode)
    few_campaigns, few = _evaluation_queries(org, 2)
    many_campaigns, many = _evaluation_queries(other_org, 10)
    assert few == many
    for campaigns, organization in ((few_campaigns, org), (many_campaigns, other_org)):
        logged = RuleEvaluation.objects.filter(organization=organization)
        assert sorted(logged.values_list("campaign_id", flat=True)) == sorted(c.pk for c in campaigns)
        assert all(logged.values_list("fired", flat=True))
        actions = RuleAction.objects.filter(organization=organization)
        assert sorted(actions.values_list("campaign_id", flat=True)) == sorted(c.pk for c in campaigns)
        assert {a.evaluation.campaign_id == a.campaign_id for a in actions.select_related("evaluation")} == {True}
    # A second evaluation logs again and proposes nothing new, with the same number of queries.
    with CaptureQueriesContext(connection) as again:
        assert services.rules_evaluate(organization=other_org) == []
    assert len(again) <= many  # no event to deliver this time
    assert RuleAction.objects.filter(organization=other_org).count() == 10
    assert RuleEvaluation.objects.filter(organization=other_org).count() == 20
