"""`make bench`: generate a dataset, then time ingestion and the pages/APIs; a table and a JSON file.

    DATABASE_URL=postgres://... python bench/run.py --preset ci            # seconds (CI, development)
    DATABASE_URL=postgres://... python bench/run.py --preset large --requests 30   # the issue's scale

1. Ingestion: ``bench/ingest_bench.py`` (the production ``bulk_upsert`` against a raw ``COPY`` of the
   same rows, in the same run): first insert, identical no-op re-pull, 10 % changed; rows/s and
   the ratio to COPY.
   Each upsert is split by phase (the function's own recorder: de-duplication, serialization,
   COPY into the temporary table, the join that skips unchanged rows, update and insert, and the
   CPU time of the process and its backend), and a
   rolled-back probe times the merge with and without the secondary indexes (their maintenance)
   and the share of HOT updates.
2. Pages and APIs: every navigation page and the KPI and attribution APIs (90- and 365-day
   windows) for the largest and the median generated organization, in-process (Django test
   client, DEBUG off), ``--requests`` each after one warm-up: p50/p95 server time and the query
   count.
3. Monthly reports (``bench/report_bench.py``): snapshot + HTML + PDF of the largest
   organization in-process, then every generated organization through a real Celery worker the
   benchmark starts (``REDIS_URL`` is the broker).
4. Peak RSS of syncing one VK account with 10,000 posts (``bench/sync_rss_bench.py``): the real
   sync path in a child process against a recorded-format fake API on loopback.
5. Bulk lead ingestion (``bench/crm_bench.py``): ``POST leads/`` 100 leads a request over real
   HTTP to a gunicorn process (DEBUG off) from a bounded pool of client threads in this process.

The dataset (``bench/datagen.py``, organizations ``gen-*``) is regenerated unless ``--reuse``.
The figures depend on the machine and on what else runs on it: the JSON records the load average.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import DatabaseError, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import crm_bench, datagen, ingest_bench, report_bench, sync_rss_bench  # noqa: E402
from tenancy.models import Membership, Organization  # noqa: E402
from tenancy.rls import unscoped_session  # noqa: E402
from tenancy.roles import Role  # noqa: E402

PAGES = [
    "",
    "strategy/",
    "content/",
    "analytics/",
    "moderation/",
    "ads/",
    "crm/leads/",
    "links/",
    "reports/",
    "integrations/",
    "integrations/health/",
]
KPIS = "reach,er,leads,cpl"
PRESET_DEFAULTS = {"ci": (5, 20_000), "small": (15, 200_000), "large": (30, 1_000_000)}  # requests, ingest rows
CRM_REQUESTS = {"ci": 20, "small": 100, "large": 500}  # bulk requests of 100 leads per pass
CRM_CONCURRENCY = 2  # the bounded load: client threads, each waits for its answer
SYNC_POSTS = 10_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(client: Client, url: str, requests: int) -> dict[str, Any]:
    response = client.get(url)  # warm-up (and the status check)
    if response.status_code != 200:
        return {"status": response.status_code}
    times = []
    queries = 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
    return {
        "status": 200,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "queries": queries,
    }


def bench_pages(slug: str, requests: int) -> dict[str, Any]:
    organization = Organization.objects.get(slug=slug)
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=f"bench@{slug}.test", defaults={"email": f"bench@{slug}.test"})
    with unscoped_session("benchmark: a member to sign in as"):
        Membership.objects.get_or_create(organization=organization, user=user, defaults={"role": Role.OWNER})
    client = Client()
    client.force_login(user)
    end = organization.today()
    results: dict[str, Any] = {}
    for page in PAGES:
        results[f"page /{page}"] = measure(client, f"/o/{slug}/{page}", requests)
    for days in (90, 365):
        start = end - timedelta(days=days - 1)
        api = f"/api/v1/orgs/{slug}"
        results[f"api kpis {days}d"] = measure(client, f"{api}/kpis/?kpis={KPIS}&start={start}&end={end}", requests)
        results[f"api attribution {days}d"] = measure(
            client, f"{api}/attribution/?start={start}&end={end}&by=campaign", requests
        )
    return results


FACT_TABLES = [
    "analytics_accountmetricdaily",
    "analytics_postmetricdaily",
    "analytics_socialpost",
    "moderation_inboxitem",
    "ads_adstatdaily",
    "crm_lead",
]


def index_usage() -> dict[str, dict[str, int]]:
    """Scans of each index of the fact tables since the statistics were last reset: the evidence
    for keeping an index (the page measurements reset them first)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, indexrelname, idx_scan FROM pg_stat_user_indexes WHERE relname = ANY(%s)"
            " ORDER BY relname, indexrelname",
            [FACT_TABLES],
        )
        usage: dict[str, dict[str, int]] = {}
        for table, index, scans in cursor.fetchall():
            usage.setdefault(table, {})[index] = int(scans)
    return usage


def reset_index_usage() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_reset()")  # this database's counters (needs a superuser)
        return True
    except DatabaseError:  # not a superuser: the counters then cover more than the pages
        return False


def bench_ingestion(rows: int) -> dict[str, Any]:
    return ingest_bench.run(total_rows=rows, accounts=max(10, min(200, rows // 1000)))


def print_table(report: dict[str, Any]) -> None:
    ing = report.get("ingestion")
    if ing:
        print(f"\nIngestion, {ing['rows']:,} rows (rows/s; ratio = production rows/s ÷ raw COPY rows/s)")
        print(f"  {'raw COPY':<28} {ing['raw_copy_rows_per_s']:>12,.0f}")
        for label, key, ratio in (
            ("upsert: first insert", "upsert_insert_rows_per_s", "upsert_insert_vs_copy"),
            ("upsert: no-op re-pull", "upsert_noop_rows_per_s", "upsert_noop_vs_copy"),
            ("upsert: 10% changed", "upsert_10pct_changed_rows_per_s", "upsert_10pct_changed_vs_copy"),
            ("upsert: half new, half upd.", "upsert_half_new_rows_per_s", "upsert_half_new_vs_copy"),
        ):
            cpu = ing.get(f"{ratio}_cpu")  # the same ratio on CPU time (process + backend): robust to load
            cpu_note = f" ({cpu:.2f}x by CPU time)" if cpu is not None else ""
            print(f"  {label:<28} {ing[key]:>12,.0f}   {ing[ratio]:.2f}x COPY{cpu_note}")
        print(f"  rows locked by the no-op re-pull: {ing['noop_rows_locked']}; fillfactor {ing.get('fillfactor')}")
        phases = ing.get("phases_s", {})
        if phases:
            names = list(next(iter(phases.values())))
            print(f"  seconds by phase: {'run':<24}" + "".join(f"{n:>15}" for n in names))
            for run_name, split in phases.items():
                values = (float("nan") if split[n] is None else split[n] for n in names)
                print(f"                    {run_name:<24}" + "".join(f"{v:>15.3f}" for v in values))
        probe = ing.get("index_probe")
        if probe:
            print(
                f"  merge of {probe['rows']:,} half-new/half-updated rows: {probe['merge_s_all_indexes']:.3f} s with "
                f"every index, {probe['merge_s_unique_key_only']:.3f} s with the unique key only → secondary "
                f"index maintenance {probe['secondary_index_maintenance_s']:.3f} s; HOT updates "
                f"{probe['hot_update_share_all_indexes']:.0%}"
            )
    for role in ("largest", "median"):
        pages = report["pages"].get(role)
        if not pages:
            continue
        print(f"\n{role} organization: {pages['organization']} ({pages['rows']:,} generated rows)")
        print(f"  {'page / call':<30} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for name, m in pages["results"].items():
            if m.get("status") != 200:
                print(f"  {name:<30} HTTP {m.get('status')}")
            else:
                print(f"  {name:<30} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f} {m['queries']:>8}")


def print_extras(report: dict[str, Any]) -> None:
    reports = report.get("reports")
    if reports:
        big = reports["largest"]
        pdf = f"{big['pdf_s']:.2f} s" if big.get("pdf_s") is not None else "unavailable"
        print(f"\nMonthly report, largest organization {big['organization']} ({big['period']})")
        print(
            f"  snapshot {big['snapshot_s']:.2f} s, HTML {big['html_s']:.2f} s, PDF {pdf}; total {big['total_s']:.2f} s"
        )
        every = reports["all_celery"]
        if "skipped" in every:
            print(f"  all organizations through Celery: skipped ({every['skipped']})")
        else:
            print(
                f"  all {every['organizations']} organizations through Celery ({every['worker_concurrency']} worker "
                f"processes): {every['finished']} reports, {every['with_pdf']} with PDF, in {every['wall_s']:.1f} s "
                f"({every['reports_per_minute']} reports/min)"
            )
    usage = report.get("index_scans_by_pages")
    if usage:
        unused = [f"{table}.{index}" for table, indexes in usage.items() for index, n in indexes.items() if n == 0]
        print(f"\nIndexes of the fact tables no page or API request scanned: {', '.join(unused) or 'none'}")
    sync = report.get("sync")
    if sync:
        print(f"\nSync of one account with {sync['posts']:,} posts (child process, fake VK API on loopback)")
        print(
            f"  peak RSS {sync['peak_rss_mb']:.1f} MB during the sync "
            f"(RSS before it {sync['rss_before_sync_mb']:.1f} MB; "
            f"start-up peak {sync['startup_peak_rss_mb']:.1f} MB), "
            f"{sync['sync_seconds']:.1f} s, {sync['api_requests']} API requests"
        )
    crm = report.get("crm")
    if crm:
        print(
            f"\nBulk lead ingestion over HTTP ({crm['gunicorn_workers']} gunicorn workers, DEBUG "
            f"{'on' if crm['debug'] else 'off'}; bounded load: {crm['concurrency']} client threads)"
        )
        for name in ("create", "repeat"):
            r = crm[name]
            print(
                f"  {name:<7} {r['requests']} requests: {r['leads_per_s']:,.0f} leads/s, {r['requests_per_s']:.1f} "
                f"requests/s, p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, errors {r['errors']}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(datagen.PRESETS), default="ci")
    parser.add_argument("--requests", type=int, help="requests per page (default by preset)")
    parser.add_argument("--ingest-rows", type=int, help="rows for the ingestion benchmark (default by preset)")
    parser.add_argument("--reuse", action="store_true", help="keep an already generated dataset")
    parser.add_argument("--skip-ingestion", action="store_true")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--skip-crm", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "bench.json")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    settings.DEBUG = False
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a 4xx is reported in the table
    requests, ingest_rows = PRESET_DEFAULTS[args.preset]
    requests = args.requests or requests
    ingest_rows = args.ingest_rows or ingest_rows
    preset = datagen.PRESETS[args.preset]

    report: dict[str, Any] = {
        "preset": args.preset,
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_start": os.getloadavg(),
        "requests_per_call": requests,
    }
    if not args.skip_ingestion:
        print(f"ingestion: {ingest_rows:,} rows")
        report["ingestion"] = bench_ingestion(ingest_rows)

    if args.reuse and Organization.objects.filter(slug__startswith=datagen.SLUG_PREFIX).exists():
        dataset = datagen.describe()
    else:
        datagen.drop()
        print(f"generating the {args.preset} dataset")
        dataset = datagen.generate(preset, log=False)
    report["dataset"] = dataset
    print(f"dataset: {dataset}")
    report["pages"] = {}
    report["index_usage_reset"] = reset_index_usage()
    for role in ("largest", "median"):
        slug = dataset[role]
        print(f"pages and APIs of the {role} organization {slug}")
        report["pages"][role] = {
            "organization": slug,
            "rows": dataset["rows_by_organization"][slug],
            "results": bench_pages(slug, requests),
        }
    time.sleep(1)  # statistics reach the shared counters at the end of each transaction, within a second
    report["index_scans_by_pages"] = index_usage()
    if not args.skip_reports:
        print("monthly reports: the largest organization, then all through Celery")
        report["reports"] = report_bench.run(largest=dataset["largest"])
    if not args.skip_sync:
        print(f"sync of {SYNC_POSTS:,} posts: peak RSS")
        report["sync"] = sync_rss_bench.run(posts=SYNC_POSTS)
    if not args.skip_crm:
        print("bulk lead ingestion over HTTP")
        report["crm"] = crm_bench.run(
            requests=CRM_REQUESTS[args.preset], concurrency=CRM_CONCURRENCY, workers=2, production=True
        )
    report["load_average_end"] = os.getloadavg()
    print_table(report)
    print_extras(report)
    print(f"\nload average {report['load_average_start']} → {report['load_average_end']}; {report['machine']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str))
    print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
