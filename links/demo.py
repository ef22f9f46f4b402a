"""Tracked links for «Зерно»: one per demo post with a goal and one per ad campaign, each with a
week of counted clicks per hour, so the links list and the "site clicks" series are not empty.
Idempotent: links are found by post/campaign and target, clicks are written once per link."""

import datetime as dt
import random

from django.db.models import Sum
from django.utils import timezone

from ads.models import AdCampaign
from content.models import Post

from .clicks import hour_of
from .models import LinkClickHourly, TrackedLink
from .services import link_for

SITE = "https://zerno-coffee.ru"
POST_TARGETS = {"lead_generation": "/office?from=social", "sales": "/menu", "engagement": "/", "loyalty": "/blog"}
CAMPAIGN_TARGET = "/office?utm_term=kazan"
DEMO_DAYS = 7
# Links (and through them the CRM demo's leads) for the first demo posts only: the two months of
# planned posts would multiply the hourly click rows and the leads past the API's batch limit.
DEMO_POSTS_WITH_LINKS = 3


def seed(*, organization, users: dict) -> None:
    with_goal = Post.objects.for_organization(organization).exclude(goal=None)
    first = list(with_goal.order_by("pk")[:DEMO_POSTS_WITH_LINKS])
    # And the plan's posts already published (by hand, content/demo.py): their leads show per post.
    published = list(with_goal.filter(status=Post.Status.PUBLISHED).exclude(pk__in=[p.pk for p in first]))
    links = [
        link_for(organization=organization, post=post, target_url=SITE + POST_TARGETS.get(post.objective, "/"))
        for post in [*first, *published]
    ]
    links += [
        link_for(organization=organization, campaign=campaign, target_url=SITE + CAMPAIGN_TARGET)
        for campaign in AdCampaign.objects.for_organization(organization).order_by("pk")
    ]
    now = hour_of(timezone.now())
    for index, link in enumerate(links):
        if LinkClickHourly.objects.for_organization(organization).filter(link=link).exists():
            continue
        rng = random.Random(f"{organization.slug}-{index}")  # noqa: S311 - demo figures, not secrets
        rows = []
        for hours_ago in range(DEMO_DAYS * 24):
            hour = now - dt.timedelta(hours=hours_ago)
            daytime = 9 <= timezone.localtime(hour, organization.tzinfo).hour < 23
            clicks = rng.choice((0, 1, 1, 2, 3, 5)) if daytime else rng.choice((0, 0, 0, 1))
            if clicks:
                rows.append(LinkClickHourly(organization=organization, link=link, hour=hour, clicks=clicks))
        LinkClickHourly.objects.bulk_create(rows, ignore_conflicts=True)
        total = LinkClickHourly.objects.for_organization(organization).filter(link=link).aggregate(n=Sum("clicks"))
        TrackedLink.objects.for_organization(organization).filter(pk=link.pk).update(clicks=total["n"] or 0)
