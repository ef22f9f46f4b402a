"""Leave room in the pages of the daily metric fact tables so that a sync's update of a day's
numbers can be a HOT update (a new row version on the same page, no index entry added to any of
the table's indexes). None of the updated metric columns is indexed, so only the free space
decides. Measured in bench/ingest_bench.py (index-maintenance probe): at the default fillfactor
100 no update was HOT; at 80 the updates of a re-pulled window were partly HOT and the merge of a
10 %-changed re-pull took a third of the time. Post metrics, ten times larger and mostly read,
keep more of each page filled (90).

Only new pages follow the setting; existing rows are repacked by VACUUM FULL (or pg_repack) when
convenient, never by this migration (it must not hold a lock on a large table)."""

from django.db import migrations

FILLFACTORS = {"analytics_accountmetricdaily": 80, "analytics_postmetricdaily": 90}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fillfactor in FILLFACTORS.items():
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(fillfactor)})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in FILLFACTORS:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0006_metric_day_id_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
