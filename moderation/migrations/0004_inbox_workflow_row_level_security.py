"""Row-level security on the inbox workflow tables (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_inbox_workflow")]

    operations = [
        *rls_operations(
            "moderation.InboxNote",
            "moderation.InboxReply",
            "moderation.InboxAction",
            "moderation.SavedReply",
            "moderation.ReplyServiceLevel",
        ),
    ]
