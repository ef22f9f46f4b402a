"""Reply service level: counted time with and without business hours against a minute-by-minute
count, the overdue cutoff, the share within target and the breach alert."""

import datetime as dt
import random
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from content.models import Notification
from moderation import sla
from moderation.models import InboxItem, ReplyServiceLevel
from moderation.selectors import InboxFilters, inbox_item_list
from moderation.service_level import RU_HOLIDAYS, Hours, elapsed_seconds, started_before
from tests.moderation.factories import InboxItemFactory

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
HOURS = Hours(tz=MSK, enabled=True, day_start=dt.time(9), day_end=dt.time(18))


def _by_minute(start: dt.datetime, end: dt.datetime, hours: Hours) -> int:
    """Independent count: every whole minute whose start lies in a working interval."""
    total, t = 0, start
    while t < end:
        local = t.astimezone(hours.tz)
        day = local.date()
        working = (
            day.isoweekday() in hours.workdays
            and (day.month, day.day) not in RU_HOLIDAYS
            and hours.day_start <= local.time() < hours.day_end
        )
        total += 60 if working else 0
        t += dt.timedelta(minutes=1)
    return total


def test_without_business_hours_every_second_counts():
    start = dt.datetime(2026, 3, 6, 17, 30, tzinfo=MSK)
    assert elapsed_seconds(start, start + dt.timedelta(hours=70), Hours(tz=MSK)) == 70 * 3600


def test_business_hours_skip_nights_weekends_and_holidays():
    # Friday 6 March 17:30 → Tuesday 10 March 9:15: 30 min Friday, weekend, 8 March is Sunday,
    # Monday 9 March is a working day here (no government swap modelled), 15 min Tuesday.
    start = dt.datetime(2026, 3, 6, 17, 30, tzinfo=MSK)
    end = dt.datetime(2026, 3, 10, 9, 15, tzinfo=MSK)
    assert elapsed_seconds(start, end, HOURS) == (30 + 9 * 60 + 15) * 60
    new_year = dt.datetime(2026, 12, 31, 17, 0, tzinfo=MSK)
    assert elapsed_seconds(new_year, dt.datetime(2027, 1, 11, 10, 0, tzinfo=MSK), HOURS) == 2 * 3600


def test_elapsed_matches_a_minute_by_minute_count_and_the_cutoff_is_its_inverse():
    rng = random.Random(7)
    base = dt.datetime(2026, 4, 27, 0, 0, tzinfo=MSK)  # around the May holidays
    for _ in range(40):
        start = base + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        end = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 6))
        assert elapsed_seconds(start, end, HOURS) == _by_minute(start, end, HOURS)
        target = rng.randrange(1, 3000) * 60
        cutoff = started_before(end, target, HOURS)
        assert elapsed_seconds(cutoff, end, HOURS) == target
        assert elapsed_seconds(cutoff + dt.timedelta(minutes=1), end, HOURS) < target


@pytest.mark.django_db
def test_overdue_filter_share_within_target_and_the_alert(org, owner, marketer):
    ReplyServiceLevel.objects.create(organization=org, first_response_minutes=60)
    now = timezone.now()
    old = InboxItemFactory(organization=org, created_at=now - dt.timedelta(minutes=61))
    soon = InboxItemFactory(organization=org, created_at=now - dt.timedelta(minutes=50), assignee=marketer)
    fresh = InboxItemFactory(organization=org, created_at=now - dt.timedelta(minutes=5))
    overdue = inbox_item_list(organization=org, filters=InboxFilters(overdue=True))
    assert list(overdue) == [old]

    answered = [(30 * 60, True), (60 * 60, True), (61 * 60, False)]
    for seconds, _within in answered:
        InboxItemFactory(
            organization=org,
            created_at=now - dt.timedelta(hours=3),
            answered_at=now - dt.timedelta(hours=3) + dt.timedelta(seconds=seconds),
            first_response_seconds=seconds,
            status="replied",
        )
    assert sla.within_target_share(org, now - dt.timedelta(days=1), now) == Decimal("0.67")

    assert sla.alert_about_to_breach(org, now=now) == 2  # 80 % of 60 min = 48 min: old and soon
    assert sla.alert_about_to_breach(org, now=now) == 0  # once per item
    notes = Notification.objects.for_organization(org).filter(kind="inbox_sla")
    assert sorted(n.user_id for n in notes) == sorted([owner.pk, marketer.pk])
    assert InboxItem.objects.get(pk=fresh.pk).sla_alerted_at is None
    assert InboxItem.objects.get(pk=soon.pk).sla_alerted_at is not None
