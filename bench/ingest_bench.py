"""Ingestion benchmark: the production upsert path versus a raw COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smm_bench python bench/ingest_bench.py --rows 200000

Measures, on the same PostgreSQL in one run:

1. ``integrations.bulk.bulk_upsert`` into ``analytics_accountmetricdaily`` (the production sync
   path: COPY into a temp table, one read-only join keeping the new and changed rows, UPDATE of
   the changed, plain INSERT of the new; docs/decisions/0010-ingest-read-only-classification.md),
   first run (all inserts), second identical run (all no-ops, with the rows it locked), third run
   with 10% changed, fourth half new days / half updated days;
2. a raw ``COPY`` of the same rows (same text serialization) into a scratch table with the
   same columns and no indexes or constraints — the floor any upsert path is compared with;
3. optionally (``--bulk-create-rows``) Django's ``bulk_create(update_conflicts=True)``.

``--compare N --baseline NAME`` runs an earlier path and the current one alternately, N rounds, in
one process (see ``BASELINES``). Rows/s include building the COPY text from Python values in every
case. The benchmark creates
its own organization (slug ``bench-ingest``) and removes it at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from analytics.models import AccountMetricDaily  # noqa: E402
from integrations import bulk  # noqa: E402
from integrations.bulk import _Plan, _row_formatter, bulk_upsert, recording_phases  # noqa: E402
from integrations.models import Platform, SocialAccount  # noqa: E402
from tenancy.models import Organization  # noqa: E402

KEY = ["organization_id", "account_id", "day"]
METRICS = ["followers", "followers_gained", "reach", "views", "likes", "comments", "shares", "saves", "link_clicks"]
FIRST_DAY = date(2020, 1, 1)


def build_rows(org_id: int, account_ids: list[int], per_account: int, *, salt: int = 0) -> list[dict]:
    rows = []
    for n, account_id in enumerate(account_ids):
        for d in range(per_account):
            base = (n * 7919 + d * 104729) % 10_000
            rows.append(
                {
                    "organization_id": org_id,
                    "account_id": account_id,
                    "day": FIRST_DAY + timedelta(days=d),
                    "followers": 5000 + d,
                    "followers_gained": base % 40,
                    "reach": 1000 + base + (salt if (d % 10 == 0) else 0),
                    "views": 1500 + base,
                    "likes": base % 300,
                    "comments": base % 40,
                    "shares": base % 25,
                    "saves": None if d % 7 == 0 else base % 30,
                    "link_clicks": base % 50,
                }
            )
    return rows


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:8.3f} s", flush=True)
    return result, seconds


PHASES = ("dedupe", "serialize", "copy", "skip_unchanged", "update", "insert", "merge", "rollup_hooks")


def backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine only): with
    this process's own CPU time it prices a run without the time spent waiting for a core, which
    on a loaded machine swings wall times by 2x."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_timed(fn) -> tuple[Any, dict[str, float | None]]:
    """``fn()`` and the CPU seconds it cost this process (client) and the backend (server)."""
    client, server = time.process_time(), backend_cpu()
    result = fn()
    client_s, server_after = time.process_time() - client, backend_cpu()
    server_s = None if server is None or server_after is None else round(server_after - server, 2)
    return result, {"cpu_client_s": round(client_s, 2), "cpu_server_s": server_s}


def upsert_phases(label: str, rows: list[dict], phases_out: dict[str, dict[str, Any]]):
    """The production ``bulk_upsert``, timed as a whole and by phase (the function's own recorder)."""
    with recording_phases() as phases:
        (result, seconds), cpu = cpu_timed(
            lambda: timed(label, lambda: bulk_upsert(AccountMetricDaily, rows, key_fields=KEY))
        )
    split: dict[str, Any] = {name: round(phases.get(name, 0.0), 3) for name in PHASES}
    split["other"] = round(seconds - sum(split.values()), 3)  # plan, temp table, commit (deferred FK checks)
    print("    " + ", ".join(f"{name} {value:.3f}" for name, value in split.items()))
    print(f"    CPU: client {cpu['cpu_client_s']} s, server {cpu['cpu_server_s']} s")
    phases_out[label] = {**split, **cpu}
    return result, seconds


def secondary_indexes() -> list[str]:
    """The table's non-unique indexes, read from the catalog (a hard-coded name goes stale)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = 'analytics_accountmetricdaily'::regclass AND NOT x.indisunique ORDER BY 1"
        )
        return [name for (name,) in cursor.fetchall()]


def index_maintenance_probe(org_id: int, account_ids: list[int], per_account: int) -> dict[str, float]:
    """The merge phase of another half-new/half-updated batch, twice, each in a transaction that is
    rolled back: with every index, then with the secondary (non-unique) indexes dropped inside the
    transaction. The difference is what maintaining those indexes costs the merge; the HOT share
    of the updates comes from the transaction's own statistics."""
    half = per_account // 2
    start_day, end_day = per_account, per_account + 2 * half  # rows the half-new run already wrote + as many new
    batch = [
        {**row, "reach": row["reach"] + 11} if (row["day"] - FIRST_DAY).days < per_account + half else row
        for row in build_rows(org_id, account_ids, end_day)
        if start_day <= (row["day"] - FIRST_DAY).days
    ]
    out: dict[str, float] = {}
    for variant in ("all_indexes", "unique_key_only"):
        try:
            with transaction.atomic():
                if variant == "unique_key_only":
                    with connection.cursor() as cursor:
                        for name in secondary_indexes():
                            cursor.execute(f"DROP INDEX {name}")
                with recording_phases() as phases:
                    bulk_upsert(AccountMetricDaily, batch, key_fields=KEY)
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
                        ["analytics_accountmetricdaily"],
                    )
                    updated, hot = cursor.fetchone()
                out[f"merge_s_{variant}"] = round(sum(phases.get(k, 0.0) for k in ("update", "insert", "merge")), 3)
                out[f"hot_update_share_{variant}"] = round(hot / updated, 3) if updated else 0.0
                raise _Rollback
        except _Rollback:
            pass
    out["secondary_index_maintenance_s"] = round(out["merge_s_all_indexes"] - out["merge_s_unique_key_only"], 3)
    out["rows"] = len(batch)
    print(
        f"    merge of {len(batch)} rows: {out['merge_s_all_indexes']:.3f} s with every index, "
        f"{out['merge_s_unique_key_only']:.3f} s with the unique key only "
        f"(secondary index maintenance {out['secondary_index_maintenance_s']:.3f} s); "
        f"HOT updates {out['hot_update_share_all_indexes']:.0%}"
    )
    return out


def cpu_ratios(phases: dict[str, dict[str, Any]], copy_cpu: dict[str, Any], n_rows: int, mix_rows: int) -> dict:
    if copy_cpu["cpu_server_s"] is None:
        return {}
    copy_per_row = (copy_cpu["cpu_client_s"] + copy_cpu["cpu_server_s"]) / n_rows
    out = {}
    for key, label, rows in (
        ("insert", "first insert", n_rows),
        ("noop", "no-op re-pull", n_rows),
        ("10pct_changed", "10% changed", n_rows),
        ("half_new", "half new, half updated", mix_rows),
    ):
        cost = phases[label]["cpu_client_s"] + phases[label]["cpu_server_s"]
        out[f"upsert_{key}_vs_copy_cpu"] = round(copy_per_row / (cost / rows), 3)
    return out


class _Rollback(Exception):
    pass


def table_fillfactor() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce((SELECT split_part(o, '=', 2) FROM unnest(reloptions) o"
            " WHERE o LIKE 'fillfactor=%%'), '100') FROM pg_class WHERE relname = 'analytics_accountmetricdaily'"
        )
        return int(cursor.fetchone()[0])


def locked_rows(org_id: int) -> int:
    """Rows of the organization whose current version carries an xmax: locked (or deleted) since
    they were written. Right after the first insert it is 0; a merge that locks every conflicting
    row (ON CONFLICT ... DO UPDATE ... WHERE false) sets it on every row it looked at."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM analytics_accountmetricdaily WHERE organization_id = %s AND xmax::text <> '0'",
            [org_id],
        )
        return int(cursor.fetchone()[0])


def wal_bytes_since(lsn: str) -> int:
    """WAL written since ``lsn`` by the whole cluster (other sessions' writes included)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)::bigint", [lsn])
        return int(cursor.fetchone()[0])


def wal_lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return str(cursor.fetchone()[0])


def raw_copy(rows: list[dict]) -> None:
    """COPY the same rows, serialized by the same compiled formatter (the same bytes), into a
    scratch table: an ordinary WAL-logged table with the same columns and no indexes,
    constraints or foreign keys. Timed: serialization + COPY + commit, like the upsert."""
    plan = _Plan(AccountMetricDaily, KEY, None, rows[0])
    fmt = _row_formatter(plan)
    col_list = ", ".join(plan.column(n) for n in plan.columns)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_scratch")
        cursor.execute(
            f"CREATE TABLE bench_copy_scratch AS SELECT {col_list} FROM analytics_accountmetricdaily WITH NO DATA"  # noqa: S608
        )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for start in range(0, len(rows), 20_000):
                text = "".join(map(fmt, rows[start : start + 20_000]))
                cursor.cursor.copy_expert(f"COPY bench_copy_scratch ({col_list}) FROM STDIN", io.StringIO(text))
            cursor.execute("SELECT COUNT(*) FROM bench_copy_scratch")
            assert cursor.fetchone()[0] == len(rows)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy_scratch")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--bulk-create-rows", type=int, default=0, help="also time bulk_create(update_conflicts)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    parser.add_argument(
        "--compare",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="alternate a baseline path (--baseline) and the current one ROUNDS times in this process, "
        "without the index probe, and print both ratios per run",
    )
    parser.add_argument(
        "--baseline",
        choices=sorted(BASELINES),
        default="on_conflict",
        help="what --compare runs against the current path: on_conflict = one INSERT ... ON CONFLICT "
        "(decision 0002); delete_classify = the DELETE ... RETURNING classification (decision 0009); "
        "decision_0009 = that classification at the account-metric fillfactor of then (80)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    if args.compare:
        results = compare(rounds=args.compare, total_rows=args.rows, accounts=args.accounts, baseline=args.baseline)
    else:
        results = run(total_rows=args.rows, accounts=args.accounts, bulk_create_rows=args.bulk_create_rows)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0


# Earlier paths --compare can run against the current one: the module switches of integrations.bulk
# that restore them (all True = the current path) and, optionally, the account-metric table's
# fillfactor of the time (applied before each of its runs, the migrations' value restored after;
# the run deletes the benchmark organization and vacuums first, so its rows go to new pages).
BASELINES: dict[str, dict[str, Any]] = {
    "on_conflict": {"switches": {"_SPLIT_MERGE": False}},  # decision 0002: one INSERT ... ON CONFLICT
    "delete_classify": {"switches": {"_PENDING_TABLE": False}},  # decision 0009's DELETE ... RETURNING
    "decision_0009": {"switches": {"_PENDING_TABLE": False}, "fillfactor": 80},  # ... and fillfactor 80
}


def set_fillfactor(value: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE analytics_accountmetricdaily SET (fillfactor = {int(value)})")


def compare(*, rounds: int, total_rows: int, accounts: int, baseline: str = "on_conflict") -> dict[str, Any]:
    """A baseline path and the current one alternately in one process and period (the machine's
    load drifts)."""
    runs: list[dict[str, Any]] = []
    switches = BASELINES[baseline]["switches"]
    baseline_fillfactor = BASELINES[baseline].get("fillfactor")
    current_fillfactor = table_fillfactor()
    for n in range(rounds):
        for current in (False, True):
            label = "current" if current else baseline
            load = os.getloadavg()
            print(f"\n=== round {n + 1}, path: {label}; load average {load}")
            for name in switches:
                setattr(bulk, name, current)
            if baseline_fillfactor is not None:
                set_fillfactor(current_fillfactor if current else baseline_fillfactor)
            try:
                cpu = time.process_time()
                figures = run(total_rows=total_rows, accounts=accounts, probe=False)
                figures["process_cpu_s"] = round(time.process_time() - cpu, 2)
            finally:
                for name in switches:
                    setattr(bulk, name, True)
                set_fillfactor(current_fillfactor)
            runs.append({"round": n + 1, "merge": label, "loadavg": load, **figures})
    print("\nvs COPY: wall time (CPU time, client + server)")
    print("round  path           half-new/COPY  no-op/COPY  first/COPY  10%/COPY  load")
    for r in runs:
        print(
            f"{r['round']:>5}  {r['merge']:<14}"
            + "".join(
                f"  {r[f'upsert_{k}_vs_copy']:.2f} ({r.get(f'upsert_{k}_vs_copy_cpu', float('nan')):.2f})"
                for k in ("half_new", "noop", "insert", "10pct_changed")
            )
            + f"  {r['loadavg'][0]:.1f}"
        )
    return {"compare": runs}


def run(*, total_rows: int, accounts: int, bulk_create_rows: int = 0, probe: bool = True) -> dict[str, Any]:
    """Run the benchmark; prints as it goes and returns the figures."""
    args = argparse.Namespace(rows=total_rows, accounts=accounts, bulk_create_rows=bulk_create_rows)
    per_account = max(1, args.rows // args.accounts)
    n_rows = per_account * args.accounts
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(",")[0]
    print(f"{pg_version}; {n_rows} rows = {args.accounts} accounts x {per_account} days")

    Organization.objects.filter(slug="bench-ingest").delete()
    with connection.cursor() as cursor:  # start from a clean table (earlier runs leave dead tuples)
        cursor.execute("VACUUM ANALYZE analytics_accountmetricdaily")
    org = Organization.objects.create(name="Bench ingest", slug="bench-ingest")
    SocialAccount.objects.bulk_create(
        SocialAccount(organization=org, platform=Platform.DEMO, external_id=f"bench-{i}", display_name=f"Bench {i}")
        for i in range(args.accounts)
    )
    account_ids = list(SocialAccount.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))
    rows = build_rows(org.pk, account_ids, per_account)
    changed = build_rows(org.pk, account_ids, per_account, salt=1)

    results: dict[str, Any] = {}
    phases: dict[str, dict[str, Any]] = {}
    try:
        print("production path: integrations.bulk.bulk_upsert")
        first, s1 = upsert_phases("first insert", rows, phases)
        assert first.written == n_rows, first
        lsn = wal_lsn()
        second, s2 = upsert_phases("no-op re-pull", rows, phases)
        noop_wal = wal_bytes_since(lsn)
        noop_locked = locked_rows(org.pk)
        assert second.written == 0, second
        print(f"    no-op: {noop_locked} rows locked, {noop_wal:,} bytes of WAL cluster-wide")
        third, s3 = upsert_phases("10% changed", changed, phases)
        assert third.written == args.accounts * len(range(0, per_account, 10)), third
        # The mix: half of the batch updates existing days (all values changed), half is new days.
        half = per_account // 2
        mix = [
            {**row, "reach": row["reach"] + 7} if (row["day"] - FIRST_DAY).days < per_account else row
            for row in build_rows(org.pk, account_ids, per_account + half)
            if (row["day"] - FIRST_DAY).days >= per_account - half
        ]
        fourth, s4 = upsert_phases("half new, half updated", mix, phases)
        assert fourth.written == len(mix), fourth
        print("baseline: raw COPY of the same rows into a scratch table")
        (_, s_copy), copy_cpu = cpu_timed(lambda: timed("raw COPY", lambda: raw_copy(rows)))
        print(f"    CPU: client {copy_cpu['cpu_client_s']} s, server {copy_cpu['cpu_server_s']} s")
        results = {
            "rows": n_rows,
            "upsert_insert_rows_per_s": n_rows / s1,
            "upsert_noop_rows_per_s": n_rows / s2,
            "upsert_10pct_changed_rows_per_s": n_rows / s3,
            "raw_copy_rows_per_s": n_rows / s_copy,
            "ratio_copy_to_upsert_insert": s1 / s_copy,
            "ratio_copy_to_upsert_noop": s2 / s_copy,
            # The figure: production rows/s as a fraction of raw COPY rows/s (1.0 = as fast).
            "upsert_insert_vs_copy": s_copy / s1,
            "upsert_noop_vs_copy": s_copy / s2,
            "upsert_10pct_changed_vs_copy": s_copy / s3,
            # Same number of rows as the COPY only when per_account is even (it is by default).
            "upsert_half_new_rows_per_s": len(mix) / s4,
            "upsert_half_new_vs_copy": (len(mix) / s4) / (n_rows / s_copy),
            "noop_rows_locked": noop_locked,
            "noop_wal_bytes_cluster": noop_wal,
            "changed_rows_updated": third.written,
            "phases_s": phases,
            "raw_copy_cpu": copy_cpu,
            # CPU-time ratios (client + server CPU of COPY / of the upsert, per row): robust to load.
            **cpu_ratios(phases, copy_cpu, n_rows, len(mix)),
            "fillfactor": table_fillfactor(),
        }
        if probe:
            print("index maintenance: the merge with and without the secondary indexes (rolled back)")
            results["index_probe"] = index_maintenance_probe(org.pk, account_ids, per_account)
        if args.bulk_create_rows:
            AccountMetricDaily.objects.filter(organization=org).delete()
            subset = rows[: args.bulk_create_rows]
            objs = [AccountMetricDaily(**r) for r in subset]
            _, s_bc = timed(
                f"bulk_create(update_conflicts) x{len(subset)}",
                lambda: AccountMetricDaily.objects.bulk_create(
                    objs, update_conflicts=True, unique_fields=["organization", "account", "day"], update_fields=METRICS
                ),
            )
            results["bulk_create_rows_per_s"] = len(subset) / s_bc
    finally:
        Organization.objects.filter(pk=org.pk).delete()

    print()
    print(f"upsert (first run, inserts)   {results['upsert_insert_rows_per_s']:>12,.0f} rows/s")
    print(f"upsert (identical, no-op)     {results['upsert_noop_rows_per_s']:>12,.0f} rows/s")
    print(f"upsert (10% changed)          {results['upsert_10pct_changed_rows_per_s']:>12,.0f} rows/s")
    print(f"upsert (half new, half upd.)  {results['upsert_half_new_rows_per_s']:>12,.0f} rows/s")
    print(f"raw COPY (scratch table)      {results['raw_copy_rows_per_s']:>12,.0f} rows/s")
    if "bulk_create_rows_per_s" in results:
        print(f"bulk_create(update_conflicts) {results['bulk_create_rows_per_s']:>12,.0f} rows/s")
    print(
        f"ratio raw COPY / upsert: {results['ratio_copy_to_upsert_insert']:.2f}x (inserts), "
        f"{results['ratio_copy_to_upsert_noop']:.2f}x (no-op)"
    )
    print(
        f"upsert rows/s vs COPY: {results['upsert_insert_vs_copy']:.2f}x (inserts), "
        f"{results['upsert_noop_vs_copy']:.2f}x (no-op), {results['upsert_10pct_changed_vs_copy']:.2f}x (10% changed), "
        f"{results['upsert_half_new_vs_copy']:.2f}x (half new / half updated); "
        f"no-op locked {results['noop_rows_locked']} rows"
    )
    return results


if __name__ == "__main__":
    raise SystemExit(main())
