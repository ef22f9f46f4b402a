"""The KPI engine on raw fact rows vs on the daily rollups (decision 0008), same process, same data.

    DATABASE_URL=postgres://... python -m bench.datagen --preset small
    DATABASE_URL=postgres://... python bench/rollup_bench.py [--orgs gen-1,gen-21] [--runs 15]

For each organization: every catalog KPI over 90 and 365 days, by total, month, platform and
campaign, then the dashboard and the KPI API, read raw and from the rollups in alternation (so
machine load hits both alike), p50/p95 and query count; then the cost of a full rebuild and of a
3-day refresh. The figures are checked equal on both paths before timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from analytics import rollups  # noqa: E402
from analytics.kpi_engine import kpi_rows  # noqa: E402
from core.kpis import CATALOG  # noqa: E402
from tenancy.models import Membership, Organization  # noqa: E402
from tenancy.rls import unscoped_session  # noqa: E402
from tenancy.roles import Role  # noqa: E402

KEYS = [kpi.key for kpi in CATALOG]
DIMENSIONS = ("total", "month", "platform", "campaign")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _call(org: Organization, start, end, dim: str, raw: bool):
    if raw:
        with mock.patch.object(rollups, "covered", return_value=False):
            return kpi_rows(organization=org, kpis=KEYS, start=start, end=end, group_by=dim)
    return kpi_rows(organization=org, kpis=KEYS, start=start, end=end, group_by=dim)


def bench(org: Organization, runs: int) -> None:
    if not rollups.covered(org):
        rollups.rebuild(org)
    end = org.today()
    print(f"\n{org.slug}: every catalog KPI ({len(KEYS)}), p50 / p95 ms (queries)")
    print(f"  {'period × dimension':<22}{'raw':>26}{'rollups':>26}{'speed-up':>10}")
    for days in (90, 365):
        start = end - timedelta(days=days - 1)
        for dim in DIMENSIONS:
            raw_rows, rolled_rows = _call(org, start, end, dim, True), _call(org, start, end, dim, False)
            assert raw_rows == rolled_rows, (org.slug, days, dim)
            times: dict[bool, list[float]] = {True: [], False: []}
            queries: dict[bool, int] = {}
            for _ in range(runs):
                for raw in (True, False):
                    with CaptureQueriesContext(connection) as captured:
                        began = time.perf_counter()
                        _call(org, start, end, dim, raw)
                        times[raw].append((time.perf_counter() - began) * 1000)
                    queries[raw] = len(captured.captured_queries)
            cells = [
                f"{statistics.median(times[raw]):8.1f} / {_p(times[raw], 0.95):6.1f} ({queries[raw]:2d})"
                for raw in (True, False)
            ]
            ratio = statistics.median(times[True]) / statistics.median(times[False])
            print(f"  {f'{days} d × {dim}':<22}{cells[0]:>26}{cells[1]:>26}{ratio:>9.1f}×")
    began = time.perf_counter()
    rollups.rebuild(org)
    rebuild_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    rollups.refresh(org.pk, rollups.KINDS, [end - timedelta(days=n) for n in range(3)])
    refresh_ms = (time.perf_counter() - began) * 1000
    print(f"  full rebuild {rebuild_ms:.0f} ms; refresh of 3 days, all tables {refresh_ms:.0f} ms")


def bench_pages(org: Organization, runs: int) -> None:
    """The dashboard and the KPI API (the bench's four KPIs and every catalog KPI, 365 days),
    raw and rollups in alternation, through the test client (DEBUG off, in-process)."""
    user, _ = get_user_model().objects.get_or_create(username=f"bench@{org.slug}.test")
    with unscoped_session("benchmark: a member to sign in as"):
        Membership.objects.get_or_create(organization=org, user=user, defaults={"role": Role.OWNER})
    client = Client()
    client.force_login(user)
    end = org.today()
    start = end - timedelta(days=364)
    api = f"/api/v1/orgs/{org.slug}/kpis/?start={start}&end={end}"
    urls = {
        "dashboard": f"/o/{org.slug}/",
        "api kpis (4) 365d": f"{api}&kpis=reach,er,leads,cpl",
        "api kpis (all) 365d": f"{api}&kpis={','.join(KEYS)}",
        "api kpis (all) 365d by month": f"{api}&kpis={','.join(KEYS)}&group_by=month",
    }
    print(f"\n{org.slug}: pages, p50 / p95 ms (queries)")
    for label, url in urls.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        queries: dict[bool, int] = {}
        for raw in (True, False):
            with mock.patch.object(rollups, "covered", return_value=not raw):
                assert client.get(url).status_code == 200, url
        for _ in range(runs):
            for raw in (True, False):
                with (
                    mock.patch.object(rollups, "covered", return_value=not raw),
                    CaptureQueriesContext(connection) as captured,
                ):
                    began = time.perf_counter()
                    client.get(url)
                    times[raw].append((time.perf_counter() - began) * 1000)
                queries[raw] = len(captured.captured_queries)
        cells = [
            f"{statistics.median(times[raw]):8.1f} / {_p(times[raw], 0.95):6.1f} ({queries[raw]:2d})"
            for raw in (True, False)
        ]
        ratio = statistics.median(times[True]) / statistics.median(times[False])
        print(f"  {label:<30}{cells[0]:>26}{cells[1]:>26}{ratio:>9.1f}×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", default="gen-1,gen-21", help="organization slugs, comma-separated")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    settings.DEBUG = False
    print(f"load average {os.getloadavg()}")
    for slug in args.orgs.split(","):
        organization = Organization.objects.get(slug=slug)
        bench(organization, args.runs)
        bench_pages(organization, args.runs)
    print(f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
