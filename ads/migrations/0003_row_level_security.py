"""Row-level security on this app's tenant tables (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("ads", "0002_fact_tables_without_fk_constraints")]

    operations = [
        *rls_operations(
            "ads.AdCampaign",
            "ads.AdStatDaily",
        ),
    ]
