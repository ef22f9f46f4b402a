"""Best time and format from the organization's history, against pandas on generated history."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from analytics.best_time import MIN_GROUP, MIN_SAMPLE, best_time
from content.models import Post
from crm.models import Lead
from tests.analytics.factories import PostMetricDailyFactory, SocialPostFactory
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
FORMATS = ["photo", "reel", "carousel", "text"]


def _q2(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _expected(frame: pd.DataFrame, column: str) -> list[tuple]:
    grouped = frame.groupby(column)["score"].agg(["mean", "count"]).reset_index()
    grouped = grouped[grouped["count"] >= MIN_GROUP]
    rows = [(row[column], _q2(row["mean"]), int(row["count"])) for _, row in grouped.iterrows()]
    rows.sort(key=lambda r: (-r[1], -r[2], str(r[0])))
    return rows[:3]


def test_engagement_ranking_matches_pandas(org):
    rng = random.Random(7)
    account = SocialAccountFactory(organization=org, platform="vk")
    today = org.today()
    records = []
    for i in range(60):
        published = dt.datetime.combine(
            today - dt.timedelta(days=rng.randint(1, 200)),
            dt.time(rng.choice([8, 9, 12, 18, 19, 21])),
            tzinfo=org.tzinfo,
        )
        fmt = rng.choice(FORMATS)
        post = SocialPostFactory(organization=org, account=account, published_at=published, format=fmt)
        reach = rng.randint(100, 5000)
        likes, comments = rng.randint(0, 300), rng.randint(0, 40)
        # An older observation that must be ignored, then the latest one.
        PostMetricDailyFactory(post=post, day=published.date(), reach=10, likes=9, comments=0)
        PostMetricDailyFactory(
            post=post, day=published.date() + dt.timedelta(days=3), reach=reach, likes=likes, comments=comments
        )
        er = (Decimal(likes + comments) / Decimal(reach)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) * 100
        records.append({"weekday": published.weekday(), "hour": published.hour, "format": fmt, "score": float(er)})
        if i == 0:
            SocialPostFactory(organization=org, account=account, published_at=published)  # no metrics: left out
    frame = pd.DataFrame(records)

    result = best_time(organization=org, objective="engagement")

    assert (result.metric, result.sample_size, result.enough) == ("engagement_rate", 60, True)
    assert [(g.key, g.score, g.posts) for g in result.weekdays] == _expected(frame, "weekday")
    assert [(g.key, g.score, g.posts) for g in result.hours] == _expected(frame, "hour")
    assert [(g.key, g.score, g.posts) for g in result.formats] == _expected(frame, "format")


def test_lead_generation_uses_attributed_leads(org):
    rng = random.Random(11)
    today = org.today()
    records = []
    for i in range(MIN_SAMPLE + 5):
        published = dt.datetime.combine(
            today - dt.timedelta(days=rng.randint(1, 100)), dt.time(rng.choice([9, 13, 20])), tzinfo=org.tzinfo
        )
        fmt = rng.choice(FORMATS)
        post = Post.objects.create(
            organization=org,
            title=f"p{i}",
            platform="vk",
            objective="lead_generation",
            format=fmt,
            published_at=published,
        )
        leads = rng.randint(0, 4)
        for n in range(leads):
            Lead.objects.create(organization=org, external_id=f"L{i}-{n}", post=post)
        records.append({"weekday": published.weekday(), "hour": published.hour, "format": fmt, "score": leads})
    Post.objects.create(organization=org, title="other", platform="vk", objective="sales", published_at=published)
    frame = pd.DataFrame(records)

    result = best_time(organization=org, objective="lead_generation")

    assert (result.metric, result.sample_size) == ("leads", MIN_SAMPLE + 5)
    assert [(g.key, g.score, g.posts) for g in result.hours] == _expected(frame, "hour")
    assert [(g.key, g.score, g.posts) for g in result.formats] == _expected(frame, "format")


def test_not_enough_data_below_the_minimum(org, owner_web):
    account = SocialAccountFactory(organization=org, platform="vk")
    for _ in range(MIN_SAMPLE - 1):
        PostMetricDailyFactory(post=SocialPostFactory(organization=org, account=account), reach=100, likes=5)
    result = best_time(organization=org, objective="engagement")
    assert (result.sample_size, result.enough, result.weekdays) == (MIN_SAMPLE - 1, False, [])
    html = owner_web.get(f"/o/{org.slug}/content/calendar/").content.decode()
    assert f"Sample: {MIN_SAMPLE - 1} posts" in html
    assert "Not enough data" in html
