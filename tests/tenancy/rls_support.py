"""Helpers for the row-level security tests: run a block as the app role with a given scope."""

import os
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, transaction

from tenancy.models import TenantModel

APP_ROLE = os.environ.get("RLS_TEST_ROLE", "smm_app")


def tenant_models() -> list:
    return sorted(
        (m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.proxy),
        key=lambda m: m._meta.db_table,
    )


SCOPE_SQL = (
    "SELECT set_config('app.organization_id', %s, true), set_config('app.user_id', %s, true),"
    " set_config('app.rls_bypass', %s, true)"
)


@contextmanager
def as_app(organization=None, *, user=None, keep: bool = False):
    """This block runs as the app role with this scope. Its writes are rolled back unless `keep`."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(SCOPE_SQL, [str(organization.pk) if organization else "", str(user.pk) if user else "", ""])
        yield cursor
        if keep:
            cursor.execute("RESET ROLE")
            cursor.execute(SCOPE_SQL, ["", "", ""])
        else:
            transaction.set_rollback(True)


def scalar(cursor, sql: str, params=()):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def owner_counts(organization) -> dict[str, int]:
    return {m._meta.db_table: m._default_manager.filter(organization=organization).count() for m in tenant_models()}
