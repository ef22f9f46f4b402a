"""The calendar's reads: the posts of a period (their calendar moment is ``scheduled_at``, or the
planned slot of a post not yet scheduled), the list filters, and the month and week grids.

Every read is a fixed number of queries however many posts the period holds (select_related and
one prefetch of the publications with their accounts)."""

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field
from typing import TypedDict

from django.db.models import DateTimeField, Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenancy.models import Organization

from .models import Post, Publication

VIEWS = ("month", "week", "list")


class PlanFilters(TypedDict, total=False):
    platform: str
    account: int
    status: str
    objective: str
    pillar: int
    goal: int


def local_bounds(organization: Organization, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in the organization's timezone, as aware moments."""
    tz = organization.tzinfo
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def plan_posts(
    *, organization: Organization, start: dt.date, end: dt.date, filters: PlanFilters | None = None
) -> QuerySet[Post]:
    """Posts on the calendar from `start` to `end` (local days, inclusive), by their moment."""
    low, high = local_bounds(organization, start, end)
    qs = (
        Post.objects.filter(organization=organization)
        .annotate(
            plan_at=Coalesce("scheduled_at", "planned_slot__planned_at", output_field=DateTimeField()),
        )
        .filter(plan_at__gte=low, plan_at__lt=high)
        .select_related("goal", "pillar", "planned_slot")
        .prefetch_related(
            Prefetch(
                "publications",
                queryset=Publication.objects.filter(organization=organization)
                .exclude(status=Publication.Status.CANCELLED)
                .select_related("account"),
            )
        )
        .order_by("plan_at", "id")
    )
    return apply_filters(qs, filters or {}, organization=organization)


def apply_filters(qs: QuerySet[Post], filters: PlanFilters, *, organization: Organization) -> QuerySet[Post]:
    if filters.get("platform"):
        qs = qs.filter(platform=filters["platform"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("objective"):
        qs = qs.filter(objective=filters["objective"])
    if filters.get("pillar"):
        qs = qs.filter(pillar_id=filters["pillar"])
    if filters.get("goal"):
        qs = qs.filter(goal_id=filters["goal"])
    if filters.get("account"):
        # A subquery, not a join: a post with several publications stays one row.
        live = (
            Publication.objects.for_organization(organization)
            .filter(account_id=filters["account"])
            .exclude(status=Publication.Status.CANCELLED)
        )
        qs = qs.filter(pk__in=live.values("post_id"))
    return qs


def moment_of(post: Post) -> dt.datetime | None:
    """Where the post sits on the calendar (annotated `plan_at`, else its own fields)."""
    when = getattr(post, "plan_at", None)
    if when is None:
        slot = getattr(post, "planned_slot", None) if post.scheduled_at is None else None
        when = post.scheduled_at or (slot.planned_at if slot is not None else None)
    return when


@dataclass
class Day:
    day: dt.date
    in_month: bool = True
    is_today: bool = False
    posts: list[Post] = field(default_factory=list)
    dates: list = field(default_factory=list)


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The whole weeks (Monday to Sunday) that show the month."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, pycalendar.monthrange(year, month)[1])
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


def week_range(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def grid(
    *,
    organization: Organization,
    start: dt.date,
    end: dt.date,
    posts: list[Post],
    dates_by_day: dict,
    month: int | None = None,
) -> list[list[Day]]:
    """Weeks of days from `start` (a Monday) to `end` with their posts (local time) and dates."""
    today = organization.today()
    days: dict[dt.date, Day] = {}
    cursor = start
    while cursor <= end:
        days[cursor] = Day(
            day=cursor,
            in_month=month is None or cursor.month == month,
            is_today=cursor == today,
            dates=dates_by_day.get(cursor, []),
        )
        cursor += dt.timedelta(days=1)
    for post in posts:
        when = moment_of(post)
        if when is None:
            continue
        local = timezone.localtime(when, organization.tzinfo).date()
        if local in days:
            days[local].posts.append(post)
    ordered = list(days.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]
