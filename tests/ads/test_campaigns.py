"""Campaign control: the strategy launch gate, pause, budget, real-connector calls, tenancy."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ads.models import AdCampaign, BudgetChange, CampaignStatus
from ads.services import ad_campaign_budget_set, ad_campaign_launch, ad_campaign_pause
from core.errors import DomainError
from integrations.connectors.base import AuthExpired
from integrations.connectors.demo import DemoConnector
from integrations.models import AccountStatus
from integrations.services import demo_account_connect
from integrations.sync import account_sync
from strategy.launch_gate import LaunchBlocked
from strategy.models import Strategy
from tenancy.models import AuditLog
from tests.ads.factories import AdCampaignFactory, AdStatDailyFactory
from tests.integrations.factories import SocialAccountFactory
from tests.strategy.factories import StrategyFactory

pytestmark = pytest.mark.django_db

NO_STRATEGY = "There is no approved strategy. Write a strategy and have the owner approve it before launching."


def approve_strategy(org):
    today = timezone.localdate()
    return StrategyFactory(
        organization=org,
        status=Strategy.Status.APPROVED,
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=300),
    )


def campaign(org, *, platform="demo", status=CampaignStatus.PAUSED, **kwargs):
    account = kwargs.pop("account", None) or SocialAccountFactory(organization=org, platform=platform)
    return AdCampaignFactory(
        organization=org,
        account=account,
        external_id=kwargs.pop("external_id", "demo-c3"),
        name="Трафик — доставка",
        status=status,
        daily_budget=Decimal("700.00"),
        currency="RUB",
        **kwargs,
    )


def url(org, pk, action):
    return f"/api/v1/orgs/{org.slug}/ads/campaigns/{pk}/{action}/"


# --------------------------------------------------------------------------- the launch gate


def test_launch_without_approved_strategy_is_refused_and_nothing_changes(org, owner_access):
    paused = campaign(org)
    with pytest.raises(LaunchBlocked) as caught:
        ad_campaign_launch(access=owner_access, campaign_id=paused.pk)
    assert str(caught.value) == NO_STRATEGY
    paused.refresh_from_db()
    assert paused.status == CampaignStatus.PAUSED
    assert not AuditLog.objects.filter(action="ads.campaign_launched").exists()


def test_launch_api_without_strategy_is_400_with_the_gate_message(owner_client, org):
    paused = campaign(org)
    response = owner_client.post(url(org, paused.pk, "launch"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "launch_blocked"
    assert response.json()["error"]["message"] == NO_STRATEGY
    paused.refresh_from_db()
    assert paused.status == CampaignStatus.PAUSED


def test_a_draft_strategy_does_not_open_the_gate(owner_client, org):
    StrategyFactory(organization=org, status=Strategy.Status.DRAFT)
    paused = campaign(org)
    assert owner_client.post(url(org, paused.pk, "launch")).status_code == 400
    paused.refresh_from_db()
    assert paused.status == CampaignStatus.PAUSED


def test_launch_with_approved_strategy_activates_and_audits(owner_client, org):
    approve_strategy(org)
    paused = campaign(org)
    response = owner_client.post(url(org, paused.pk, "launch"))
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    paused.refresh_from_db()
    assert paused.status == CampaignStatus.ACTIVE
    entry = AuditLog.objects.get(action="ads.campaign_launched")
    assert entry.changes == {"status": ["paused", "active"]}


def test_demo_launch_survives_the_next_sync(org, owner_access):
    """The demo platform is simulated: a relaunch is kept and the sync reflects it."""
    approve_strategy(org)
    account = demo_account_connect(organization=org, sync=False)
    now = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)  # after demo-c3 was paused on 2026-09-01
    account_sync(
        account_id=account.pk, plan="full", connector=DemoConnector(external_id=account.external_id, clock=lambda: now)
    )
    traffic = AdCampaign.objects.get(external_id="demo-c3")
    assert traffic.status == CampaignStatus.PAUSED

    ad_campaign_launch(access=owner_access, campaign_id=traffic.pk)
    account.refresh_from_db()
    options = account.options["connector"]
    account_sync(
        account_id=account.pk,
        plan="full",
        connector=DemoConnector(external_id=account.external_id, clock=lambda: now, **options),
    )

    traffic.refresh_from_db()
    assert traffic.status == CampaignStatus.ACTIVE


def test_archived_campaign_cannot_be_launched(org, owner_access):
    approve_strategy(org)
    archived = campaign(org, status=CampaignStatus.ARCHIVED)
    with pytest.raises(DomainError):
        ad_campaign_launch(access=owner_access, campaign_id=archived.pk)
    archived.refresh_from_db()
    assert archived.status == CampaignStatus.ARCHIVED


# --------------------------------------------------------------------------- pause and budget


def test_pause_needs_no_strategy(owner_client, org):
    active = campaign(org, status=CampaignStatus.ACTIVE)
    response = owner_client.post(url(org, active.pk, "pause"))
    assert response.status_code == 200
    active.refresh_from_db()
    assert active.status == CampaignStatus.PAUSED


def test_budget_is_set_and_validated(owner_client, org):
    approve_strategy(org)  # a raise spends more: it passes the launch gate
    active = campaign(org, status=CampaignStatus.ACTIVE)
    response = owner_client.post(url(org, active.pk, "budget"), {"daily_budget": "1250.50"})
    assert response.status_code == 200
    assert response.json()["daily_budget"] == "1250.50"
    bad = owner_client.post(url(org, active.pk, "budget"), {"daily_budget": "-5"})
    assert bad.status_code == 400
    assert "daily_budget" in bad.json()["error"]["fields"]
    active.refresh_from_db()
    assert active.daily_budget == Decimal("1250.50")


def test_raising_a_budget_needs_an_approved_strategy_lowering_does_not(owner_client, org):
    active = campaign(org, status=CampaignStatus.ACTIVE)
    raised = owner_client.post(url(org, active.pk, "budget"), {"daily_budget": "800"})
    assert raised.status_code == 400
    assert raised.json()["error"]["code"] == "launch_blocked"
    lowered = owner_client.post(url(org, active.pk, "budget"), {"daily_budget": "500"})
    assert lowered.status_code == 200
    active.refresh_from_db()
    assert active.daily_budget == Decimal("500.00")
    (change,) = BudgetChange.objects.filter(organization=org)
    assert (change.previous, change.new, change.source, change.ok) == (
        Decimal("700.00"),
        Decimal("500.00"),
        "user",
        True,
    )


class FakeMetaAds:
    capabilities = frozenset()

    def __init__(self, error=None):
        self.calls = []
        self.error = error

    def set_campaign_status(self, external_id, status):
        if self.error:
            raise self.error
        self.calls.append(("status", external_id, status))

    def set_campaign_budget(self, external_id, budget):
        self.calls.append(("budget", external_id, budget))

    def close(self):
        self.calls.append(("close",))


def test_real_account_calls_the_connector(org, owner_access, monkeypatch):
    approve_strategy(org)
    meta = campaign(org, platform="meta_ads", external_id="120210000000001")
    fake = FakeMetaAds()
    monkeypatch.setattr("integrations.account_state.connector_for", lambda account: fake)

    ad_campaign_launch(access=owner_access, campaign_id=meta.pk)
    ad_campaign_budget_set(access=owner_access, campaign_id=meta.pk, daily_budget="50")
    ad_campaign_pause(access=owner_access, campaign_id=meta.pk)

    assert fake.calls == [
        ("status", "120210000000001", "active"),
        ("close",),
        ("budget", "120210000000001", Decimal("50.00")),
        ("close",),
        ("status", "120210000000001", "paused"),
        ("close",),
    ]


def test_platform_refusal_keeps_status_and_flags_the_account(org, owner_access, monkeypatch):
    approve_strategy(org)
    meta = campaign(org, platform="meta_ads", external_id="120210000000001")
    error = AuthExpired("meta_ads", 190, "Error validating access token", 463)
    monkeypatch.setattr("integrations.account_state.connector_for", lambda account: FakeMetaAds(error))

    with pytest.raises(DomainError) as caught:
        ad_campaign_launch(access=owner_access, campaign_id=meta.pk)

    assert str(caught.value) == "Meta Ads: access expired — reconnect the account"
    meta.refresh_from_db()
    meta.account.refresh_from_db()
    assert meta.status == CampaignStatus.PAUSED
    assert meta.account.status == AccountStatus.NEEDS_REAUTH


# --------------------------------------------------------------------------- tenancy and lists


def test_other_orgs_campaign_is_404_for_every_action(owner_client, org, other_org):
    approve_strategy(org)
    foreign = campaign(other_org)
    for action in ("launch", "pause", "budget"):
        assert owner_client.post(url(org, foreign.pk, action), {"daily_budget": "10"}).status_code == 404
    assert owner_client.get(f"/api/v1/orgs/{org.slug}/ads/campaigns/{foreign.pk}/").status_code == 404
    assert owner_client.get(f"/api/v1/orgs/{other_org.slug}/ads/campaigns/").status_code == 404
    foreign.refresh_from_db()
    assert (foreign.status, foreign.daily_budget) == (CampaignStatus.PAUSED, Decimal("700.00"))


def test_analyst_cannot_launch(org, make_member):
    from rest_framework.test import APIClient

    from tenancy.roles import Role

    approve_strategy(org)
    paused = campaign(org)
    client = APIClient()
    client.force_authenticate(make_member(org, Role.ANALYST).user)
    assert client.post(url(org, paused.pk, "launch")).status_code == 403
    paused.refresh_from_db()
    assert paused.status == CampaignStatus.PAUSED


def test_campaign_and_stats_lists_are_scoped_with_constant_queries(
    owner_client, org, other_org, django_assert_max_num_queries
):
    account = SocialAccountFactory(organization=org, platform="demo")
    for i in range(6):
        c = campaign(org, account=account, external_id=f"c{i}")
        AdStatDailyFactory(
            campaign=c,
            day=dt.date(2026, 6, 1),
            spend=Decimal("100.00"),
            impressions=1000,
            clicks=10,
            leads=1,
        )
    campaign(other_org, external_id="foreign")
    with django_assert_max_num_queries(8):
        response = owner_client.get(f"/api/v1/orgs/{org.slug}/ads/campaigns/")
    assert response.json()["count"] == 6
    with django_assert_max_num_queries(8):
        stats = owner_client.get(f"/api/v1/orgs/{org.slug}/ads/stats/", {"since": "2026-06-01"})
    assert stats.json()["count"] == 6
    assert stats.json()["results"][0]["spend"] == "100.00"
