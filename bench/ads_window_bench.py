"""The ads page reads only its window: the plan and timing of the per-window stat query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smm_bench python bench/ads_window_bench.py \\
        --orgs 10 --campaigns 20 --days 1095

1. Creates ``--orgs`` organizations (slugs ``bench-ads-N``), each with one ad account and
   ``--campaigns`` campaigns, and ``--days`` daily stat rows per campaign (one INSERT … SELECT over
   ``generate_series``): 10 × 20 × 1,095 = 219,000 rows.
2. ANALYZEs the table and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the query the ads page runs for
   one organization's trailing 30 days (``ads.selectors.campaign_delivery``), and of the old
   whole-history ``SUM … FILTER`` join (``campaign_performance_list``) for comparison.
3. Deletes the organizations (``--keep`` leaves them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from ads.models import AdCampaign, AdStatDaily  # noqa: E402
from ads.selectors import DELIVERY_SUMS, campaign_delivery, campaign_performance_list, window_stats  # noqa: E402
from integrations.models import SocialAccount  # noqa: E402
from tenancy import rls  # noqa: E402
from tenancy.models import Organization  # noqa: E402


def seed(orgs: int, campaigns: int, days: int, today: dt.date) -> list[Organization]:
    Organization.objects.filter(slug__startswith="bench-ads-").delete()  # a previous run's leftovers
    made = []
    for n in range(orgs):
        org = Organization.objects.create(name=f"Bench ads {n}", slug=f"bench-ads-{n}")
        account = SocialAccount.objects.create(organization=org, platform="demo", external_id=f"bench-{n}")
        ids = [
            AdCampaign.objects.create(
                organization=org, account=account, external_id=f"b{n}-{c}", name=f"C{c}", status="active"
            ).pk
            for c in range(campaigns)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO ads_adstatdaily
                    (organization_id, account_id, campaign_id, day, spend, currency, impressions, clicks, reach,
                     leads, updated_at)
                SELECT %s, %s, c, %s::date - d, 100 + (d %% 50), 'RUB', 1000 + d, 20 + (d %% 7), 800, d %% 3, now()
                FROM unnest(%s::bigint[]) AS c, generate_series(0, %s - 1) AS d""",
                [org.pk, account.pk, today, ids, days],
            )
        made.append(org)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {AdStatDaily._meta.db_table}")
    return made


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    today = dt.datetime.now(tz=dt.UTC).date()
    with rls.unscoped_session("benchmark: creates and reads several organizations"):
        orgs = seed(args.orgs, args.campaigns, args.days, today)
        try:
            org = orgs[0]
            start = today - dt.timedelta(days=29)
            total = AdStatDaily.objects.count()
            print(f"{total} stat rows in {len(orgs)} organizations")

            window = window_stats(organization=org, start=start, end=today).order_by().values("campaign_id")
            print("--- per-window query (the ads page) ---")
            print(explain(window.annotate(**DELIVERY_SUMS)))
            began = time.perf_counter()
            campaign_delivery(organization=org, start=start, end=today)
            print(f"per-window read: {(time.perf_counter() - began) * 1000:.1f} ms")
            print("--- whole-history SUM … FILTER join (before) ---")
            print(explain(campaign_performance_list(organization=org, start=start, end=today)))
            began = time.perf_counter()
            list(campaign_performance_list(organization=org, start=start, end=today))
            print(f"whole-history read: {(time.perf_counter() - began) * 1000:.1f} ms")
        finally:
            if not args.keep:
                for org in orgs:
                    org.delete()


if __name__ == "__main__":
    main()
