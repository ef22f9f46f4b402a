"""Row-level security: the database's second fence behind the ORM scoping (docs/decisions/0001).

On PostgreSQL every tenant table (each concrete `TenantModel`) has ENABLE + FORCE ROW LEVEL SECURITY
and one policy: a row is visible and writable only when its `organization_id` equals the setting
`app.organization_id`, or when `app.rls_bypass` is 'on'. Membership rows are also readable when
their `user_id` equals `app.user_id` (a user's own memberships: home redirect, org switcher, /me).
The application connects as a role that neither owns the tables nor has BYPASSRLS, so a query
that forgot its organization filter returns nothing instead of another tenant's rows.

Ways to set the scope (no-ops for the settings on SQLite, which has no RLS):
- `organization_context(id)`: a transaction with `SET LOCAL` semantics (pooler-safe). Requests
  (RowLevelSecurityMiddleware) and short services use it.
- `unscoped_context(reason)`: the same, but admits every organization: cross-organization work
  (fan-out, admin, lookups by a global secret such as an API token prefix or an invitation token).
- `organization_session(id)` / `unscoped_session(reason)`: for tasks and commands that open many
  transactions of their own (the sync): a session-level setting for the block, restored at the end.
  Inside an open transaction they behave like the `*_context` variants.

The bypass setting is a discipline fence, not a security boundary: the app role may set it
itself, so it stops forgotten filters, not arbitrary SQL (see the decision record).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, connection, connections, migrations, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from psycopg2.extensions import TRANSACTION_STATUS_INERROR

if TYPE_CHECKING:
    from contextlib import _GeneratorContextManager  # what @contextmanager returns: also a decorator

logger = logging.getLogger(__name__)

ORGANIZATION_SETTING = "app.organization_id"
USER_SETTING = "app.user_id"
BYPASS_SETTING = "app.rls_bypass"
POLICY_NAME = "tenant_isolation"
MEMBERSHIP_USER_POLICY = "membership_own_rows"

_SETTING_EXPR = "NULLIF(current_setting('{name}', true), '')::bigint"
TENANT_PREDICATE = (
    f"organization_id = {_SETTING_EXPR.format(name=ORGANIZATION_SETTING)}"
    f" OR current_setting('{BYPASS_SETTING}', true) = 'on'"
)


def is_enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


# --------------------------------------------------------------------------- settings


def _read(cursor) -> tuple[str, str]:
    cursor.execute(
        "SELECT coalesce(current_setting(%s, true), ''), coalesce(current_setting(%s, true), '')",
        [ORGANIZATION_SETTING, BYPASS_SETTING],
    )
    return cursor.fetchone()


def _write(cursor, organization: str, bypass: str, *, local: bool) -> None:
    cursor.execute(
        "SELECT set_config(%s, %s, %s), set_config(%s, %s, %s)",
        [ORGANIZATION_SETTING, organization, local, BYPASS_SETTING, bypass, local],
    )


@contextmanager
def _scoped(organization: str, bypass: str, *, using: str) -> Iterator[None]:
    """A transaction (a savepoint when nested) in which the settings hold; restored when nested."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor != "postgresql":
            yield
            return
        nested = len(connection.atomic_blocks) > 1
        with connection.cursor() as cursor:
            previous = _read(cursor) if nested else None
            _write(cursor, organization, bypass, local=True)
        yield
        # On an exception the savepoint/transaction rollback undoes SET LOCAL by itself.
        if previous is not None:
            with connection.cursor() as cursor:
                _write(cursor, *previous, local=True)


@contextmanager
def _session(organization: str, bypass: str, *, using: str) -> Iterator[None]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:
        # Inside a transaction: SET LOCAL, but no savepoint, so the block's writes keep the
        # semantics the caller expects (a sync's finished steps stay even if a later one raises).
        with connection.cursor() as cursor:
            previous = _read(cursor)
            _write(cursor, organization, bypass, local=True)
        try:
            yield
        finally:
            if _transaction_usable(connection):
                with connection.cursor() as cursor:
                    _write(cursor, *previous, local=True)
            # else: the transaction must roll back to a point before this block, undoing the setting
        return
    with connection.cursor() as cursor:
        previous = _read(cursor)
        _write(cursor, organization, bypass, local=False)
    active = _active_sessions(using)
    active.append((organization, bypass))
    try:
        yield
    finally:
        active.pop()
        try:
            with connection.cursor() as cursor:
                _write(cursor, *previous, local=False)
        except Exception:
            # Never hand a connection that may still carry the setting to the next task.
            logger.exception("could not reset the row-level security setting; closing the connection")
            connection.close()


# Session scopes open on this thread, per database alias. A session-level setting lives on one
# connection: when that connection dies mid-sync (failover, a terminated backend) and Django opens a
# new one, the innermost open scope is applied to it again, so the retried step still sees its rows.
_sessions = threading.local()


def _active_sessions(using: str) -> list[tuple[str, str]]:
    return _sessions.__dict__.setdefault(using, [])


@receiver(connection_created)
def _reapply_session_scope(sender, connection, **kwargs) -> None:
    active = _sessions.__dict__.get(connection.alias)
    if active and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _write(cursor, *active[-1], local=False)


def _transaction_usable(connection) -> bool:
    if connection.needs_rollback or connection.connection is None:
        return False
    return connection.connection.get_transaction_status() != TRANSACTION_STATUS_INERROR


def _organization_value(organization_id: object) -> str:
    if organization_id is None:
        return ""
    value = getattr(organization_id, "pk", organization_id)
    if not isinstance(value, int | str):
        raise TypeError(f"An organization or its id, not {value!r}")
    return str(int(value))


def organization_context(organization_id: object, *, using: str = DEFAULT_DB_ALIAS) -> _GeneratorContextManager[None]:
    """A transaction that sees only this organization's rows (SET LOCAL; accepts an id or an object)."""
    return _scoped(_organization_value(organization_id), "", using=using)


def unscoped_context(reason: str, *, using: str = DEFAULT_DB_ALIAS) -> _GeneratorContextManager[None]:
    """A transaction that crosses organizations on purpose; `reason` is for review and logs."""
    _require_reason(reason)
    return _scoped("", "on", using=using)


def organization_session(organization_id: object, *, using: str = DEFAULT_DB_ALIAS) -> _GeneratorContextManager[None]:
    """For a task or command whose code opens its own transactions: session-level for the block."""
    return _session(_organization_value(organization_id), "", using=using)


def unscoped_session(reason: str, *, using: str = DEFAULT_DB_ALIAS) -> _GeneratorContextManager[None]:
    _require_reason(reason)
    return _session("", "on", using=using)


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise ValueError("Say why this code crosses organizations")
    logger.debug("row-level security bypassed", extra={"reason": reason})


def request_scope_sql(*, organization_slug: str | None, bypass: bool, user_id: int | None) -> tuple[str, list]:
    """One statement that sets a request's whole scope (SET LOCAL), resolving the slug in SQL."""
    organization = "(SELECT id::text FROM tenancy_organization WHERE slug = %s)" if organization_slug else "%s"
    sql = (
        f"SELECT set_config(%s, coalesce({organization}, ''), true), set_config(%s, %s, true), set_config(%s, %s, true)"
    )
    params = [
        ORGANIZATION_SETTING,
        organization_slug or "",
        BYPASS_SETTING,
        "on" if bypass else "",
        USER_SETTING,
        "" if user_id is None else str(int(user_id)),
    ]
    return sql, params


def organization_id_of(model, pk, *, reason: str) -> int | None:
    """The organization a row belongs to, looked up across organizations (a task's id → its tenant)."""
    with unscoped_context(reason):
        return model._default_manager.filter(pk=pk).values_list("organization_id", flat=True).first()


# --------------------------------------------------------------------------- requests


class RowLevelSecurityMiddleware:
    """Runs each request in one transaction scoped for row-level security (PostgreSQL only).

    - a route with `org_slug` (pages, htmx partials, API): that organization's rows only (an
      unknown slug scopes to nothing, so the view's own lookup answers 404);
    - `/admin/` for active staff: unscoped (the admin crosses organizations on purpose);
    - any other request of a signed-in user: no organization, only the user's own memberships
      (home redirect, organization switcher, /api/v1/me/). Code that crosses organizations there
      (sign-up, invitation by token, OAuth state, API token by prefix) opens its own named context.

    The scope is one `SET LOCAL`-style statement (the slug is resolved in the same statement).
    Writes keep autocommit-like semantics: an exception turned into an error page does not roll
    back what the view wrote before it (as before this middleware; services are atomic).
    Innermost in MIDDLEWARE (after AuthenticationMiddleware). Streaming responses are consumed after this
    transaction ends and would see no tenant rows: produce them inside an explicit context.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_enabled():
            return self.get_response(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        match = self._resolve(request)
        org_slug = match.kwargs.get("org_slug") if match else None
        staff_admin = bool(match and "admin" in match.namespaces and user_id and user.is_active and user.is_staff)
        if not org_slug and user_id is None:
            return self.get_response(request)  # anonymous, no organization: nothing tenant-scoped to read
        sql, params = request_scope_sql(organization_slug=org_slug, bypass=staff_admin, user_id=user_id)
        # savepoint=False: the request is the unit; nested only under a test's transaction.
        with transaction.atomic(savepoint=False):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return self.get_response(request)

    @staticmethod
    def _resolve(request):
        try:
            return resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            return None


# --------------------------------------------------------------------------- migrations


def _policy_sql(table: str) -> list[str]:
    q = f'"{table}"'
    sql = [
        f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {q} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {q}",
        f"CREATE POLICY {POLICY_NAME} ON {q} USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})",
    ]
    if table == "tenancy_membership":
        user_predicate = f"user_id = {_SETTING_EXPR.format(name=USER_SETTING)}"
        sql += [
            f"DROP POLICY IF EXISTS {MEMBERSHIP_USER_POLICY} ON {q}",
            # Read-only: joining an organization still needs that organization's scope.
            f"CREATE POLICY {MEMBERSHIP_USER_POLICY} ON {q} FOR SELECT USING ({user_predicate})",
        ]
    return sql


def _drop_sql(table: str) -> list[str]:
    q = f'"{table}"'
    return [
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {q}",
        f"DROP POLICY IF EXISTS {MEMBERSHIP_USER_POLICY} ON {q}",
        f"ALTER TABLE {q} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {q} DISABLE ROW LEVEL SECURITY",
    ]


def rls_operations(*model_labels: str) -> list[migrations.RunPython]:
    """Migration operations that put the tenant policy on these models' tables (PostgreSQL only).

    Every migration that creates a tenant table adds `*rls_operations("app.Model")`; a test compares
    the forced-RLS tables with the concrete TenantModel subclasses, so a forgotten one fails CI.
    """

    def run(apps, schema_editor, make_sql):
        if schema_editor.connection.vendor != "postgresql":
            return
        for label in model_labels:
            table = apps.get_model(label)._meta.db_table
            for statement in make_sql(table):
                schema_editor.execute(statement)

    return [
        migrations.RunPython(
            lambda apps, schema_editor: run(apps, schema_editor, _policy_sql),
            lambda apps, schema_editor: run(apps, schema_editor, _drop_sql),
            elidable=False,
        )
    ]


def _set_session_bypass(using: str, value: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [BYPASS_SETTING, value])


def migrations_begin(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """pre_migrate: `migrate` is an unscoped path (a session-level bypass until post_migrate)."""
    _set_session_bypass(using, "on")


def migrations_end(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    _set_session_bypass(using, "")
