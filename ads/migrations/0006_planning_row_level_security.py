"""Row-level security on the planning tables (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("ads", "0005_campaign_plans_ad_sets_budgets")]

    operations = [
        *rls_operations(
            "ads.CampaignPlan",
            "ads.AdBudget",
            "ads.AdSet",
            "ads.AdCreative",
            "ads.BudgetChange",
        ),
    ]
