"""Best time and format to publish, from this organization's own history.

- Engagement, loyalty and sales posts are measured by the engagement rate of the synced platform
  posts (``SocialPost`` with its latest ``PostMetricDaily`` observation: (likes + comments + shares +
  saves) ÷ reach; posts without a reported reach are left out).
- Lead-generation posts are measured by the leads attributed to each published planned post
  (``crm.Lead.post``), zero included.
- Posts are grouped by weekday and by hour of publication in the organization's timezone, and by
  format; a group's score is the mean over its posts. Only groups of at least ``MIN_GROUP`` posts
  are ranked, and nothing is recommended below ``MIN_SAMPLE`` posts in all ("not enough data").
- The history is the last ``HISTORY_DAYS`` days."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from content.models import Post
from core.numbers import round_to
from core.vocabulary import PostFormat
from crm.models import Lead
from tenancy.models import Organization

from .selectors import post_performance_list

MIN_SAMPLE = 20
MIN_GROUP = 3
HISTORY_DAYS = 365
TOP = 3
LEAD_OBJECTIVES = frozenset({"lead_generation"})


@dataclass(frozen=True)
class Sample:
    published_at: dt.datetime
    format: str
    score: Decimal


@dataclass(frozen=True)
class Group:
    key: int | str
    label: str
    posts: int
    score: Decimal  # mean, 2 decimals (percent for the engagement rate, leads per post otherwise)


@dataclass
class BestTime:
    objective: str
    metric: str  # "engagement_rate" (percent) or "leads" (per post)
    sample_size: int
    enough: bool
    weekdays: list[Group] = field(default_factory=list)
    hours: list[Group] = field(default_factory=list)
    formats: list[Group] = field(default_factory=list)
    min_sample: int = MIN_SAMPLE


def _engagement_samples(organization: Organization, since: dt.date, until: dt.date) -> list[Sample]:
    samples = []
    for row in post_performance_list(organization=organization, since=since, until=until):
        rate = row.engagement_rate
        if rate is not None:
            samples.append(Sample(row.post.published_at, row.post.format, rate * 100))
    return samples


def _lead_samples(
    organization: Organization, since: dt.date, until: dt.date, objectives: Iterable[str]
) -> list[Sample]:
    posts = Post.objects.filter(
        organization=organization,
        objective__in=list(objectives),
        published_at__date__gte=since,
        published_at__date__lte=until,
    ).values("id", "published_at", "format")
    leads = dict(
        Lead.objects.filter(organization=organization, post__isnull=False)
        .values_list("post_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        Sample(p["published_at"], p["format"], Decimal(leads.get(p["id"], 0)))
        for p in posts
        if p["published_at"] is not None  # filtered by date above; narrows the type
    ]


def _rank(groups: dict[int | str, list[Decimal]], label) -> list[Group]:
    ranked = [
        Group(key, label(key), len(scores), round_to(sum(scores, Decimal(0)) / len(scores), 2))
        for key, scores in groups.items()
        if len(scores) >= MIN_GROUP
    ]
    ranked.sort(key=lambda g: (-g.score, -g.posts, str(g.key)))
    return ranked[:TOP]


def best_time(*, organization: Organization, objective: str, today: dt.date | None = None) -> BestTime:
    until = today or organization.today()
    since = until - dt.timedelta(days=HISTORY_DAYS)
    if objective in LEAD_OBJECTIVES:
        metric, samples = "leads", _lead_samples(organization, since, until, [objective])
    else:
        metric, samples = "engagement_rate", _engagement_samples(organization, since, until)
    return summarize(samples, objective=objective, metric=metric, tz=organization.tzinfo)


def summarize(samples: list[Sample], *, objective: str, metric: str, tz: dt.tzinfo) -> BestTime:
    """The ranking of `samples` (pure: the tests compare it with pandas on generated history)."""
    result = BestTime(objective=objective, metric=metric, sample_size=len(samples), enough=len(samples) >= MIN_SAMPLE)
    if not result.enough:
        return result
    weekdays: dict[int | str, list[Decimal]] = {}
    hours: dict[int | str, list[Decimal]] = {}
    formats: dict[int | str, list[Decimal]] = {}
    for s in samples:
        local = timezone.localtime(s.published_at, tz)
        weekdays.setdefault(local.weekday(), []).append(s.score)
        hours.setdefault(local.hour, []).append(s.score)
        formats.setdefault(s.format, []).append(s.score)
    result.weekdays = _rank(weekdays, lambda k: str(WEEKDAYS[k]))
    result.hours = _rank(hours, lambda k: f"{k:02d}:00")
    result.formats = _rank(formats, lambda k: str(PostFormat(k).label) if k in PostFormat.values else str(k))
    return result
