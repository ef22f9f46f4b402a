"""PostgreSQL only: no two approved strategies of one organization may have overlapping periods.

The service checks the overlap under a row lock on every database; this exclusion constraint is the
database's own fence where it can express it. It needs the btree_gist extension (for `=` on the
organization id inside a GiST index); where the extension cannot be created (no privilege), the
constraint is skipped and the service check remains.
"""

from django.db import migrations

CONSTRAINT = "strategy_approved_periods_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            schema_editor.execute(
                f"ALTER TABLE strategy_strategy ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
                "(organization_id WITH =, daterange(period_start, period_end, '[]') WITH &&) "
                "WHERE (status = 'approved')"
            )
    except DatabaseError:
        # No privilege for the extension: rely on the service-level check under the lock.
        pass


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE strategy_strategy DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
