"""Row-level security on the publishing tables (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("content", "0004_publications")]

    operations = [
        *rls_operations(
            "content.Publication",
            "content.PublishAttempt",
            "content.Notification",
        ),
    ]
