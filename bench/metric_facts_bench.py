"""Raw metrics API benchmark: keyset pages of `metrics/posts/` cost the same at any depth.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smm_bench python bench/metric_facts_bench.py --rows 300000

Creates an organization (slug ``bench-metric-facts``) with three accounts and ``--rows`` daily post
snapshots (a post observed for 30 days each, spread over ~3 years), plus a second organization with as
many rows (a neighbour in the same index), then times 200-row pages of `GET metrics/posts/` (Django's
test client, best of three) at the start, the middle and the end of the walk, with their query counts,
and prints the plan of a deep page. Removes both organizations at the end (``--keep`` leaves them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from analytics.models import PostMetricDaily, SocialPost  # noqa: E402
from integrations.models import SocialAccount  # noqa: E402
from tenancy.models import Membership, Organization  # noqa: E402
from tenancy.roles import Role  # noqa: E402

SLUGS = ("bench-metric-facts", "bench-metric-facts-neighbour")
DAYS_PER_POST = 30


def build(slug: str, rows: int) -> Organization:
    Organization.objects.filter(slug=slug).delete()
    org = Organization.objects.create(name=slug, slug=slug)
    user, _ = get_user_model().objects.get_or_create(username=f"{slug}@example.com")
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    accounts = [
        SocialAccount.objects.create(organization=org, platform=p, external_id=f"b-{p}", display_name=p)
        for p in ("vk", "telegram", "instagram")
    ]
    rng = random.Random(1)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    posts = SocialPost.objects.bulk_create(
        (
            SocialPost(
                organization=org,
                account=accounts[n % 3],
                external_id=str(n),
                published_at=start + dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60)),
            )
            for n in range(rows // DAYS_PER_POST)
        ),
        batch_size=5000,
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
            )
            for p in posts
            for k in range(DAYS_PER_POST)
        ),
        batch_size=10000,
    )
    return org


def timed(label: str, fn, repeat: int = 3) -> None:
    best, queries = float("inf"), 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - began)
        queries = len(ctx)
    print(f"{label:55s} {best * 1000:8.1f} ms  {queries:3d} queries")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    org, _neighbour = (build(slug, args.rows) for slug in SLUGS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_postmetricdaily")
    rows = PostMetricDaily.objects.for_organization(org).count()
    print(f"built 2 × {rows} rows in {time.perf_counter() - began:.0f} s; load {os.getloadavg()[0]:.1f}")
    client = APIClient()
    client.force_authenticate(Membership.objects.for_organization(org).get().user)
    ordered = PostMetricDaily.objects.for_organization(org).order_by("day", "id").values_list("day", "id")
    url = f"/api/v1/orgs/{org.slug}/metrics/posts/?page_size=200"
    try:
        for label, offset in (("first page", None), ("middle", rows // 2), ("last", rows - 150)):
            position = "" if offset is None else "&cursor={}.{}".format(*ordered[offset])

            def get(position=position):
                response = client.get(url + position, HTTP_HOST="localhost")
                assert response.status_code == 200, response.status_code

            timed(f"GET metrics/posts/ 200 rows, {label}", get)
        day, pk = ordered[rows - 150]
        sql, params = (
            PostMetricDaily.objects.filter(organization=org, day__gte=day)
            .filter(Q(day__gt=day) | Q(pk__gt=pk))
            .order_by("day", "id")[:201]
            .query.sql_with_params()
        )
        with connection.cursor() as db:
            db.execute(f"EXPLAIN ANALYZE {sql}", params)
            print("\n".join(row[0] for row in db.fetchall()))
    finally:
        if not args.keep:
            Organization.objects.filter(slug__in=SLUGS).delete()


if __name__ == "__main__":
    main()
