"""The one write path for synced facts: idempotent bulk upserts keyed by natural keys.

PostgreSQL: rows are streamed with ``COPY`` into a temporary table; one read-only join with the
target on the natural key keeps, in a second temporary table, the new keys and the rows whose
values differ (``IS DISTINCT FROM``, NULL counted as a value); the changed rows are written by an
``UPDATE`` and the new ones by a plain ``INSERT``, with ``INSERT ... ON CONFLICT DO UPDATE ...
WHERE IS DISTINCT FROM`` only after a concurrent writer inserted the same key (decisions 0002,
0009, 0010). Rows whose values did not change are not touched at all (no row lock, no WAL, no dead
tuples, ``updated_at`` keeps its value), so re-running a sync is cheap and leaves the table as it
was. Measured in ``bench/ingest_bench.py``.

SQLite (embedded default): multi-row ``INSERT ... ON CONFLICT DO UPDATE ... WHERE a IS NOT
excluded.a OR ...`` in batches — the same semantics, never a query per row.

Rows are dicts keyed by column attnames (``organization_id``, ``account_id``, ``day`` ...).
Columns a row omits get the model field's default on insert and are never updated, which is
how workflow fields owned by people (e.g. ``InboxItem.status``) survive re-syncs.
Duplicate natural keys within one call (a platform returning the same campaign-day twice)
must become one row — PostgreSQL refuses to update the same row twice in one statement — but
never silently: identical repeats collapse, and rows that disagree are resolved by the
caller's ``on_duplicate`` policy and reported in ``UpsertResult.duplicates`` (the sync run
stores them). Policies (the per-fact-type decision is in docs/decisions/0003-duplicate-keys.md):

* ``"last"``: the last row wins — entities whose later row is their newer state (posts,
  comments, campaigns).
* ``"most_complete"``: the row reporting the most metrics (then the most non-zero ones, then
  the later row) wins — daily facts, where a repeat is a re-sent or revised copy of the same
  day and adding the copies up would double count.
* ``"reject"``: refuse the whole call (``DuplicateKeys``) when a guess is worse than no data.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import itertools
import json
import operator
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone

from core import facts
from integrations.bulk_sqlite import _upsert_sqlite

__all__ = ["DuplicateKey", "DuplicateKeys", "UpsertResult", "bulk_upsert", "recording_phases"]

DUPLICATE_POLICIES = frozenset({"last", "most_complete", "reject"})

_temp_names = itertools.count(1)
_COPY_CHUNK_ROWS = 20_000

# Seconds spent in each phase of the PostgreSQL path, added up while ``recording_phases`` is active
# (the ingestion benchmark): dedupe, serialize, copy (COPY into the temporary table), skip_unchanged
# (the anti-join), update (changed rows) and insert (new rows), index maintenance included — or
# merge (INSERT ... ON CONFLICT: the old path, and the fallback after a concurrent insert) — and
# rollup_hooks (the touched days read back and handed to core.facts). None = not recorded.
_phases: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("bulk_upsert_phases", default=None)


@contextlib.contextmanager
def recording_phases() -> Iterator[dict[str, float]]:
    """Collect the per-phase seconds of every ``bulk_upsert`` in the block into the yielded dict."""
    phases: dict[str, float] = {}
    token = _phases.set(phases)
    try:
        yield phases
    finally:
        _phases.reset(token)


@contextlib.contextmanager
def _phase(name: str) -> Iterator[None]:
    phases = _phases.get()
    if phases is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """Several rows of one call shared a natural key; what was kept and what was not stored."""

    key: tuple[Any, ...]
    rows: int  # how many rows carried the key
    action: str  # "identical" (nothing lost) | "kept_last" | "kept_most_complete" | "rejected"
    kept: Mapping[str, Any] | None
    discarded: tuple[Mapping[str, Any], ...] = ()

    def as_json(self, table: str) -> dict[str, Any]:
        """A JSON-safe record for ``SyncRun.details`` (key and the values that differed)."""
        return {
            "table": table,
            "key": [_json_value(v) for v in self.key],
            "rows": self.rows,
            "action": self.action,
            # An identical repeat lost nothing: its values are already in the table.
            "kept": _json_row(self.kept) if self.kept is not None and self.discarded else None,
            "discarded": [_json_row(r) for r in self.discarded],
        }


class DuplicateKeys(ValueError):
    """``on_duplicate="reject"`` and rows disagreed on a key: nothing of the call was written."""

    def __init__(self, model: type[models.Model], duplicates: Sequence[DuplicateKey]) -> None:
        super().__init__(f"{model.__name__}: {len(duplicates)} natural keys repeated with different values")
        self.duplicates = tuple(duplicates)


@dataclass(frozen=True, slots=True)
class UpsertResult:
    rows: int  # distinct natural keys sent
    written: int  # rows inserted or changed (unchanged rows are not touched)
    # The split of ``written`` is only computed with ``detailed=True`` (it costs a RETURNING).
    inserted: int | None = None
    updated: int | None = None
    # Keys that came more than once in the call, and how each was resolved.
    duplicates: tuple[DuplicateKey, ...] = ()

    @property
    def unchanged(self) -> int:
        return self.rows - self.written


def bulk_upsert(
    model: type[models.Model],
    rows: Iterable[Mapping[str, Any]],
    *,
    key_fields: Sequence[str],
    update_fields: Sequence[str] | None = None,
    detailed: bool = False,
    on_duplicate: str = "last",
    using: str = "default",
) -> UpsertResult:
    """Insert or update ``rows`` of ``model`` by the unique constraint on ``key_fields``.

    Preconditions: ``key_fields`` are attnames forming a unique constraint of ``model``;
    every row carries all key fields; datetimes are timezone-aware. ``update_fields``
    defaults to every non-key column present in the first row. ``detailed=True`` also
    reports how many rows were inserted vs updated (PostgreSQL: one RETURNING more, ~30%).
    ``on_duplicate`` resolves repeated keys (see the module docstring); every repeat is
    reported in ``UpsertResult.duplicates``.
    """
    if on_duplicate not in DUPLICATE_POLICIES:
        raise ValueError(f"on_duplicate must be one of {sorted(DUPLICATE_POLICIES)}")
    rows = list(rows)
    if not rows:
        return UpsertResult(0, 0, 0 if detailed else None, 0 if detailed else None)
    plan = _Plan(model, key_fields, update_fields, rows[0])
    with _phase("dedupe"):
        deduped, duplicates = plan.dedupe(rows, on_duplicate)
    if on_duplicate == "reject" and any(d.action == "rejected" for d in duplicates):
        raise DuplicateKeys(model, [d for d in duplicates if d.action == "rejected"])
    vendor = connections[using].vendor
    with transaction.atomic(using=using):
        if vendor == "postgresql":
            written, inserted, touched = _upsert_postgresql(plan, deduped, using, detailed)
        elif vendor == "sqlite":
            written, inserted = _upsert_sqlite(plan, deduped, using, detailed)
            touched = deduped
        else:  # pragma: no cover - the project supports these two engines only
            raise NotImplementedError(f"bulk_upsert does not support {vendor}")
        if written:  # the daily rollups of the days these rows fall on (core/facts.py)
            with _phase("rollup_hooks"):
                facts.rows_written(model, touched)
    if not detailed:
        return UpsertResult(len(deduped), written, duplicates=duplicates)
    inserted = cast(int, inserted)  # detailed: both engines count the inserts
    return UpsertResult(len(deduped), written, inserted, written - inserted, duplicates=duplicates)


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
        self.given = frozenset(sample)
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
        # A row's natural key as a tuple (itemgetter of one name returns the bare value).
        getter = operator.itemgetter(*self.key_fields)
        self.key_of: Callable[[Mapping[str, Any]], tuple] = (
            getter if len(self.key_fields) > 1 else (lambda row: (getter(row),))
        )

    def dedupe(
        self, rows: list[Mapping[str, Any]], policy: str
    ) -> tuple[list[Mapping[str, Any]], tuple[DuplicateKey, ...]]:
        # The common case, no repeats, checked at C speed; groups are built only when needed.
        key_of = self.key_of
        if len(set(map(key_of, rows))) == len(rows):
            return rows, ()
        groups: dict[tuple, list[Mapping[str, Any]]] = {}
        for row in rows:
            groups.setdefault(key_of(row), []).append(row)
        kept: list[Mapping[str, Any]] = []
        duplicates: list[DuplicateKey] = []
        for key, group in groups.items():
            if len(group) == 1:
                kept.append(group[0])
                continue
            distinct = [row for i, row in enumerate(group) if row not in group[:i]]
            if len(distinct) == 1:
                kept.append(group[-1])
                duplicates.append(DuplicateKey(key, len(group), "identical", group[-1]))
            elif policy == "reject":
                duplicates.append(DuplicateKey(key, len(group), "rejected", None, tuple(distinct)))
            else:
                winner = distinct[-1] if policy == "last" else max(reversed(distinct), key=_completeness)
                action = "kept_last" if policy == "last" else "kept_most_complete"
                kept.append(winner)
                lost = tuple(row for row in distinct if row is not winner)
                duplicates.append(DuplicateKey(key, len(group), action, winner, lost))
        return kept, tuple(duplicates)

    def value(self, row: Mapping[str, Any], name: str) -> Any:
        if name in row:
            return row[name]
        return self.defaults[name]

    def column(self, name: str) -> str:
        # A concrete field always has a column (the stubs allow None for any Field).
        return cast(str, self.fields[name].column)


def _completeness(row: Mapping[str, Any]) -> tuple[int, int]:
    """(values reported, values reported and non-zero): a real row beats an empty/zero copy.
    ``max`` over the reversed rows breaks ties in favour of the later row."""
    values = list(row.values())
    reported = [v for v in values if v is not None and v != ""]
    return len(reported), sum(1 for v in reported if v != 0 and v is not False)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # Decimal keeps its exact digits as text


def _json_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _json_value(value) for name, value in row.items() if name != "organization_id"}


# --------------------------------------------------------------------------- PostgreSQL


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _copy_text(value: Any, is_json: bool) -> str:
    """One value in COPY text format (used for constant defaults and by the benchmark)."""
    if value is None:
        return _NULL
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


def _row_formatter(plan: _Plan) -> Callable[[Mapping[str, Any]], str]:
    """Compile a function that turns one row dict into one COPY text line.

    Serialization dominates the cost of the upsert, so the per-column choice (number, text,
    JSON, boolean) is made once here instead of once per value. Column names come from the
    model's own attnames, never from input.
    """
    env: dict[str, Any] = {"N": _NULL, "T": _COPY_ESCAPES, "dumps": json.dumps, "aware": _require_aware}
    body = []
    parts = []
    for i, name in enumerate(plan.columns):
        field = plan.fields[name]
        if name not in plan.given:
            env[f"c{i}"] = _copy_text(plan.defaults[name], isinstance(field, models.JSONField))
            parts.append(f"{{c{i}}}")
            continue
        body.append(f"    v{i} = row[{name!r}]")
        if isinstance(field, models.JSONField):
            expr = f"N if v{i} is None else dumps(v{i}, ensure_ascii=False, default=str).translate(T)"
        elif isinstance(field, models.BooleanField):
            expr = f"N if v{i} is None else ('t' if v{i} else 'f')"
        elif isinstance(field, models.DateTimeField):
            expr = f"N if v{i} is None else aware(v{i})"
        elif isinstance(
            field, (models.IntegerField, models.DecimalField, models.FloatField, models.DateField, models.ForeignKey)
        ):
            expr = f"N if v{i} is None else v{i}"  # str() of these never needs escaping
        else:
            expr = f"N if v{i} is None else str(v{i}).translate(T)"
        parts.append(f"{{{expr}}}")
    source = "def fmt(row):\n" + "\n".join(body) + '\n    return f"' + "\\t".join(parts) + '\\n"\n'
    exec(compile(source, f"<bulk_upsert {plan.table}>", "exec"), env)  # noqa: S102 - see docstring
    return env["fmt"]


def _require_aware(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime passed to bulk_upsert")
    return value.isoformat()


def _upsert_postgresql(
    plan: _Plan, rows: list[Mapping[str, Any]], using: str, detailed: bool
) -> tuple[int, int | None, list[Mapping[str, Any]]]:
    """Returns (rows written, rows inserted if ``detailed``, the touched rows' (organization, day)
    as mappings for the rollup hooks)."""
    connection = connections[using]
    qn = connection.ops.quote_name
    temp = f"_upsert_{next(_temp_names)}"
    cols = [qn(plan.column(n)) for n in plan.columns]
    col_list = ", ".join(cols)
    with connection.cursor() as cursor:
        _merge_settings(cursor, len(rows))
        # Column types come from the target table; no constraints, dropped at commit.
        cursor.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {col_list} FROM {qn(plan.table)} WITH NO DATA"  # noqa: S608
        )
        copy_sql = f"COPY {temp} ({col_list}) FROM STDIN"
        fmt = _row_formatter(plan)
        for start in range(0, len(rows), _COPY_CHUNK_ROWS):
            with _phase("serialize"):
                try:
                    text = "".join(map(fmt, rows[start : start + _COPY_CHUNK_ROWS]))
                except KeyError as exc:
                    raise ValueError(f"every row must have the columns of the first row; missing {exc}") from None
            with _phase("copy"):
                _copy_from(cursor, copy_sql, io.StringIO(text))
        sql = _MergeSql(plan, temp, qn)
        params: list[Any] = []
        if "organization_id" in plan.key_fields:  # read the organizations' slice of the key index only
            params.append(sorted({row["organization_id"] for row in rows}))
        # Skip unchanged rows before the merge: an anti-join on the natural key and the compared
        # columns removes them from the temporary table (not WAL-logged). ON CONFLICT ... WHERE
        # alone still locks (and WAL-logs the lock of) every conflicting row even when nothing
        # changed; filtered here, a no-op re-pull locks and writes nothing.
        # No ANALYZE of the temporary table: the planner sizes a never-analyzed table by its pages,
        # which was enough for a hash join here (ANALYZE cost 0.11 s per 200k rows).
        if not _SPLIT_MERGE:
            with _phase("skip_unchanged"):
                cursor.execute(
                    f"DELETE FROM {temp} s USING {sql.target} t WHERE {sql.key_match}{sql.same_values}",  # noqa: S608
                    params,
                )
            if cursor.rowcount == len(rows):
                cursor.execute(f"DROP TABLE {temp}")
                return 0, 0 if detailed else None, []
            touched = _touched_days(cursor, plan, [temp], qn)
            written, inserted = _on_conflict_merge(cursor, sql, detailed)
            cursor.execute(f"DROP TABLE {temp}")
            return int(written), inserted if detailed else None, touched
        if not _PENDING_TABLE:  # the previous classification (DELETE ... RETURNING), for the benchmark
            changed = f"{temp}_changed"
            with _phase("skip_unchanged"):
                new_rows, changed_rows = _classify(cursor, sql, changed, params, len(rows))
            if not new_rows and not changed_rows:
                cursor.execute(f"DROP TABLE {temp}, {changed}")
                return 0, 0 if detailed else None, []
            touched = _touched_days(cursor, plan, [temp, changed] if changed_rows else [temp], qn)
            written, inserted = _split_merge(cursor, sql, changed, changed_rows, new_rows, using)
            cursor.execute(f"RESET enable_hashjoin; RESET enable_mergejoin; DROP TABLE {temp}, {changed}")
            return int(written), inserted if detailed else None, touched
        pending = f"{temp}_pending"
        with _phase("skip_unchanged"):
            left = _pending_rows(cursor, sql, pending, params)
        if not left:
            cursor.execute(f"DROP TABLE {temp}, {pending}")
            return 0, 0 if detailed else None, []
        touched = _touched_days(cursor, plan, [pending], qn)
        written, inserted = _write_pending(cursor, sql, pending, using)
        cursor.execute(f"RESET enable_hashjoin; RESET enable_mergejoin; DROP TABLE {temp}, {pending}")
    return int(written), inserted if detailed else None, touched


# The merge as an UPDATE of the changed rows and a plain INSERT of the new ones (decision 0009);
# False = the single INSERT ... ON CONFLICT DO UPDATE it replaced (kept for the fallback, and so
# the benchmark can time both in one run).
_SPLIT_MERGE = True
# The batch classified by a read-only join into a table of the rows left to write (decision 0010);
# False = the DELETE ... RETURNING classification of decision 0009 it replaced (benchmark only).
_PENDING_TABLE = True


class _MergeSql:
    """The SQL pieces of one merge: the target, the key join, the compared and the set columns."""

    def __init__(self, plan: _Plan, temp: str, qn: Callable[[str], str]) -> None:
        self.temp = temp
        self.target = qn(plan.table)
        self.col_names = [qn(plan.column(n)) for n in plan.columns]
        self.cols = ", ".join(self.col_names)
        self.keys = ", ".join(qn(plan.column(n)) for n in plan.key_fields)
        self.update_cols = [qn(plan.column(n)) for n in plan.update_fields]
        self.set_cols = self.update_cols + [qn(plan.column(n)) for n in plan.touch_fields]
        self.key_names = [qn(plan.column(n)) for n in plan.key_fields]
        self.by_organization = "organization_id" in plan.key_fields
        self.pk = qn(cast(str, plan.model._meta.pk.column))
        self.key_match = self.match("s")
        self.same_values = (
            f" AND ROW({', '.join(f't.{c}' for c in self.update_cols)}) IS NOT DISTINCT FROM"
            f" ROW({', '.join(f's.{c}' for c in self.update_cols)})"
            if self.update_cols
            else ""
        )

    def match(self, alias: str, *, by_organization: bool = True) -> str:
        """The target ``t`` joined with ``alias`` on the natural key; with the organizations of the
        batch as a parameter, so only their slice of the key index is read."""
        match = " AND ".join(f"t.{c} = {alias}.{c}" for c in self.key_names)
        return f"t.organization_id = ANY(%s) AND {match}" if by_organization and self.by_organization else match

    def on_conflict(self, source: str | None = None) -> str:
        """The single ``INSERT ... ON CONFLICT`` merge of ``source`` (default: the whole temporary
        table; a ``FROM`` clause with its filter)."""
        insert = f"INSERT INTO {self.target} ({self.cols}) SELECT {self.cols} FROM {source or self.temp}"  # noqa: S608
        if not self.update_cols:
            return f"{insert} ON CONFLICT ({self.keys}) DO NOTHING"
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in self.set_cols)
        old = ", ".join(f"{self.target}.{c}" for c in self.update_cols)
        new = ", ".join(f"EXCLUDED.{c}" for c in self.update_cols)
        return f"{insert} ON CONFLICT ({self.keys}) DO UPDATE SET {sets} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"


def _on_conflict_merge(cursor, sql: _MergeSql, detailed: bool, source: str | None = None) -> tuple[int, int | None]:
    merge = sql.on_conflict(source)
    with _phase("merge"):
        if detailed:
            # xmax = 0 only for freshly inserted tuples: splits the count in the same statement.
            cursor.execute(
                f"WITH merged AS ({merge} RETURNING (xmax = 0) AS inserted) "  # noqa: S608
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE inserted) FROM merged"
            )
            written, inserted = cursor.fetchone()
            return int(written), int(inserted)
        cursor.execute(merge)
        return int(cursor.rowcount), None


_NEW = "_upsert_new"  # the pending table's flag: the key was not in the target at classification


def _pending_rows(cursor, sql: _MergeSql, pending: str, params: list[Any]) -> int:
    """One read-only join of the batch with the target on the natural key keeps what must be
    written in ``pending``: the new keys (flagged) and the rows whose values differ. Unchanged rows
    are simply not selected, so a no-op re-pull writes nothing at all — not even the temporary
    table (the DELETE ... RETURNING it replaces marked every batch row deleted). Returns the rows
    left to write."""
    new = f"t.{sql.pk} IS NULL"
    differs = (
        f" OR ROW({', '.join(f't.{c}' for c in sql.update_cols)}) IS DISTINCT FROM"
        f" ROW({', '.join(f's.{c}' for c in sql.update_cols)})"
        if sql.update_cols
        else ""
    )
    cursor.execute(
        f"CREATE TEMP TABLE {pending} ON COMMIT DROP AS SELECT {', '.join(f's.{c}' for c in sql.col_names)}, "  # noqa: S608
        f"{new} AS {_NEW} FROM {sql.temp} s LEFT JOIN {sql.target} t ON {sql.key_match} WHERE {new}{differs}",
        params,
    )
    return int(cursor.rowcount)


def _write_pending(cursor, sql: _MergeSql, pending: str, using: str) -> tuple[int, int]:
    """Changed rows update the target by their key (`_update_changed`); new rows go in by a
    plain INSERT (`_insert_new`). Returns (rows written, rows inserted)."""
    updated = _update_changed(cursor, sql, pending, f"NOT m.{_NEW} AND ") if sql.update_cols else 0
    written, inserted = _insert_new(cursor, sql, f"{pending} WHERE {_NEW}", using)
    return updated + written, inserted


def _update_changed(cursor, sql: _MergeSql, source: str, only: str = "") -> int:
    """``UPDATE`` of the target from ``source``'s rows (alias ``m``, filtered by ``only``) by
    their key. Returns the rows updated."""
    sets = ", ".join(f"{c} = m.{c}" for c in sql.set_cols)
    old = ", ".join(f"t.{c}" for c in sql.update_cols)
    new = ", ".join(f"m.{c}" for c in sql.update_cols)
    with _phase("update"):
        # One probe of the key index per changed row (nested loop), never a hash join over the
        # whole table: the temporary table has no statistics, and the key join carries no
        # organization filter. The settings are reset before the upsert returns. The values are
        # compared again: a concurrent writer may have written the same ones meanwhile.
        cursor.execute(
            "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; "  # noqa: S608
            f"UPDATE {sql.target} t SET {sets} FROM {source} m WHERE {only}"
            f"{sql.match('m', by_organization=False)} AND ROW({old}) IS DISTINCT FROM ROW({new})"
        )
        return int(cursor.rowcount)


def _insert_new(cursor, sql: _MergeSql, source: str, using: str) -> tuple[int, int]:
    """New rows (new as of the classifying statement's snapshot; ``source`` is a ``FROM`` clause)
    go in by a plain INSERT — no speculative insertion into the unique index, no conflict check
    per row (~30 % cheaper than ON CONFLICT). If another transaction inserted one of those keys
    meanwhile, the INSERT fails on the unique key: it is rolled back to its savepoint and the same
    rows are merged by ON CONFLICT DO UPDATE instead, so the other writer's row is updated, never
    duplicated. Returns (rows written, rows inserted)."""
    with _phase("insert"):
        try:
            with transaction.atomic(using=using):
                cursor.execute(f"INSERT INTO {sql.target} ({sql.cols}) SELECT {sql.cols} FROM {source}")  # noqa: S608
                return cursor.rowcount, cursor.rowcount
        except IntegrityError as exc:
            if getattr(exc.__cause__, "pgcode", None) != _UNIQUE_VIOLATION:
                raise
    # A concurrent writer inserted some of these keys after our snapshot: merge them.
    written, inserted = _on_conflict_merge(cursor, sql, detailed=True, source=source)
    return written, cast(int, inserted)


def _classify(cursor, sql: _MergeSql, changed: str, params: list[Any], total: int) -> tuple[int, int]:
    """One join of the batch with the target on the natural key sorts the temporary table's rows:
    unchanged rows are dropped, changed rows are moved to ``changed``, and new keys stay. Returns
    (new rows, changed rows). Reads the organizations' slice of the target once, like the
    anti-join it replaces; the moved rows never need a second join to find their key."""
    cursor.execute(f"CREATE TEMP TABLE {changed} ON COMMIT DROP AS SELECT {sql.cols} FROM {sql.temp} WITH NO DATA")  # noqa: S608
    if not sql.update_cols:  # nothing to update: every existing key is simply dropped
        cursor.execute(f"DELETE FROM {sql.temp} s USING {sql.target} t WHERE {sql.key_match}", params)  # noqa: S608
        return total - cursor.rowcount, 0
    # Each matched row is returned as its whole temp-table row when it changed and as NULL when it
    # did not, so a no-op re-pull passes a million NULLs, not a million rows, through the CTE.
    cursor.execute(
        f"WITH m AS (DELETE FROM {sql.temp} s USING {sql.target} t WHERE {sql.key_match} "  # noqa: S608
        f"RETURNING CASE WHEN ROW({', '.join(f't.{c}' for c in sql.update_cols)}) IS DISTINCT FROM "
        f"ROW({', '.join(f's.{c}' for c in sql.update_cols)}) THEN s END AS r), "
        f"c AS (INSERT INTO {changed} ({sql.cols}) SELECT (r).* FROM m "
        f"WHERE (r).{sql.key_names[0]} IS NOT NULL RETURNING 1) "
        "SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM c)",
        params,
    )
    matched, changed_rows = cursor.fetchone()
    return total - int(matched), int(changed_rows)


def _split_merge(cursor, sql: _MergeSql, changed: str, changed_rows: int, new_rows: int, using: str) -> tuple[int, int]:
    """Decision 0009's writes after `_classify`: the changed rows (moved to ``changed``) update the
    target, the new ones left in the temporary table are inserted."""
    updated = _update_changed(cursor, sql, changed) if changed_rows else 0
    if not new_rows:
        return updated, 0
    written, inserted = _insert_new(cursor, sql, sql.temp, using)
    return updated + written, inserted


_UNIQUE_VIOLATION = "23505"


def _touched_days(cursor, plan: _Plan, temps: list[str], qn: Callable[[str], str]) -> list[Mapping[str, Any]]:
    """The (organization, day) pairs of the rows about to be written — what is left in the
    temporary table after the unchanged rows were removed — for the rollup hooks. Only for
    models whose rollups listen (core/facts.py), read in SQL instead of a loop over every row."""
    field = facts.day_field(plan.model)
    if field is None or field not in plan.columns or "organization_id" not in plan.columns:
        return []
    with _phase("rollup_hooks"):
        day = qn(plan.column(field))
        union = " UNION ".join(f"SELECT DISTINCT organization_id, {day} FROM {temp}" for temp in temps)  # noqa: S608
        cursor.execute(union)
        return [{"organization_id": org, field: moment} for org, moment in cursor.fetchall()]


# Memory for the anti-join's and the merge's hash tables, for this transaction only. At the
# default 4 MB the hash of a 100k-row batch against the organization's existing rows spills to
# disk in batches (bench/ingest_bench.py: the skip-unchanged phase); 64 MB holds ~500k keys.
_MERGE_WORK_MEM = "64MB"
_MERGE_WORK_MEM_FROM_ROWS = 20_000  # smaller batches fit the default


def _merge_settings(cursor, rows: int) -> None:
    if rows >= _MERGE_WORK_MEM_FROM_ROWS:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [_MERGE_WORK_MEM])


def _copy_from(cursor, sql: str, buffer: io.StringIO) -> None:
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, buffer)
    else:  # pragma: no cover - psycopg 3
        with raw.copy(sql) as copy:
            copy.write(buffer.getvalue())
