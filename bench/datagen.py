"""Dataset generator for benchmarks and scale tests: organizations full of synced facts, by COPY.

    DATABASE_URL=postgres://... python -m bench.datagen --preset ci
    DATABASE_URL=postgres://... python -m bench.datagen --preset large   # 1,000 orgs, >= 10M post metrics

Every organization gets accounts, synced posts with one metric snapshot a day for the days the
real sync keeps refreshing a post (``SNAPSHOTS_PER_POST`` = the nightly plan's 30 ``posts_days``),
daily account metrics, inbox comments, ad campaigns with daily stats, and CRM leads. Sizes follow
a long tail: organization *i* gets ``scale(i)`` times the base size (Zipf-like), so a few
organizations are huge and the median is small; reach is log-normal, posting follows weekday
and hour weights. Rows are written with ``COPY`` in the production serializer's text format
(``integrations.bulk``), straight into the tables (no upsert: the tables start empty for these
organizations). Generated organizations have slugs ``gen-<n>`` and can be removed with ``--drop``.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: set Django up first
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")
    import django

    django.setup()

from django.db import connection, models, transaction

from ads.models import AdCampaign, AdStatDaily
from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost
from crm.models import Lead
from integrations.bulk import _Plan, _row_formatter
from integrations.models import Platform, SocialAccount
from moderation.models import InboxItem
from tenancy.models import Organization
from tenancy.rls import unscoped_session

SNAPSHOTS_PER_POST = 30  # integrations.steps: the nightly plan refreshes posts of the last 30 days
SLUG_PREFIX = "gen-"
WEEKDAY_WEIGHTS = [1.0, 1.1, 1.1, 1.0, 0.9, 0.6, 0.5]  # Monday .. Sunday
HOUR_WEIGHTS = [0.1] * 7 + [0.5, 1.0, 1.2, 1.2, 1.0, 1.3, 1.1, 1.0, 1.0, 1.1, 1.3, 1.5, 1.6, 1.4, 1.0, 0.6, 0.3]


@dataclass(frozen=True)
class Preset:
    organizations: int
    accounts: int  # per organization at scale 1
    posts_per_day: float  # per account at scale 1
    days: int
    comments_per_post: float
    campaigns: int  # per organization at scale 1
    leads_per_day: float  # per organization at scale 1
    tail: float  # Zipf exponent of the organization sizes
    max_scale: float  # the largest organization is this many times the base size


PRESETS: dict[str, Preset] = {
    # Seconds: a handful of organizations, for `make bench` in CI and the scale tests.
    "ci": Preset(6, 2, 1.0, 60, 2.0, 2, 2.0, 1.0, 4.0),
    # Minutes on a laptop: enough rows to see plans change.
    "small": Preset(40, 2, 1.0, 180, 3.0, 2, 3.0, 1.0, 12.0),
    # The target: 1,000 organizations, >= 10M post-metric rows, >= 2M account-metric rows,
    # >= 1M inbox items, >= 500k leads, the biggest organization >= 5 % of the rows. Hours; not for CI.
    "large": Preset(1000, 3, 0.6, 730, 3.0, 3, 1.0, 1.0, 120.0),
}


def scale(i: int, preset: Preset) -> float:
    """Organization i's size relative to the base: long-tailed, the first one the largest."""
    return max(0.25, preset.max_scale / (i + 1) ** preset.tail)


def copy_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]], sample: Mapping[str, Any]) -> int:
    """COPY rows into the model's table in the production serializer's format; defaults filled."""
    plan = _Plan(model, ["organization_id"], None, sample)
    fmt = _row_formatter(plan)
    qn = connection.ops.quote_name
    sql = f"COPY {qn(plan.table)} ({', '.join(qn(plan.column(n)) for n in plan.columns)}) FROM STDIN"
    written = 0
    buffer: list[str] = []
    with connection.cursor() as cursor:
        for row in rows:
            buffer.append(fmt(row))
            if len(buffer) >= 50_000:
                cursor.cursor.copy_expert(sql, io.StringIO("".join(buffer)))
                written += len(buffer)
                buffer = []
        if buffer:
            cursor.cursor.copy_expert(sql, io.StringIO("".join(buffer)))
            written += len(buffer)
    return written


def _ids(model: Any, org_id: int, order: str = "id") -> list[int]:
    return list(model.objects.unscoped().filter(organization_id=org_id).order_by(order).values_list("id", flat=True))


def generate_organization(org: Organization, preset: Preset, size: float, *, end: date, seed: int) -> dict[str, int]:
    """Fill one (new, empty) organization; returns rows written per table."""
    rnd = random.Random(seed)  # synthetic data, not security
    now = datetime.now(UTC)
    counts: dict[str, int] = {}
    n_accounts = max(1, round(preset.accounts * math.sqrt(size)))
    SocialAccount.objects.bulk_create(
        SocialAccount(
            organization=org,
            platform=Platform.DEMO,
            external_id=f"gen-{org.pk}-{a}",
            display_name=f"Account {a + 1}",
            status="active",
        )
        for a in range(n_accounts)
    )
    accounts = _ids(SocialAccount, org.pk)
    first = end - timedelta(days=preset.days - 1)
    days = [first + timedelta(days=d) for d in range(preset.days)]

    def account_metrics() -> Iterable[dict[str, Any]]:
        for account in accounts:
            followers = rnd.randint(500, 50_000)
            for day in days:
                gained = rnd.randint(0, 40)
                followers += gained - rnd.randint(0, 20)
                reach = int(rnd.lognormvariate(7, 1) * WEEKDAY_WEIGHTS[day.weekday()])
                yield {
                    "organization_id": org.pk,
                    "account_id": account,
                    "day": day,
                    "followers": followers,
                    "followers_gained": gained,
                    "reach": reach,
                    "views": int(reach * 1.4),
                    "likes": reach // 30,
                    "comments": reach // 300,
                    "shares": reach // 500,
                    "link_clicks": reach // 200,
                    "updated_at": now,
                }

    sample = next(iter(account_metrics()))
    counts["account_metrics"] = copy_rows(AccountMetricDaily, account_metrics(), sample)

    per_day = preset.posts_per_day * size / max(1, len(accounts)) * preset.accounts
    post_rows: list[dict[str, Any]] = []
    for account in accounts:
        for day in days:
            n = int(per_day * WEEKDAY_WEIGHTS[day.weekday()] + rnd.random())
            for _ in range(n):
                hour = rnd.choices(range(24), HOUR_WEIGHTS)[0]
                post_rows.append(
                    {
                        "organization_id": org.pk,
                        "account_id": account,
                        "external_id": f"p{len(post_rows)}",
                        "published_at": datetime(day.year, day.month, day.day, hour, rnd.randint(0, 59), tzinfo=UTC),
                        "text": "Generated post",
                        "format": rnd.choice(["text", "photo", "video", "carousel"]),
                        "first_seen_at": now,
                        "updated_at": now,
                    }
                )
    if post_rows:
        counts["posts"] = copy_rows(SocialPost, post_rows, post_rows[0])
    posts = list(
        SocialPost.objects.unscoped()
        .filter(organization_id=org.pk)
        .order_by("id")
        .values_list("id", "account_id", "published_at")
    )

    def post_metrics() -> Iterable[dict[str, Any]]:
        for post_id, account_id, published_at in posts:
            final = rnd.lognormvariate(6.5, 1.2)  # long-tailed reach
            start = published_at.date()
            for k in range(SNAPSHOTS_PER_POST):
                day = start + timedelta(days=k)
                if day > end:
                    break
                share = 1 - 0.5 ** (k + 1)  # most of a post's reach comes in its first days
                reach = int(final * share)
                yield {
                    "organization_id": org.pk,
                    "account_id": account_id,
                    "post_id": post_id,
                    "day": day,
                    "reach": reach,
                    "views": int(reach * 1.3),
                    "likes": reach // 25,
                    "comments": reach // 250,
                    "shares": reach // 400,
                    "saves": reach // 300,
                    "link_clicks": reach // 150,
                    "updated_at": now,
                }

    if posts:
        first_metric = next(iter(post_metrics()))
        counts["post_metrics"] = copy_rows(PostMetricDaily, post_metrics(), first_metric)

    def inbox() -> Iterable[dict[str, Any]]:
        n = 0
        for post_id, account_id, published_at in posts:
            for _ in range(int(rnd.expovariate(1 / preset.comments_per_post)) if preset.comments_per_post else 0):
                n += 1
                created = published_at + timedelta(minutes=rnd.randint(1, 3000))
                yield {
                    "organization_id": org.pk,
                    "account_id": account_id,
                    "kind": "comment",
                    "external_id": f"c{n}",
                    "post_external_id": str(post_id),
                    "author_name": f"Reader {n % 997}",
                    "text": "Generated comment",
                    "created_at": created,
                    "status": rnd.choice(["new", "new", "answered", "resolved"]),
                    "first_seen_at": created,
                    "updated_at": now,
                }

    items = list(inbox())
    if items:
        counts["inbox_items"] = copy_rows(InboxItem, items, items[0])

    n_campaigns = max(1, round(preset.campaigns * math.sqrt(size)))
    AdCampaign.objects.bulk_create(
        AdCampaign(
            organization=org,
            account_id=accounts[c % len(accounts)],
            external_id=f"gen-c{c}",
            name=f"Campaign {c + 1}",
            status="active",
            currency="RUB",
        )
        for c in range(n_campaigns)
    )
    campaigns = list(
        AdCampaign.objects.unscoped().filter(organization_id=org.pk).order_by("id").values_list("id", "account_id")
    )
    stats = []
    for campaign_id, account_id in campaigns:
        for day in days:
            impressions = int(rnd.lognormvariate(8, 0.8))
            clicks = impressions // rnd.randint(50, 200)
            stats.append(
                {
                    "organization_id": org.pk,
                    "account_id": account_id,
                    "campaign_id": campaign_id,
                    "day": day,
                    "spend": Decimal(clicks * rnd.randint(8, 30)),
                    "currency": "RUB",
                    "impressions": impressions,
                    "clicks": clicks,
                    "reach": int(impressions * 0.7),
                    "leads": clicks // 20,
                    "updated_at": now,
                }
            )
    counts["ad_stats"] = copy_rows(AdStatDaily, stats, stats[0])

    leads: list[dict[str, Any]] = []
    for day in days:
        for _ in range(int(preset.leads_per_day * size * WEEKDAY_WEIGHTS[day.weekday()] + rnd.random())):
            created = datetime(day.year, day.month, day.day, rnd.randint(8, 21), tzinfo=UTC)
            leads.append(
                {
                    "organization_id": org.pk,
                    "external_id": f"L{len(leads)}",
                    "created": created,
                    "status_changed_at": created,
                    "status": rnd.choice(["new", "new", "qualified", "won", "lost"]),
                    "utm_source": rnd.choice(["vk", "telegram", "instagram", ""]),
                    "platform": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if leads:
        counts["leads"] = copy_rows(Lead, leads, leads[0])
    return counts


def generate(
    preset: Preset, *, end: date | None = None, prefix: str = SLUG_PREFIX, seed: int = 15, log: bool = True
) -> dict[str, Any]:
    """Create ``preset.organizations`` organizations (slugs ``<prefix><n>``) and fill them."""
    end = end or datetime.now(UTC).date()
    totals: dict[str, int] = {}
    per_org: dict[str, int] = {}
    started = time.perf_counter()
    with unscoped_session("benchmark data generator"):
        for i in range(preset.organizations):
            with transaction.atomic():
                org = Organization.objects.create(name=f"Generated {i + 1}", slug=f"{prefix}{i + 1}")
                counts = generate_organization(org, preset, scale(i, preset), end=end, seed=seed + i)
            per_org[org.slug] = sum(counts.values())
            for table, n in counts.items():
                totals[table] = totals.get(table, 0) + n
            if log and (i < 3 or (i + 1) % 100 == 0):
                print(f"  {org.slug}: {counts}", flush=True)
        with connection.cursor() as cursor:
            for model in FACT_MODELS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {**_summary(per_org), "rows": totals, "seconds": round(time.perf_counter() - started, 1)}


FACT_MODELS = (SocialPost, PostMetricDaily, AccountMetricDaily, InboxItem, AdStatDaily, Lead)


def _summary(per_org: dict[str, int]) -> dict[str, Any]:
    ranked = sorted(per_org.items(), key=lambda kv: kv[1], reverse=True)
    return {
        "organizations": len(per_org),
        "largest": ranked[0][0] if ranked else None,
        "median": ranked[len(ranked) // 2][0] if ranked else None,
        "largest_share": round(ranked[0][1] / max(1, sum(per_org.values())), 3) if ranked else 0,
        "rows_by_organization": per_org,
    }


def describe(prefix: str = SLUG_PREFIX) -> dict[str, Any]:
    """The summary of an already generated dataset (rows per organization counted in SQL)."""
    per_org: dict[str, int] = {}
    totals: dict[str, int] = {}
    with unscoped_session("benchmark data generator: describe"):
        slugs = dict(Organization.objects.filter(slug__startswith=prefix).values_list("pk", "slug"))
        with connection.cursor() as cursor:
            for model in FACT_MODELS:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(
                    f"SELECT organization_id, count(*) FROM {table} WHERE organization_id = ANY(%s)"  # noqa: S608
                    " GROUP BY organization_id",
                    [list(slugs)],
                )
                for org_id, n in cursor.fetchall():
                    per_org[slugs[org_id]] = per_org.get(slugs[org_id], 0) + n
                    totals[model._meta.db_table] = totals.get(model._meta.db_table, 0) + n
    return {**_summary(per_org), "rows": totals}


def drop(prefix: str = SLUG_PREFIX) -> int:
    with unscoped_session("benchmark data generator: clean-up"):
        orgs = list(Organization.objects.filter(slug__startswith=prefix).values_list("pk", flat=True))
        for pk in orgs:
            Organization.objects.filter(pk=pk).delete()
    return len(orgs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="ci")
    parser.add_argument("--organizations", type=int, help="override the preset")
    parser.add_argument("--days", type=int, help="override the preset")
    parser.add_argument("--drop", action="store_true", help="remove generated organizations first")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("The generator needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    preset = PRESETS[args.preset]
    if args.organizations:
        preset = replace(preset, organizations=args.organizations)
    if args.days:
        preset = replace(preset, days=args.days)
    if args.drop:
        print(f"removed {drop()} generated organizations")
    print(generate(preset))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
