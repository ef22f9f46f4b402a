"""Helpers of the calendar tests: a plan in the coming weeks (drafts on slots, scheduled posts)."""

import datetime as dt

from django.utils import timezone

from content import plan_services, services

from .test_launch_gate import this_year


def local(org, day: dt.date, hour=10, minute=0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=org.tzinfo)


def next_month_day(org, day=10) -> dt.date:
    """A day of next month (always in the future, inside `this_year`'s strategy)."""
    first = (org.today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first.replace(day=day)


def draft_on(access, day: dt.date, *, hour=10, **fields):
    fields = {"title": "Черновик", "platform": "vk", "objective": "engagement"} | fields
    post = services.post_create(access=access, **fields)
    plan_services.plan_slot_set(access=access, post=post, planned_at=local(access.organization, day, hour))
    return post


def scheduled_on(access, day: dt.date, *, goal, pillar, hour=10, **fields):
    fields = {"title": "Запланирован", "platform": "vk", "objective": "lead_generation"} | fields
    if fields["objective"] in ("lead_generation", "sales"):  # such posts need a call to action
        fields = {"cta_type": "sign_up", "cta_url": "https://zerno.example/office"} | fields
    post = services.post_create(access=access, goal=goal, pillar=pillar, **fields)
    return services.post_schedule(access=access, post=post, scheduled_at=local(access.organization, day, hour))


def strategy(org):
    return this_year(org)


def aware_now():
    return timezone.now()
