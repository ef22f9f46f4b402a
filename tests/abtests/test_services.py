"""Plan, start, counts, refresh and conclude; validation; the concluded-tests selector."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from abtests import selectors, services
from abtests.models import ABTest
from abtests.stats import proportion_sample_size
from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from crm.models import Lead
from tenancy.models import AuditLog
from tenancy.roles import Role
from tests.ads.factories import AdCampaignFactory, AdStatDailyFactory
from tests.conftest import access_of

pytestmark = pytest.mark.django_db


def plan(access, **kwargs):
    data = {
        "title": "Video vs photo",
        "hypothesis": "Video gets more clicks.",
        "varies": "creative",
        "metric": "ctr",
        "mde_percent": Decimal(20),
        "alpha": Decimal("0.05"),
        "power": Decimal("0.8"),
        "baseline_percent": Decimal("1.5"),
        "daily_traffic": 4000,
        "variants": [{"name": "Photo"}, {"name": "Video"}],
    }
    data.update(kwargs)
    return services.abtest_create(access=access, **data)


def counts(test, values):
    variants = list(test.variants.order_by("position"))
    return {
        v.pk: {"units": u, "conversions": c, "spend": Decimal(s)} for v, (u, c, s) in zip(variants, values, strict=True)
    }


def test_plan_fixes_the_sample_from_the_textbook_formula(owner_access):
    test = plan(owner_access)
    assert test.required_per_variant == proportion_sample_size(baseline=0.015, mde=0.2, alpha=0.05, power=0.8)
    assert test.planned_days == -(-test.required_per_variant * 2 // 4000)
    assert [v.name for v in test.variants.order_by("position")] == ["Photo", "Video"]
    assert test.status == ABTest.Status.PLANNED


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"variants": [{"name": "Only one"}]}, "variants"),
        ({"variants": [{"name": "A"}, {"name": "a"}]}, "variants"),
        ({"variants": [{"name": "A"}, {"name": " "}]}, "variants"),
        ({"baseline_percent": None}, "baseline_percent"),
        ({"mde_percent": Decimal(0)}, "mde_percent"),
        ({"baseline_percent": Decimal(60), "mde_percent": Decimal(100)}, "mde_percent"),
        ({"alpha": Decimal("0.5")}, "alpha"),
        ({"power": Decimal("0.2")}, "power"),
        ({"metric": "cpl", "mde_percent": Decimal(100)}, "mde_percent"),
        ({"title": ""}, "title"),
        ({"varies": "weather"}, "varies"),
    ],
)
def test_bad_plans_are_refused_with_the_field_and_nothing_written(owner_access, kwargs, field):
    with pytest.raises(DomainError) as exc:
        plan(owner_access, **kwargs)
    assert field in exc.value.fields
    assert not ABTest.objects.unscoped().exists()


def test_another_organizations_campaign_cannot_be_a_variant(owner_access, other_org):
    foreign = AdCampaignFactory(organization=other_org)
    with pytest.raises(NotFound):
        plan(owner_access, variants=[{"name": "A", "campaign": foreign}, {"name": "B"}])
    assert not ABTest.objects.unscoped().exists()


def test_a_client_cannot_plan(org, client_user):
    with pytest.raises(PermissionDenied):
        plan(access_of(org, client_user, Role.CLIENT))


def test_design_is_fixed_once_running_and_counts_only_while_running(owner_access):
    test = plan(owner_access)
    with pytest.raises(Conflict):
        services.abtest_counts_set(access=owner_access, test=test, counts=counts(test, [(10, 1, "0"), (10, 2, "0")]))
    services.abtest_start(access=owner_access, test=test)
    with pytest.raises(Conflict):
        services.abtest_update(access=owner_access, test=test, mde_percent=Decimal(5))
    services.abtest_update(access=owner_access, test=test, title="Renamed")
    with pytest.raises(DomainError):
        services.abtest_counts_set(access=owner_access, test=test, counts=counts(test, [(10, 11, "0"), (10, 2, "0")]))
    services.abtest_counts_set(access=owner_access, test=test, counts=counts(test, [(10, 1, "0"), (10, 2, "0")]))
    assert [v.conversions for v in test.variants.order_by("position")] == [1, 2]


def test_stopping_early_is_inconclusive_and_cannot_adopt(owner_access):
    test = plan(owner_access)
    services.abtest_start(access=owner_access, test=test)
    # A big, significant difference — but far below the planned sample: no winner (no peeking).
    services.abtest_counts_set(access=owner_access, test=test, counts=counts(test, [(2000, 20, "0"), (2000, 60, "0")]))
    with pytest.raises(DomainError) as exc:
        services.abtest_conclude(access=owner_access, test=test, decision="adopt")
    assert "decision" in exc.value.fields
    test = services.abtest_conclude(access=owner_access, test=test, decision="extend", decision_notes="Run longer")
    assert (test.verdict, test.winner_name, test.result["stopped_early"]) == ("inconclusive", "", True)


def test_winner_at_the_planned_sample_is_recorded_and_audited(owner_access):
    test = plan(owner_access)
    services.abtest_start(access=owner_access, test=test)
    n = test.required_per_variant
    services.abtest_counts_set(
        access=owner_access, test=test, counts=counts(test, [(n, round(n * 0.015), "0"), (n, round(n * 0.02), "0")])
    )
    test = services.abtest_conclude(access=owner_access, test=test, decision="adopt")
    assert test.verdict == "winner"
    assert test.winner_name == "Video"
    assert test.result["verdict"] == "winner"
    assert test.result["comparisons"][1]["p_value"] < 0.05
    assert AuditLog.objects.for_organization(test.organization_id).filter(action="abtest.conclude").count() == 1
    with pytest.raises(Conflict):
        services.abtest_conclude(access=owner_access, test=test, decision="adopt")
    with pytest.raises(Conflict):
        services.abtest_delete(access=owner_access, test=test)


def test_inconclusive_at_the_planned_sample(owner_access):
    test = plan(owner_access)
    services.abtest_start(access=owner_access, test=test)
    n = test.required_per_variant
    services.abtest_counts_set(
        access=owner_access, test=test, counts=counts(test, [(n, round(n * 0.015), "0"), (n, round(n * 0.0152), "0")])
    )
    test = services.abtest_conclude(access=owner_access, test=test, decision="drop")
    assert (test.verdict, test.winner_name, test.result["stopped_early"]) == ("inconclusive", "", False)


def test_refresh_sums_linked_campaign_stats_and_crm_leads_like_pandas(org, owner_access):
    a, b = AdCampaignFactory(organization=org), AdCampaignFactory(organization=org)
    start = org.today() - dt.timedelta(days=5)
    raw = []
    for i in range(8):
        day = start + dt.timedelta(days=i - 2)  # two days before the test start are not counted
        for c, k in ((a, 1), (b, 2)):
            if day <= org.today():
                AdStatDailyFactory(
                    campaign=c, day=day, impressions=1000 * k + i, clicks=20 * k + i, spend=Decimal("100.50") * k
                )
                raw.append(
                    {
                        "campaign": c.pk,
                        "day": day,
                        "impressions": 1000 * k + i,
                        "clicks": 20 * k + i,
                        "spend": 100.5 * k,
                    }
                )
    for j, c in enumerate([a, b, b]):
        Lead.objects.create(organization=org, external_id=f"L{j}", campaign=c, created=dt.datetime.now(dt.UTC))
    test = plan(
        owner_access,
        metric="cpl",
        baseline_percent=None,
        start_date=start,
        variants=[{"name": "A", "campaign": a}, {"name": "B", "campaign": b}],
    )
    services.abtest_start(access=owner_access, test=test)
    services.abtest_refresh(access=owner_access, test=test)
    frame = pd.DataFrame(raw)
    frame = frame[frame["day"] >= start]
    expected = frame.groupby("campaign")[["clicks", "spend"]].sum()
    got = {v.campaign_id: v for v in test.variants.all()}
    for c, leads in ((a, 1), (b, 2)):
        assert got[c.pk].units == expected.loc[c.pk, "clicks"]
        assert float(got[c.pk].spend) == pytest.approx(expected.loc[c.pk, "spend"])
        assert got[c.pk].conversions == leads


def test_concluded_tests_in_a_period(owner_access, org, other_org, make_member):
    test = plan(owner_access)
    services.abtest_start(access=owner_access, test=test)
    services.abtest_conclude(access=owner_access, test=test, decision="drop")
    plan(owner_access, title="Still planned")
    other_access = access_of(other_org, make_member(other_org, Role.OWNER).user, Role.OWNER)
    foreign = plan(other_access)
    services.abtest_start(access=other_access, test=foreign)
    services.abtest_conclude(access=other_access, test=foreign, decision="drop")
    today = org.today()
    assert list(selectors.concluded_abtests(organization=org, start=today, end=today)) == [test]
    assert not selectors.concluded_abtests(
        organization=org, start=today + dt.timedelta(days=1), end=today + dt.timedelta(days=9)
    ).exists()
