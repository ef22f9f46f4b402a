"""bulk_upsert's SQLite writer (the embedded default): batched INSERT … ON CONFLICT within SQLite's variable limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import connections

if TYPE_CHECKING:  # bulk.py imports this module to dispatch to it; the plan type is only annotated here
    from integrations.bulk import _Plan

_SQLITE_MAX_VARIABLES = 30_000


def _upsert_sqlite(plan: _Plan, rows: list[Mapping[str, Any]], using: str, detailed: bool) -> tuple[int, int | None]:
    connection = connections[using]
    qn = connection.ops.quote_name
    target = qn(plan.table)
    cols = [qn(plan.column(n)) for n in plan.columns]
    fields = [plan.fields[n] for n in plan.columns]
    keys = ", ".join(qn(plan.column(n)) for n in plan.key_fields)
    update_cols = [qn(plan.column(n)) for n in plan.update_fields]
    if update_cols:
        sets = [f"{c} = excluded.{c}" for c in update_cols]
        sets += [f"{qn(plan.column(n))} = excluded.{qn(plan.column(n))}" for n in plan.touch_fields]
        changed = " OR ".join(f"{target}.{c} IS NOT excluded.{c}" for c in update_cols)
        conflict = f"DO UPDATE SET {', '.join(sets)} WHERE {changed}"
    else:
        conflict = "DO NOTHING"
    per_batch = max(1, _SQLITE_MAX_VARIABLES // len(cols))
    placeholder = "(" + ", ".join(["%s"] * len(cols)) + ")"
    total_changes = 0
    with connection.cursor() as cursor:
        count_sql = f"SELECT COUNT(*) FROM {target}"  # noqa: S608
        before = 0
        if detailed:
            cursor.execute(count_sql)
            before = cursor.fetchone()[0]
        for start in range(0, len(rows), per_batch):
            batch = rows[start : start + per_batch]
            params: list[Any] = []
            for row in batch:
                params.extend(
                    f.get_db_prep_save(plan.value(row, name), connection)
                    for name, f in zip(plan.columns, fields, strict=True)
                )
            cursor.execute(
                f"INSERT INTO {target} ({', '.join(cols)}) VALUES {', '.join([placeholder] * len(batch))} "  # noqa: S608
                f"ON CONFLICT ({keys}) {conflict}",
                params,
            )
            total_changes += max(cursor.rowcount, 0)
        if not detailed:
            return total_changes, None
        cursor.execute(count_sql)
        after = cursor.fetchone()[0]
    return total_changes, after - before
