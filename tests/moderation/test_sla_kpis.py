"""The reply service level in the KPI engine: average and median first response (minutes) and the
share answered within the target (%), counted in business hours when the organization has them —
checked against an independent pandas computation over the raw rows."""

import datetime as dt
import statistics
from decimal import Decimal

import pandas as pd
import pytest

from analytics.kpi_values import kpi_value
from core.kpis import Unit, kpi_get
from core.numbers import ratio, round_to
from moderation.models import InboxItem, ReplyServiceLevel
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory

from .test_waiting import comment, sync

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 3, 31)  # the KPI window: 2025-03-02 .. 2025-03-31
MSK = dt.timezone(dt.timedelta(hours=3))
FRIDAY_EVENING = dt.datetime(2025, 3, 14, 17, 30, tzinfo=MSK)
MONDAY_MORNING = dt.datetime(2025, 3, 17, 9, 30, tzinfo=MSK)


def business_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Minutes Monday–Friday 09:00–18:00 Moscow time, by listing every minute (no holidays here)."""
    minutes = pd.date_range(start, end, freq="min", inclusive="left").tz_convert("Europe/Moscow")
    return int(((minutes.day_of_week < 5) & (minutes.hour >= 9) & (minutes.hour < 18)).sum())


def expected(figures_minutes: list[float], target_minutes: int) -> dict:
    frame = pd.Series(figures_minutes, dtype="float64")
    return {
        "first_response_time": round_to(statistics.median(frame.tolist()), 2),
        "first_response_average": round_to(statistics.fmean(frame.tolist()), 2),
        "answered_within_target": ratio(Decimal(int((frame <= target_minutes).sum())), Decimal(len(frame)), scale=100),
    }


@pytest.mark.parametrize("business_hours", [True, False])
def test_first_response_kpis_with_and_without_business_hours(org, business_hours):
    ReplyServiceLevel.objects.create(organization=org, first_response_minutes=60, business_hours=business_hours)
    account = SocialAccountFactory(organization=org, platform="demo")
    # Answered on the platform across a weekend: the sync counts its figure like a product reply.
    sync(account, [comment("fri", FRIDAY_EVENING)])
    sync(account, [comment("ours", MONDAY_MORNING, parent="fri", from_account=True)])
    counted = InboxItem.objects.for_organization(org).get(external_id="fri").first_response_seconds
    wall_minutes = (MONDAY_MORNING - FRIDAY_EVENING).total_seconds() / 60
    fri_minutes = business_minutes(FRIDAY_EVENING, MONDAY_MORNING) if business_hours else wall_minutes
    assert counted == fri_minutes * 60
    # Replies sent from the product stored their counted figure; an old item only has the clock.
    base = dt.datetime(2025, 3, 18, 10, tzinfo=MSK)
    InboxItemFactory(organization=org, account=account, created_at=base, answered_at=base, first_response_seconds=1200)
    InboxItemFactory(organization=org, account=account, created_at=base, answered_at=base, first_response_seconds=5400)
    InboxItemFactory(organization=org, account=account, created_at=base, answered_at=base + dt.timedelta(minutes=30))
    InboxItemFactory(organization=org, account=account, created_at=base)  # unanswered: not in these KPIs
    InboxItemFactory(organization=org, account=account, created_at=base, is_from_account=True, answered_at=base)

    raw = pd.DataFrame.from_records(
        list(
            InboxItem.objects.unscoped()
            .filter(organization=org, is_from_account=False)
            .values("created_at", "answered_at", "first_response_seconds")
        )
    )
    wall = (raw.answered_at - raw.created_at).dt.total_seconds()
    figure = raw.first_response_seconds.astype("float64").fillna(wall).dropna() / 60
    assert sorted(figure.tolist()) == sorted([fri_minutes, 20, 90, 30])
    for key, value in expected(figure.tolist(), 60).items():
        assert kpi_value(organization=org, kpi=key, on=ON) == value, key
    assert kpi_value(organization=org, kpi="answered_within_target", on=ON) == (
        Decimal("75.00") if business_hours else Decimal("50.00")
    )


def test_the_target_is_the_organizations_and_the_units_are_named(org, other_org):
    account = SocialAccountFactory(organization=org)
    base = dt.datetime(2025, 3, 18, 10, tzinfo=MSK)
    for seconds in (600, 1800, 3000):
        InboxItemFactory(organization=org, account=account, created_at=base, first_response_seconds=seconds)
    assert kpi_value(organization=org, kpi="answered_within_target", on=ON) == Decimal("100.00")  # 60 min default
    ReplyServiceLevel.objects.create(organization=org, first_response_minutes=30)
    ReplyServiceLevel.objects.create(organization=other_org, first_response_minutes=5)
    assert kpi_value(organization=org, kpi="answered_within_target", on=ON) == Decimal("66.67")
    assert kpi_value(organization=org, kpi="first_response_average", on=ON) == Decimal("30.00")
    assert (kpi_get("first_response_average").unit, kpi_get("first_response_time").unit) == (Unit.MINUTES,) * 2
    assert kpi_get("answered_within_target").unit == Unit.PERCENT
    assert kpi_value(organization=other_org, kpi="first_response_average", on=ON) is None  # no data, not zero
