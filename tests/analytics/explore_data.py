"""Seeded random facts for the marketer's analytics pages, read back as raw rows for the
independent pandas computations of the tests (nothing here calls analytics code)."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.utils import timezone

from ads.models import AdStatDaily
from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost
from crm.models import Lead, Sale
from links.models import LinkClickHourly, TrackedLink, new_code
from moderation.models import InboxItem
from tests.ads.factories import AdCampaignFactory
from tests.content.factories import PostFactory
from tests.integrations.factories import SocialAccountFactory
from tests.strategy.factories import ContentPillarFactory

FORMATS = ("photo", "video", "text", "carousel")
OBJECTIVES = ("engagement", "lead_generation", "sales", "loyalty")


def _maybe(rng, value, p_none=0.15):
    return None if rng.random() < p_none else value


@dataclass
class Raw:
    accounts: dict
    posts: pd.DataFrame  # one row per SocialPost
    post_metrics: pd.DataFrame  # every PostMetricDaily row
    account_metrics: pd.DataFrame
    leads: pd.DataFrame
    sales: pd.DataFrame
    clicks: pd.DataFrame
    spend: pd.DataFrame
    planned: pd.DataFrame


def generate(org, *, seed: int, posts: int, end: dt.date, days: int = 60, lonely_format: bool = True) -> Raw:
    """`posts` platform posts over the `days` days ending `end` on three accounts (the Telegram one
    reports no reach), a third of them planned with leads and sales, daily account metrics, tracked
    link clicks and ad spend. With `lonely_format`, exactly one post is a reel (a single-post segment)."""
    rng = random.Random(seed)
    tz = org.tzinfo
    vk = SocialAccountFactory(organization=org, platform="vk", external_id=f"vk{seed}", display_name="VK")
    tg = SocialAccountFactory(organization=org, platform="telegram", external_id=f"tg{seed}", display_name="TG")
    ig = SocialAccountFactory(organization=org, platform="instagram", external_id=f"ig{seed}", display_name="IG")
    accounts = {"vk": vk, "telegram": tg, "instagram": ig}
    first = end - dt.timedelta(days=days - 1)
    pillars = [ContentPillarFactory(organization=org, strategy__organization=org) for _ in range(2)]
    campaign = AdCampaignFactory(organization=org, account=SocialAccountFactory(organization=org, platform="vk_ads"))
    for i in range(days):
        day = first + dt.timedelta(days=i)
        for platform, account in accounts.items():
            if rng.random() < 0.1:
                continue  # a day the platform did not report
            no_reach = platform == "telegram"
            AccountMetricDaily.objects.create(
                organization=org,
                account=account,
                day=day,
                followers=1000 + i * 5 + rng.randint(0, 3),
                followers_gained=_maybe(rng, rng.randint(0, 30) if i != days // 2 else 400),
                followers_lost=_maybe(rng, rng.randint(0, 10)),
                reach=None if no_reach else _maybe(rng, rng.randint(0, 3000)),
                views=_maybe(rng, rng.randint(0, 5000)),
                interactions=_maybe(rng, rng.randint(0, 300)),
                link_clicks=_maybe(rng, rng.randint(0, 40)),
            )
        if rng.random() < 0.7:
            AdStatDaily.objects.create(
                organization=org,
                account=campaign.account,
                campaign=campaign,
                day=day,
                spend=Decimal(rng.randint(100, 5000)) + Decimal("0.25"),
            )
    link = TrackedLink.objects.create(organization=org, code=new_code(), target_url="https://example.com/")
    for _ in range(days * 3):
        hour = dt.datetime.combine(first, dt.time(), tzinfo=tz) + dt.timedelta(hours=rng.randint(0, days * 24 - 1))
        LinkClickHourly.objects.update_or_create(
            organization=org, link=link, hour=hour.astimezone(dt.UTC), defaults={"clicks": rng.randint(1, 9)}
        )
    for n in range(posts):
        platform = rng.choice(list(accounts))
        published = dt.datetime.combine(first, dt.time(), tzinfo=tz) + dt.timedelta(
            minutes=rng.randint(0, days * 24 * 60 - 1)
        )
        fmt = "reel" if lonely_format and n == 0 else rng.choice(FORMATS)
        planned = None
        if rng.random() < 0.4:
            planned = PostFactory(
                organization=org, platform=platform, objective=rng.choice(OBJECTIVES), pillar=rng.choice(pillars)
            )
        post = SocialPost.objects.create(
            organization=org,
            account=accounts[platform],
            external_id=f"{seed}-{n}",
            published_at=published,
            format=fmt,
            planned_post=planned,
            extra={"objective": rng.choice(OBJECTIVES)} if planned is None and rng.random() < 0.5 else {},
        )
        for k in range(rng.randint(0, 3)):  # 0 observations: a post without numbers yet
            no_reach = platform == "telegram"
            PostMetricDaily.objects.create(
                organization=org,
                account=post.account,
                post=post,
                day=published.astimezone(tz).date() + dt.timedelta(days=k),
                reach=None if no_reach else _maybe(rng, rng.randint(0, 5000)),
                views=_maybe(rng, rng.randint(0, 8000)),
                likes=_maybe(rng, rng.randint(0, 200)),
                comments=_maybe(rng, rng.randint(0, 40)),
                shares=_maybe(rng, rng.randint(0, 20)),
                saves=_maybe(rng, rng.randint(0, 20)),
                link_clicks=_maybe(rng, rng.randint(0, 60)),
            )
        if planned is not None:
            for m in range(rng.randint(0, 3)):
                lead = Lead.objects.create(
                    organization=org,
                    external_id=f"{seed}-{n}-{m}",
                    created=published + dt.timedelta(hours=rng.randint(1, 48)),
                    post=planned,
                    attributed_platform=rng.choice([platform, platform, ""]),
                )
                if rng.random() < 0.5:
                    Sale.objects.create(
                        organization=org,
                        external_id=f"s{seed}-{n}-{m}",
                        amount=Decimal(rng.randint(500, 9000)),
                        currency=org.currency,
                        sold_at=lead.created,
                        lead=lead,
                        refunded=rng.random() < 0.2,
                    )
    InboxItem.objects.create(
        organization=org,
        account=vk,
        kind="mention",
        external_id=f"m{seed}",
        created_at=dt.datetime.combine(first + dt.timedelta(days=days // 2), dt.time(12), tzinfo=tz),
    )
    return read(org, accounts)


def read(org, accounts) -> Raw:
    def frame(qs, *fields):
        return pd.DataFrame.from_records(list(qs.values(*fields)), columns=list(fields))

    posts = frame(
        SocialPost.objects.for_organization(org),
        "id",
        "account_id",
        "account__platform",
        "published_at",
        "format",
        "planned_post_id",
        "extra",
    )
    return Raw(
        accounts=accounts,
        posts=posts,
        post_metrics=frame(
            PostMetricDaily.objects.for_organization(org),
            "post_id",
            "day",
            "reach",
            "views",
            "likes",
            "comments",
            "shares",
            "saves",
            "link_clicks",
        ),
        account_metrics=frame(
            AccountMetricDaily.objects.for_organization(org),
            "account_id",
            "account__platform",
            "day",
            "followers",
            "followers_gained",
            "followers_lost",
            "reach",
            "views",
            "interactions",
            "link_clicks",
        ),
        leads=frame(Lead.objects.for_organization(org), "id", "created", "post_id", "attributed_platform", "platform"),
        sales=frame(Sale.objects.for_organization(org), "lead_id", "amount", "currency", "refunded"),
        clicks=frame(LinkClickHourly.objects.for_organization(org), "hour", "clicks"),
        spend=frame(AdStatDaily.objects.for_organization(org), "day", "spend"),
        planned=frame(PostFactory._meta.model.objects.for_organization(org), "id", "objective", "pillar__name"),
    )


def now_in(org) -> dt.datetime:
    return timezone.now().astimezone(org.tzinfo)
