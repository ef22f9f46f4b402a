"""Analytics pages benchmark: a large organization's posts table, overview and what-performs pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smm_bench python bench/analytics_bench.py --posts 10000 --runs 15

Creates an organization (slug ``bench-analytics``) with ``--accounts`` accounts (3), ``--posts`` platform posts
over the last 365 days with three daily snapshots each, and a year of daily account metrics, and
builds its rollups; then times `post_performance_list` over 365 days and the server time of the
analytics pages (Django's test client, signed in as the owner), each read from the raw tables and
from the post rollup in alternation (so machine load hits both alike): p50/p95 wall time, the
median CPU time of this process and the query count. Removes the organization at the end
(``--keep`` leaves it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from analytics import rollups  # noqa: E402
from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost  # noqa: E402
from analytics.selectors import post_performance_list  # noqa: E402
from integrations.models import SocialAccount  # noqa: E402
from tenancy.models import Membership, Organization  # noqa: E402
from tenancy.roles import Role  # noqa: E402

SLUG = "bench-analytics"


def build(posts: int, accounts_count: int = 3) -> Organization:
    Organization.objects.filter(slug=SLUG).delete()
    org = Organization.objects.create(name="Bench analytics", slug=SLUG)
    user, _ = get_user_model().objects.get_or_create(username="bench-analytics@example.com")
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    platforms = ("vk", "telegram", "instagram")
    accounts = [
        SocialAccount.objects.create(
            organization=org, platform=platforms[n % 3], external_id=f"b-{n}", display_name=f"{platforms[n % 3]} {n}"
        )
        for n in range(accounts_count)
    ]
    rng = random.Random(1)
    today = org.today()
    AccountMetricDaily.objects.bulk_create(
        (
            AccountMetricDaily(
                organization=org,
                account=a,
                day=today - dt.timedelta(days=i),
                followers=10000 + i,
                followers_gained=rng.randint(0, 50),
                followers_lost=rng.randint(0, 20),
                reach=rng.randint(0, 9000),
                views=rng.randint(0, 12000),
                interactions=rng.randint(0, 500),
                link_clicks=rng.randint(0, 80),
            )
            for a in accounts
            for i in range(400)
        ),
        batch_size=5000,
    )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=365)
    made = SocialPost.objects.bulk_create(
        SocialPost(
            organization=org,
            account=accounts[n % len(accounts)],
            external_id=str(n),
            published_at=start + dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60)),
            format=rng.choice(("photo", "video", "text")),
        )
        for n in range(posts)
    )
    PostMetricDaily.objects.bulk_create(
        (
            PostMetricDaily(
                organization=org,
                account_id=p.account_id,
                post=p,
                day=p.published_at.date() + dt.timedelta(days=k),
                reach=rng.randint(0, 5000),
                views=rng.randint(0, 9000),
                likes=rng.randint(0, 300),
                link_clicks=rng.randint(0, 50),
            )
            for p in made
            for k in range(3)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE analytics_socialpost; ANALYZE analytics_postmetricdaily; ANALYZE analytics_accountmetricdaily"
        )
    return org


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(label: str, fn, runs: int) -> None:
    """`fn` read raw and from the post rollup in alternation, `runs` times each: p50/p95 wall, the
    median CPU time of this process (less inflated than wall time on a shared machine), queries."""
    walls: dict[str, list[float]] = {"raw": [], "rollup": []}
    cpus: dict[str, list[float]] = {"raw": [], "rollup": []}
    queries: dict[str, int] = {}
    real = rollups.reads_posts
    for _ in range(runs):
        for path in ("raw", "rollup"):
            rollups.reads_posts = real if path == "rollup" else (lambda *a, **k: False)  # type: ignore[assignment]
            try:
                with CaptureQueriesContext(connection) as ctx:
                    began, cpu = time.perf_counter(), time.process_time()
                    fn()
                    walls[path].append(time.perf_counter() - began)
                    cpus[path].append(time.process_time() - cpu)
            finally:
                rollups.reads_posts = real  # type: ignore[assignment]
            queries[path] = len(ctx)
    for path in ("raw", "rollup"):
        print(
            f"{label:42s} {path:6s} p50 {_p(walls[path], 0.5) * 1000:6.0f} ms"
            f"  p95 {_p(walls[path], 0.95) * 1000:6.0f} ms"
            f"  cpu p50 {statistics.median(cpus[path]) * 1000:5.0f} ms  {queries[path]:3d} queries"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--accounts", type=int, default=3, help="accounts the posts are spread over")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    org = build(args.posts, args.accounts)
    began = time.perf_counter()
    rollups.rebuild(org)
    print(f"rollups built in {time.perf_counter() - began:.2f} s")
    one, five, fifteen = os.getloadavg()
    print(f"load average (1, 5, 15 min): {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores")
    today = org.today()
    client = Client()
    client.force_login(Membership.objects.for_organization(org).get().user)
    try:
        timed(
            "post_performance_list, 365 days",
            lambda: post_performance_list(
                organization=org, since=today - dt.timedelta(days=364), until=today, tz=org.tzinfo
            ),
            args.runs,
        )
        for path in (
            "overview/?period=365",
            "posts/?period=365&sort=er",
            "performs/?period=365&metric=er",
            "audience/?period=365",
        ):

            def get(path=path):
                response = client.get(f"/o/{SLUG}/analytics/{path}", HTTP_HOST="localhost")
                assert response.status_code == 200, (path, response.status_code)

            timed(f"GET analytics/{path}", get, args.runs)
        one, five, fifteen = os.getloadavg()
        print(f"load average after: {one:.1f} {five:.1f} {fifteen:.1f}")
    finally:
        if not args.keep:
            Organization.objects.filter(slug=SLUG).delete()


if __name__ == "__main__":
    main()
