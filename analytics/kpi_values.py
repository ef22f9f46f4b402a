"""The actual value of a catalog KPI for an organization, a day and a platform scope — read from
the fact tables — and goal progress built on it (used by the strategy page, the owner dashboard,
reports and the API).

Rules:
* Zero-data safe: a KPI whose source has no rows for the scope returns None ("no data yet"),
  never 0 and never an exception. A ratio with a zero denominator is None too.
* Absent is not zero: a NULL metric was not reported by the platform. A ratio uses only the
  rows that report BOTH of its parts (CPL: spend and leads; ROI: spend and revenue; CPC:
  spend and clicks; ER: reach and some interaction figure), so a campaign that does not track
  purchases adds no spend to ROI and a day without spend adds no leads to CPL.
* Flow KPIs are measured over the trailing `FLOW_WINDOW_DAYS` days ending on `on` (inclusive);
  level KPIs (followers) are the latest value on or before `on` (within the window).
* Platform scope "" means all platforms. Ad statistics come from ad accounts: a VK goal reads
  VK Ads, an Instagram or Facebook goal reads Meta Ads (which does not split the two), and
  Telegram has no ad source.
* Sources: page metrics from `analytics.AccountMetricDaily`; leads, spend, clicks, conversions
  and revenue from `ads.AdStatDaily` until CRM leads and sales land in analytics; comment tone,
  response time and resolved requests from `moderation.InboxItem`. Money is summed as recorded
  (the ad account's currency is assumed to be the organization's).
"""

import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ads.models import AdStatDaily
from analytics.models import AccountMetricDaily
from core.kpis import FLOW_WINDOW_DAYS, Progress, kpi_get, kpi_window, progress_compute
from core.numbers import money, ratio, round_to
from core.vocabulary import Platform
from moderation.models import InboxItem
from tenancy.models import Organization

# Looked up by a scope's platform (a plain string).
AD_PLATFORMS_FOR: dict[str, list[Platform]] = {
    Platform.VK: [Platform.VK_ADS],
    Platform.INSTAGRAM: [Platform.META_ADS],
    Platform.FACEBOOK: [Platform.META_ADS],
    Platform.TELEGRAM: [],
}


@dataclass(frozen=True)
class Scope:
    organization: Organization
    start: dt.date
    end: dt.date
    platform: str = ""


def _account_metrics(scope: Scope) -> QuerySet:
    qs = AccountMetricDaily.objects.filter(organization=scope.organization, day__gte=scope.start, day__lte=scope.end)
    return qs.filter(account__platform=scope.platform) if scope.platform else qs


def _ad_stats(scope: Scope) -> QuerySet | None:
    qs = AdStatDaily.objects.filter(organization=scope.organization, day__gte=scope.start, day__lte=scope.end)
    if scope.platform:
        qs = qs.filter(account__platform__in=AD_PLATFORMS_FOR.get(scope.platform, []))
    return qs


def _inbox(scope: Scope) -> QuerySet | None:
    tz = scope.organization.tzinfo
    start = dt.datetime.combine(scope.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(scope.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = InboxItem.objects.filter(
        organization=scope.organization, created_at__gte=start, created_at__lt=end, is_from_account=False
    )
    return qs.filter(account__platform=scope.platform) if scope.platform else qs


def _sum(qs: QuerySet | None, field: str) -> Decimal | None:
    """SUM over non-null values; None when no row reports the field."""
    if qs is None:
        return None
    row = qs.filter(**{f"{field}__isnull": False}).aggregate(total=Sum(field))
    return None if row["total"] is None else Decimal(row["total"])


def _reach(scope: Scope) -> Decimal | None:
    return _sum(_account_metrics(scope), "reach")


def _impressions(scope: Scope) -> Decimal | None:
    return _sum(_account_metrics(scope), "views")


def _followers(scope: Scope) -> Decimal | None:
    rows = (
        _account_metrics(scope)
        .filter(followers__isnull=False)
        .order_by("account_id", "day")
        .values_list("account_id", "followers")
    )
    latest = dict(rows)  # ordered by day: each account's last snapshot wins
    return Decimal(sum(latest.values())) if latest else None


def _engagement_rate(scope: Scope) -> Decimal | None:
    interactions = Coalesce(
        "interactions",
        Coalesce("likes", 0) + Coalesce("comments", 0) + Coalesce("shares", 0) + Coalesce("saves", 0),
    )
    reports_interactions = (
        Q(interactions__isnull=False)
        | Q(likes__isnull=False)
        | Q(comments__isnull=False)
        | Q(shares__isnull=False)
        | Q(saves__isnull=False)
    )
    row = (
        _account_metrics(scope)
        .filter(reach__gt=0)
        .filter(reports_interactions)
        .aggregate(interactions=Sum(interactions), reach=Sum("reach"))
    )
    return ratio(row["interactions"], row["reach"], scale=100)


def _site_clicks(scope: Scope) -> Decimal | None:
    organic = _sum(_account_metrics(scope), "link_clicks")
    paid = _sum(_ad_stats(scope), "clicks")
    if organic is None and paid is None:
        return None
    return (organic or Decimal(0)) + (paid or Decimal(0))


def _leads(scope: Scope) -> Decimal | None:
    return _sum(_ad_stats(scope), "leads")


def _cpl(scope: Scope) -> Decimal | None:
    qs = _ad_stats(scope)
    if qs is None:
        return None
    row = qs.filter(leads__isnull=False, spend__isnull=False).aggregate(spend=Sum("spend"), leads=Sum("leads"))
    return ratio(row["spend"], row["leads"])


def _cpc(scope: Scope) -> Decimal | None:
    qs = _ad_stats(scope)
    if qs is None:
        return None
    row = qs.filter(spend__isnull=False, clicks__isnull=False).aggregate(spend=Sum("spend"), clicks=Sum("clicks"))
    return ratio(row["spend"], row["clicks"])


def _sales(scope: Scope) -> Decimal | None:
    return _sum(_ad_stats(scope), "conversions")


def _revenue(scope: Scope) -> Decimal | None:
    value = _sum(_ad_stats(scope), "revenue")
    return None if value is None else money(value)


def _lead_conversion_rate(scope: Scope) -> Decimal | None:
    qs = _ad_stats(scope)
    if qs is None:
        return None
    row = qs.filter(leads__isnull=False, conversions__isnull=False).aggregate(
        sales=Sum("conversions"), leads=Sum("leads")
    )
    return ratio(row["sales"], row["leads"], scale=100)


def _ad_roi(scope: Scope) -> Decimal | None:
    qs = _ad_stats(scope)
    if qs is None:
        return None
    row = qs.filter(revenue__isnull=False, spend__isnull=False).aggregate(revenue=Sum("revenue"), spend=Sum("spend"))
    if row["revenue"] is None or not row["spend"]:
        return None
    return ratio(row["revenue"] - row["spend"], row["spend"], scale=100)


def _positive_share(scope: Scope) -> Decimal | None:
    qs = _inbox(scope)
    if qs is None:
        return None
    row = qs.filter(sentiment__isnull=False).aggregate(
        rated=Count("pk"), positive=Count("pk", filter=Q(sentiment="positive"))
    )
    return ratio(row["positive"] or 0, row["rated"], scale=100)


def _first_response_time(scope: Scope) -> Decimal | None:
    qs = _inbox(scope)
    if qs is None:
        return None
    pairs = qs.filter(answered_at__isnull=False, answered_at__gte=F("created_at")).values_list(
        "created_at", "answered_at"
    )
    minutes = [(answered - created).total_seconds() / 60 for created, answered in pairs]
    return round_to(statistics.median(minutes), 2) if minutes else None


def _resolved_in_social(scope: Scope) -> Decimal | None:
    qs = _inbox(scope)
    if qs is None or not qs.exists():
        return None
    return Decimal(qs.filter(status="resolved").count())


def _returning_members(scope: Scope) -> Decimal | None:
    qs = _inbox(scope)
    if qs is None:
        return None
    weeks: dict[str, set[tuple[int, int]]] = {}
    for author, created in qs.exclude(author_external_id="").values_list("author_external_id", "created_at"):
        iso = timezone.localtime(created, scope.organization.tzinfo).isocalendar()
        weeks.setdefault(author, set()).add((iso.year, iso.week))
    if not weeks:
        return None
    return Decimal(sum(1 for w in weeks.values() if len(w) >= 2))


_COMPUTE: dict[str, Callable[[Scope], Decimal | None]] = {
    "reach": _reach,
    "impressions": _impressions,
    "followers": _followers,
    "engagement_rate": _engagement_rate,
    "site_clicks": _site_clicks,
    "leads": _leads,
    "cpl": _cpl,
    "cpc": _cpc,
    "lead_conversion_rate": _lead_conversion_rate,
    "sales": _sales,
    "revenue": _revenue,
    "ad_roi": _ad_roi,
    "returning_members": _returning_members,
    "positive_share": _positive_share,
    "first_response_time": _first_response_time,
    "resolved_in_social": _resolved_in_social,
}


# The first day whose window fits in the calendar with a day to spare for timezone shifts. Goals are
# dated 2000-2099 (smm_platform/dates.py); rows saved before that check may sit at 0001-01-01.
FIRST_MEASURABLE_DAY = dt.date.min + dt.timedelta(days=FLOW_WINDOW_DAYS + 1)


def kpi_value(*, organization: Organization, kpi: str, on: dt.date, platform: str = "") -> Decimal | None:
    """The KPI measured for the window ending on `on`; None when there is no data (or no source yet)."""
    # Level KPIs (followers) use the same window: their latest snapshot within it.
    compute = _COMPUTE.get(kpi)
    if kpi_get(kpi) is None or compute is None or on < FIRST_MEASURABLE_DAY:
        return None
    start, end = kpi_window(on)
    return compute(Scope(organization=organization, start=start, end=end, platform=platform or ""))


def kpi_value_for_period(
    *, organization: Organization, kpi: str, start: dt.date, end: dt.date, platform: str = ""
) -> Decimal | None:
    """The KPI over an explicit period (reports: a calendar month)."""
    compute = _COMPUTE.get(kpi)
    if compute is None or end < start:
        return None
    return compute(Scope(organization=organization, start=start, end=end, platform=platform or ""))


def goal_progress(
    *, goal, organization: Organization | None = None, today: dt.date | None = None, values: dict | None = None
) -> Progress:
    """Progress of a strategy goal: the KPI now (capped at the deadline) against baseline and target.
    Pass `organization` (or load `goal.organization`) and `goal.strategy` to avoid extra queries;
    `values` memoizes KPI values across goals that share a KPI, day and platform."""
    organization = organization or goal.organization
    today = today or organization.today()
    measured_on = min(today, goal.deadline)
    key = (goal.kpi, measured_on, goal.platform or "")
    if values is None or key not in values:
        current = kpi_value(organization=organization, kpi=goal.kpi, on=measured_on, platform=goal.platform)
        if values is not None:
            values[key] = current
    else:
        current = values[key]
    return progress_compute(
        baseline=goal.baseline,
        target=goal.target,
        current=current,
        start=goal.strategy.period_start,
        deadline=goal.deadline,
        today=today,
    )


@dataclass(frozen=True)
class GoalProgress:
    goal: object
    progress: Progress | None  # None for a draft strategy's goals: targets only, nothing measured yet


def goals_progress(*, organization: Organization, goals: Iterable, today: dt.date | None = None) -> list[GoalProgress]:
    """Progress for goals of `organization` already loaded with their strategy (select_related / prefetch)."""
    today = today or organization.today()
    values: dict = {}  # one query per distinct KPI, however many goals measure it
    return [
        GoalProgress(
            goal=goal, progress=goal_progress(goal=goal, organization=organization, today=today, values=values)
        )
        for goal in goals
    ]
