"""Row-level security on the plan's tables (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("content", "0006_plan_calendar")]

    operations = [
        *rls_operations(
            "content.PlannedSlot",
            "content.CalendarFeed",
            "content.CalendarDate",
            "content.HiddenDate",
        ),
    ]
