"""Row-level security on this app's tenant tables (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("adrules", "0001_initial")]

    operations = [
        *rls_operations(
            "adrules.OptimizationRule",
            "adrules.RuleEvaluation",
            "adrules.RuleAction",
        ),
    ]
