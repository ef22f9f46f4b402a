"""Account metrics: fillfactor 80 -> 50, so that a re-pull's update of a page's rows can be HOT.

The nightly sync re-reads each account's trailing days and the platforms revise the last ~48 h, so
every row of the newest pages is rewritten, often night after night. A HOT update needs room for
the new version on the same page; at 80 that room held about a quarter of a page's rows (the
benchmark's probe: 25-27 % HOT), so three quarters of the updates added an entry to each of the
table's three indexes. At 50 a whole page of rows can be rewritten in place, and pruning on the
next visit frees the old versions for the next night. Measured with bench/ingest_bench.py
(docs/decisions/0010-ingest-read-only-classification.md): the half-new/half-updated batch's
server CPU fell by roughly a quarter to a third; the table's pages hold ~40 % fewer rows.

Post metrics keep 90: a post's snapshot row is written for its day and rarely revised later.
Only new pages follow the setting; existing rows are repacked by VACUUM FULL (or pg_repack) when
convenient, never by this migration (it must not hold a lock on a large table)."""

from django.db import migrations

TABLE = "analytics_accountmetricdaily"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = 50)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = 80)")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0009_post_rollup")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
