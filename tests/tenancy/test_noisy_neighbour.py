# ruff: noqa: S608 - EXPLAIN of the queries the pages themselves ran
"""No noisy neighbour: a small organization's pages read its own rows, however large the others are.

The main pages (dashboard, analytics, inbox, ads, content) and the KPI and attribution APIs are
rendered for a small organization
twice — alone, then next to a large generated neighbour (tables analyzed each time, so the planner
sees the real sizes) — and every SELECT they ran is replayed under `EXPLAIN (ANALYZE, FORMAT JSON)`.
For every scan node we count the rows it examined (rows returned + rows removed by a filter or an
index recheck, times loops). A query whose scans examine more rows with the neighbour than without
reads the neighbour's rows: an index starting with organization_id is missing or unused
(docs/scaling.md). PostgreSQL only.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.datagen import PRESETS, generate_organization
from tenancy.models import Organization
from tenancy.roles import Role

pytestmark = pytest.mark.django_db

PAGES = [
    "",
    "month/",
    "analytics/",
    "analytics/kpis/results/",
    "analytics/kpis/community/",
    "moderation/",
    "ads/",
    "content/",
]
SCAN_NODES = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"}
PRESET = replace(PRESETS["ci"], days=45)
SLACK_ROWS = 25  # a scan may read a few more rows (e.g. a LIMIT over a larger index range)


def _leading_columns() -> dict[str, tuple[str, str]]:
    """Each index's table and first column."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
        )
        return {index: (table, column) for index, table, column in cursor.fetchall()}


def _table_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM " + connection.ops.quote_name(table))
        return int(cursor.fetchone()[0])


def _examined(plan: dict, leading: dict[str, tuple[str, str]], out: list[tuple[str, str, int]]) -> None:
    """Rows each scan node examined: returned + removed by a filter or recheck, times loops. An
    index scan whose condition does not use the index's first column walks the whole index: it
    counts as examining every row of the table."""
    node = plan.get("Node Type")
    if node in SCAN_NODES or node == "Bitmap Index Scan":
        loops = plan.get("Actual Loops", 1) or 1
        rows = (
            plan.get("Actual Rows", 0)
            + plan.get("Rows Removed by Filter", 0)
            + plan.get("Rows Removed by Index Recheck", 0)
        ) * loops
        index = plan.get("Index Name")
        table = plan.get("Relation Name") or (leading[index][0] if index in leading else "?")
        if node == "Bitmap Index Scan":
            rows = 0  # its rows are counted by the Bitmap Heap Scan above it
        if index in leading and leading[index][1] not in plan.get("Index Cond", ""):
            rows = max(rows, _table_rows(table))
        out.append((table, node, int(rows)))
    for child in plan.get("Plans", []):
        _examined(child, leading, out)


def _normalized(sql: str) -> str:
    return re.sub(r"\b\d+\b", "N", sql)  # ids and dates differ only by numbers between the two runs


def page_scans(client, organization) -> dict[str, list[tuple[str, str, int]]]:
    slug, end = organization.slug, organization.today()
    start = end - timedelta(days=89)
    urls = [f"/o/{slug}/{page}" for page in PAGES] + [
        f"/api/v1/orgs/{slug}/kpis/?kpis=reach,er,leads,cpl&start={start}&end={end}",
        f"/api/v1/orgs/{slug}/attribution/?start={start}&end={end}&by=campaign",
    ]
    with CaptureQueriesContext(connection) as captured:
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
    scans: dict[str, list[tuple[str, str, int]]] = {}
    leading = _leading_columns()
    with connection.cursor() as cursor:
        # Small test tables make sequential scans cheap; with them off the planner shows whether
        # an index lets the query read only this organization's rows (on large tables it would
        # choose that plan by itself).
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or "set_config" in sql:
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            found: list[tuple[str, str, int]] = []
            _examined(cursor.fetchone()[0][0]["Plan"], leading, found)
            scans.setdefault(_normalized(sql), found)
        cursor.execute("SET LOCAL enable_seqscan = on")
    return scans


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_a_small_organizations_pages_do_not_read_a_large_neighbours_rows(client, make_member):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plans only")
    small = Organization.objects.create(name="Small", slug="small")
    end = small.today() - timedelta(days=1)
    generate_organization(small, PRESET, 0.5, end=end, seed=1)
    client.force_login(make_member(small, Role.OWNER).user)
    _analyze()
    alone = page_scans(client, small)

    neighbour = Organization.objects.create(name="Large", slug="large")
    generated = generate_organization(neighbour, PRESET, 25.0, end=end, seed=2)
    assert generated["post_metrics"] > 20_000  # large enough for a scan of it to stand out
    _analyze()
    beside = page_scans(client, small)

    assert set(beside) == set(alone), "the pages ran different queries"
    grew = {}
    for sql, scans in beside.items():
        before = sum(n for *_, n in alone[sql])
        after = sum(n for *_, n in scans)
        if after > before + SLACK_ROWS:
            grew[sql[:300]] = {"alone": alone[sql], "beside a large neighbour": scans}
    assert grew == {}, f"queries of the small organization read the neighbour's rows: {grew}"
