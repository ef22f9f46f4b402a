"""Row-level security on the post media and history tables (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("content", "0008_post_editorial")]

    operations = [*rls_operations("content.PostEvent", "content.PostMedia")]
