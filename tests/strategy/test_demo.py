"""The demo seed: a complete approved strategy covering today, a next-period draft, three experiments;
idempotent."""

import datetime as dt

import pytest
from django.utils import timezone

from strategy import demo
from strategy.demo_analysis import DEMO_TRACKED_DAYS
from strategy.launch_gate import current_strategy
from strategy.models import CompetitorSnapshot, Experiment, Goal, SnapshotSource, Strategy
from strategy.selectors import strategy_checks_for, strategy_get
from tenancy.models import AuditLog
from tenancy.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_is_complete_and_idempotent(org, make_member):
    users = {str(role): make_member(org, role).user for role in Role}
    demo.seed(organization=org, users=users)
    demo.seed(organization=org, users=users)

    current = current_strategy(organization=org, on=timezone.localdate())
    assert current is not None
    assert current.title == demo.CURRENT_TITLE
    assert current.approved_by == users["owner"]
    checks = strategy_checks_for(strategy_get(organization=org, strategy_id=current.pk))
    assert (checks.ok, checks.share_total, checks.warnings) == (True, 100, [])
    assert Goal.objects.filter(strategy=current).count() == 5
    nxt = Strategy.objects.get(organization=org, title=demo.NEXT_TITLE)
    assert nxt.status == Strategy.Status.DRAFT
    assert nxt.period_start == current.period_end + dt.timedelta(days=1)
    assert Strategy.objects.filter(organization=org).count() == 2
    assert sorted(Experiment.objects.filter(organization=org).values_list("status", flat=True)) == [
        "concluded",
        "planned",
        "running",
    ]
    assert AuditLog.objects.filter(organization=org, action="strategy.approve").count() == 1


def test_seed_has_competitors_with_daily_public_snapshots(org, make_member):
    users = {str(role): make_member(org, role).user for role in Role}
    demo.seed(organization=org, users=users)
    count = CompetitorSnapshot.objects.filter(organization=org, source=SnapshotSource.VK_PUBLIC).count()
    demo.seed(organization=org, users=users)

    assert count == 2 * DEMO_TRACKED_DAYS
    assert CompetitorSnapshot.objects.filter(organization=org, source=SnapshotSource.VK_PUBLIC).count() == count
    days = set(
        CompetitorSnapshot.objects.filter(organization=org, competitor__name="Кофе Бум", platform="vk").values_list(
            "date", flat=True
        )
    )
    today = timezone.localtime(timezone.now(), org.tzinfo).date()
    assert {today - dt.timedelta(days=n) for n in range(DEMO_TRACKED_DAYS)} <= days
