"""Seeded random facts for the KPI engine tests, and the same KPIs computed independently with
pandas from the raw rows (nothing here reads the engine or an ORM aggregate)."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from ads.models import AdStatDaily
from analytics.models import AccountMetricDaily
from crm.models import Lead, Sale
from links.models import LinkClickHourly, TrackedLink, new_code
from moderation.models import InboxItem, ReplyServiceLevel
from strategy.models import BusinessProfile
from tests.ads.factories import AdCampaignFactory
from tests.content.factories import PostFactory
from tests.integrations.factories import SocialAccountFactory
from tests.strategy.factories import BusinessProfileFactory, ContentPillarFactory, GoalFactory, StrategyFactory

FIRST_DAY = dt.date(2026, 2, 20)
LAST_DAY = dt.date(2026, 4, 10)
SOCIAL = ("vk", "telegram", "instagram")
AD_PLATFORMS_FOR = {"vk": ["vk_ads"], "instagram": ["meta_ads"], "facebook": ["meta_ads"], "telegram": []}


def _maybe(rng: random.Random, value, p_none=0.2):
    return None if rng.random() < p_none else value


@dataclass
class Facts:
    tz: object
    metrics: pd.DataFrame
    ads: pd.DataFrame
    leads: pd.DataFrame
    sales: pd.DataFrame
    inbox: pd.DataFrame
    clicks: pd.DataFrame
    has_leads: bool
    has_sales: bool
    has_links: bool
    margin: Decimal | None
    support_cost: Decimal | None


def _days(rng: random.Random, n: int) -> list[dt.date]:
    span = (LAST_DAY - FIRST_DAY).days
    return sorted({FIRST_DAY + dt.timedelta(days=rng.randint(0, span)) for _ in range(n)})


def _moment(rng: random.Random) -> dt.datetime:
    span = ((LAST_DAY - FIRST_DAY).days + 1) * 86400
    start = dt.datetime.combine(FIRST_DAY, dt.time.min, tzinfo=dt.UTC)
    return start + dt.timedelta(seconds=rng.randrange(0, span, 60))


def generate(org, *, seed: int, scale: int = 1, margin="35", support_cost="120.50") -> Facts:
    """Accounts, posts, campaigns, metrics, ad stats, leads, sales, inbox items and link clicks."""
    rng = random.Random(seed)
    accounts = {p: SocialAccountFactory(organization=org, platform=p, external_id=f"{p}-{seed}") for p in SOCIAL}
    ad_accounts = {
        p: SocialAccountFactory(organization=org, platform=p, external_id=f"{p}-{seed}") for p in ("vk_ads", "meta_ads")
    }
    strategy = StrategyFactory(organization=org)
    goals = [GoalFactory(strategy=strategy) for _ in range(2)]
    pillars = [ContentPillarFactory(strategy=strategy) for _ in range(2)]
    posts = [
        PostFactory(
            organization=org,
            strategy=strategy,
            platform=rng.choice(SOCIAL),
            goal=rng.choice(goals),
            pillar=rng.choice(pillars),
        )
        for _ in range(4)
    ]
    posts.append(PostFactory(organization=org, platform="telegram"))  # no goal, no pillar
    campaigns = [AdCampaignFactory(organization=org, account=rng.choice(list(ad_accounts.values()))) for _ in range(3)]
    if margin is not None or support_cost is not None:
        BusinessProfile.objects.filter(organization=org).delete()
        BusinessProfileFactory(
            organization=org,
            gross_margin_percent=None if margin is None else Decimal(margin),
            support_contact_cost=None if support_cost is None else Decimal(support_cost),
        )

    metric_rows = []
    for account in accounts.values():
        for day in _days(rng, 25 * scale):
            values = {
                "reach": _maybe(rng, rng.choice([0, rng.randint(1, 5000)])),
                "views": _maybe(rng, rng.randint(0, 9000)),
                "likes": _maybe(rng, rng.randint(0, 300), 0.4),
                "comments": _maybe(rng, rng.randint(0, 50), 0.4),
                "shares": _maybe(rng, rng.randint(0, 30), 0.5),
                "saves": _maybe(rng, rng.randint(0, 30), 0.5),
                "interactions": _maybe(rng, rng.randint(0, 400), 0.6),
                "link_clicks": _maybe(rng, rng.randint(0, 90), 0.3),
                "followers": _maybe(rng, rng.randint(100, 9000), 0.3),
            }
            metric_rows.append(AccountMetricDaily(organization=org, account=account, day=day, **values))
    AccountMetricDaily.objects.bulk_create(metric_rows)
    metrics = pd.DataFrame(
        [
            {
                "account": r.account_id,
                "platform": r.account.platform,
                "day": r.day,
                **{f: getattr(r, f) for f in ("reach", "views", "likes", "comments", "shares", "saves")},
                **{f: getattr(r, f) for f in ("interactions", "link_clicks", "followers")},
            }
            for r in metric_rows
        ]
    )

    ad_rows = []
    for campaign in campaigns:
        for day in _days(rng, 20 * scale):
            spend = _maybe(rng, Decimal(rng.randint(0, 500000)) / 100)
            ad_rows.append(
                AdStatDaily(
                    organization=org,
                    account=campaign.account,
                    campaign=campaign,
                    day=day,
                    spend=spend,
                    clicks=_maybe(rng, rng.randint(0, 400)),
                    leads=_maybe(rng, rng.randint(0, 20), 0.4),
                    conversions=_maybe(rng, rng.randint(0, 5), 0.5),
                    revenue=_maybe(rng, Decimal(rng.randint(0, 900000)) / 100, 0.6),
                )
            )
    AdStatDaily.objects.bulk_create(ad_rows)
    ads = pd.DataFrame(
        [
            {
                "campaign": r.campaign_id,
                "ad_platform": r.account.platform,
                "day": r.day,
                "spend": None if r.spend is None else int(r.spend * 100),
                "clicks": r.clicks,
                "leads": r.leads,
                "conversions": r.conversions,
                "revenue": None if r.revenue is None else int(r.revenue * 100),
            }
            for r in ad_rows
        ]
    )

    lead_rows = []
    for n in range(40 * scale):
        post = rng.choice([None, *posts])
        lead_rows.append(
            Lead(
                organization=org,
                external_id=f"L{seed}-{n}",
                created=_moment(rng),
                platform=rng.choice(["", "vk", "telegram"]),
                attributed_platform=rng.choice(["", "", *SOCIAL]),
                post=post,
                campaign=rng.choice([None, *campaigns]),
                goal=rng.choice([None, *goals]),
            )
        )
    Lead.objects.bulk_create(lead_rows)
    leads = pd.DataFrame(
        [
            {
                "id": r.pk,
                "created": r.created,
                "platform": r.attributed_platform or r.platform or None,
                "post": r.post_id,
                "campaign": r.campaign_id,
                "goal": r.goal_id,
                "pillar": r.post.pillar_id if r.post else None,
            }
            for r in lead_rows
        ],
        columns=["id", "created", "platform", "post", "campaign", "goal", "pillar"],
    )

    sale_rows = [
        Sale(
            organization=org,
            external_id=f"S{seed}-{n}",
            amount=Decimal(rng.randint(0, 2000000)) / 100,
            currency=rng.choice(["RUB", "RUB", "RUB", "USD"]),
            sold_at=_moment(rng),
            lead=rng.choice([None, *lead_rows]),
            refunded=rng.random() < 0.15,
        )
        for n in range(25 * scale)
    ]
    Sale.objects.bulk_create(sale_rows)
    lead_index = leads.set_index("id") if not leads.empty else None
    sales = pd.DataFrame(
        [
            {
                "sold_at": r.sold_at,
                "amount": int(r.amount * 100),
                "currency": r.currency,
                "refunded": r.refunded,
                **(
                    lead_index.loc[r.lead_id, ["platform", "post", "campaign", "goal", "pillar"]].to_dict()
                    if r.lead_id
                    else {"platform": None, "post": None, "campaign": None, "goal": None, "pillar": None}
                ),
            }
            for r in sale_rows
        ],
        columns=["sold_at", "amount", "currency", "refunded", "platform", "post", "campaign", "goal", "pillar"],
    )

    inbox_rows = []
    for n in range(60 * scale):
        created = _moment(rng)
        answered = _maybe(rng, created + dt.timedelta(minutes=rng.randint(-30, 600)), 0.4)
        # Every other answered item has the figure the reply service level counted (business
        # hours: shorter than the wall clock); derived from n, so the random stream is unchanged.
        counted = (n * 997) % 5400 if answered is not None and answered >= created and n % 2 == 0 else None
        inbox_rows.append(
            InboxItem(
                organization=org,
                account=rng.choice(list(accounts.values())),
                kind="comment",
                external_id=f"I{seed}-{n}",
                created_at=created,
                answered_at=answered,
                first_response_seconds=counted,
                author_external_id=rng.choice(["", "a", "b", "c", "d", "e"]),
                is_from_account=rng.random() < 0.1,
                sentiment=rng.choice([None, "positive", "negative", "neutral"]),
                status=rng.choice(["new", "resolved", "resolved", "replied"]),
            )
        )
    InboxItem.objects.bulk_create(inbox_rows)
    ReplyServiceLevel.objects.update_or_create(organization=org, defaults={"first_response_minutes": 45})
    inbox = pd.DataFrame(
        [
            {
                "platform": r.account.platform,
                "created": r.created_at,
                "answered": r.answered_at,
                "counted": r.first_response_seconds,
                "author": r.author_external_id,
                "from_account": r.is_from_account,
                "sentiment": r.sentiment,
                "status": r.status,
            }
            for r in inbox_rows
        ]
    )

    links = [TrackedLink(organization=org, code=new_code(), target_url="https://example.com/", post=p) for p in posts]
    links += [
        TrackedLink(organization=org, code=new_code(), target_url="https://example.com/", campaign=c) for c in campaigns
    ]
    TrackedLink.objects.bulk_create(links)
    click_rows = []
    for link in links:
        hours = {_moment(rng).replace(minute=0, second=0) for _ in range(15 * scale)}
        click_rows += [
            LinkClickHourly(organization=org, link=link, hour=hour, clicks=rng.randint(1, 40)) for hour in sorted(hours)
        ]
    LinkClickHourly.objects.bulk_create(click_rows)
    vk_label = {"vk_ads": "vk"}
    clicks = pd.DataFrame(
        [
            {
                "hour": r.hour,
                "clicks": r.clicks,
                "platform": r.link.post.platform
                if r.link.post
                else vk_label.get(r.link.campaign.account.platform, r.link.campaign.account.platform),
                "post": r.link.post_id,
                "campaign": r.link.campaign_id,
                "goal": r.link.post.goal_id if r.link.post else None,
                "pillar": r.link.post.pillar_id if r.link.post else None,
            }
            for r in click_rows
        ]
    )
    return Facts(
        tz=org.tzinfo,
        metrics=metrics,
        ads=ads,
        leads=leads,
        sales=sales,
        inbox=inbox,
        clicks=clicks,
        has_leads=bool(lead_rows),
        has_sales=bool(sale_rows),
        has_links=bool(links),
        margin=None if margin is None else Decimal(margin),
        support_cost=None if support_cost is None else Decimal(support_cost),
    )
