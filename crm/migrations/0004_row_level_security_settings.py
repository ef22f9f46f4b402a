"""Row-level security on the CRM settings table (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_attribution")]

    operations = [*rls_operations("crm.CrmSettings")]
