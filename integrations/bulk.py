"""The one write path for synced facts: idempotent bulk upserts keyed by natural keys.

PostgreSQL: rows are streamed with ``COPY`` into a temporary table, then merged with ONE
``INSERT ... SELECT ... ON CONFLICT (natural key) DO UPDATE ... WHERE (cols) IS DISTINCT FROM
(EXCLUDED cols)``. Rows whose values did not change are not touched at all (no dead tuples,
``updated_at`` keeps its value), so re-running a sync is cheap and leaves the table as it was.
Measured in ``bench/ingest_bench.py``.

SQLite (embedded default): multi-row ``INSERT ... ON CONFLICT DO UPDATE ... WHERE a IS NOT
excluded.a OR ...`` in batches — the same semantics, never a query per row.

Rows are dicts keyed by column attnames (``organization_id``, ``account_id``, ``day`` ...).
Columns a row omits get the model field's default on insert and are never updated, which is
how workflow fields owned by people (e.g. ``InboxItem.status``) survive re-syncs.
Duplicate keys within one call are collapsed (the last row wins): PostgreSQL refuses to
update the same row twice in one statement.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connections, models, transaction
from django.utils import timezone

__all__ = ["UpsertResult", "bulk_upsert"]

_temp_names = itertools.count(1)
_COPY_CHUNK_ROWS = 20_000
_SQLITE_MAX_VARIABLES = 30_000


@dataclass(frozen=True, slots=True)
class UpsertResult:
    rows: int  # distinct natural keys sent
    inserted: int
    updated: int  # existing rows whose values changed

    @property
    def written(self) -> int:
        return self.inserted + self.updated

    @property
    def unchanged(self) -> int:
        return self.rows - self.written


def bulk_upsert(
    model: type[models.Model],
    rows: Iterable[Mapping[str, Any]],
    *,
    key_fields: Sequence[str],
    update_fields: Sequence[str] | None = None,
    using: str = "default",
) -> UpsertResult:
    """Insert or update ``rows`` of ``model`` by the unique constraint on ``key_fields``.

    Preconditions: ``key_fields`` are attnames forming a unique constraint of ``model``;
    every row carries all key fields; datetimes are timezone-aware. ``update_fields``
    defaults to every non-key column present in the first row.
    """
    rows = list(rows)
    if not rows:
        return UpsertResult(0, 0, 0)
    plan = _Plan(model, key_fields, update_fields, rows[0])
    deduped = plan.dedupe(rows)
    vendor = connections[using].vendor
    with transaction.atomic(using=using):
        if vendor == "postgresql":
            inserted, updated = _upsert_postgresql(plan, deduped, using)
        elif vendor == "sqlite":
            inserted, updated = _upsert_sqlite(plan, deduped, using)
        else:  # pragma: no cover - the project supports these two engines only
            raise NotImplementedError(f"bulk_upsert does not support {vendor}")
    return UpsertResult(len(deduped), inserted, updated)


class _Plan:
    """Which columns are inserted, which are compared/updated, and their defaults."""

    def __init__(
        self,
        model: type[models.Model],
        key_fields: Sequence[str],
        update_fields: Sequence[str] | None,
        sample: Mapping[str, Any],
    ) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = [name for name in [*key_fields, *sample] if name not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {unknown}")
        self.fields = fields
        self.key_fields = list(key_fields)
        given = [name for name in sample if name not in self.key_fields]
        self.update_fields = list(update_fields) if update_fields is not None else given
        # auto_now columns are stamped on insert and on a real change; auto_now_add on insert only.
        self.touch_fields = [
            name for name, f in fields.items() if getattr(f, "auto_now", False) and name not in self.update_fields
        ]
        now = timezone.now()
        self.defaults: dict[str, Any] = {}
        for name, f in fields.items():
            if name in sample or name in self.key_fields:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[name] = now
            else:  # the field default; "" for text columns, None for nullable ones
                self.defaults[name] = f.get_default()
        self.columns = [*self.key_fields, *[n for n in sample if n not in self.key_fields], *self.defaults]
        self.columns = list(dict.fromkeys(self.columns))

    def dedupe(self, rows: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        keyed: dict[tuple, Mapping[str, Any]] = {}
        for row in rows:
            keyed[tuple(row[k] for k in self.key_fields)] = row
        return list(keyed.values())

    def value(self, row: Mapping[str, Any], name: str) -> Any:
        if name in row:
            return row[name]
        return self.defaults[name]

    def column(self, name: str) -> str:
        return self.fields[name].column


# --------------------------------------------------------------------------- PostgreSQL


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any, is_json: bool) -> str:
    """One value in COPY text format."""
    if value is None:
        return "\\N"
    if is_json:
        return json.dumps(value, ensure_ascii=False, default=str).translate(_COPY_ESCAPES)
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime passed to bulk_upsert")
        return value.isoformat()
    if isinstance(value, (int, Decimal, float, date)):
        return str(value) if not isinstance(value, date) else value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _upsert_postgresql(plan: _Plan, rows: list[Mapping[str, Any]], using: str) -> tuple[int, int]:
    connection = connections[using]
    qn = connection.ops.quote_name
    temp = f"_upsert_{next(_temp_names)}"
    cols = [qn(plan.column(n)) for n in plan.columns]
    col_list = ", ".join(cols)
    json_flags = [isinstance(plan.fields[n], models.JSONField) for n in plan.columns]
    with connection.cursor() as cursor:
        # Column types come from the target table; no constraints, dropped at commit.
        cursor.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {col_list} FROM {qn(plan.table)} WITH NO DATA"  # noqa: S608
        )
        copy_sql = f"COPY {temp} ({col_list}) FROM STDIN"
        for start in range(0, len(rows), _COPY_CHUNK_ROWS):
            buffer = io.StringIO()
            write = buffer.write
            names = plan.columns
            for row in rows[start : start + _COPY_CHUNK_ROWS]:
                write(
                    "\t".join(
                        _copy_text(plan.value(row, name), is_json)
                        for name, is_json in zip(names, json_flags, strict=True)
                    )
                )
                write("\n")
            buffer.seek(0)
            _copy_from(cursor, copy_sql, buffer)
        keys = ", ".join(qn(plan.column(n)) for n in plan.key_fields)
        update_cols = [qn(plan.column(n)) for n in plan.update_fields]
        sets = [f"{c} = EXCLUDED.{c}" for c in update_cols]
        sets += [f"{qn(plan.column(n))} = EXCLUDED.{qn(plan.column(n))}" for n in plan.touch_fields]
        target = qn(plan.table)
        if update_cols:
            compared_old = ", ".join(f"{target}.{c}" for c in update_cols)
            compared_new = ", ".join(f"EXCLUDED.{c}" for c in update_cols)
            conflict = f"DO UPDATE SET {', '.join(sets)} WHERE ROW({compared_old}) IS DISTINCT FROM ROW({compared_new})"
        else:
            conflict = "DO NOTHING"
        # xmax = 0 only for freshly inserted tuples: splits the count without a second query.
        cursor.execute(
            f"WITH merged AS (INSERT INTO {target} ({col_list}) SELECT {col_list} FROM {temp} "  # noqa: S608
            f"ON CONFLICT ({keys}) {conflict} RETURNING (xmax = 0) AS inserted) "
            "SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FILTER (WHERE NOT inserted) FROM merged"
        )
        inserted, updated = cursor.fetchone()
        cursor.execute(f"DROP TABLE {temp}")
    return int(inserted), int(updated)


def _copy_from(cursor, sql: str, buffer: io.StringIO) -> None:
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, buffer)
    else:  # pragma: no cover - psycopg 3
        with raw.copy(sql) as copy:
            copy.write(buffer.getvalue())


# --------------------------------------------------------------------------- SQLite


def _upsert_sqlite(plan: _Plan, rows: list[Mapping[str, Any]], using: str) -> tuple[int, int]:
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
        cursor.execute(count_sql)
        after = cursor.fetchone()[0]
    inserted = after - before
    return inserted, max(total_changes - inserted, 0)
