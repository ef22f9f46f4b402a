"""Row-level security on the brand keywords (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("moderation", "0006_mentions_and_waiting")]

    operations = [*rls_operations("moderation.BrandKeyword")]
