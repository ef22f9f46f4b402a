"""Row-level security on this app's tenant tables (PostgreSQL only; see tenancy/rls.py)."""

from django.db import migrations

from tenancy.rls import rls_operations


class Migration(migrations.Migration):
    dependencies = [("strategy", "0003_constraint_messages")]

    operations = [
        *rls_operations(
            "strategy.BusinessProfile",
            "strategy.AudienceSegment",
            "strategy.Competitor",
            "strategy.CompetitorSnapshot",
            "strategy.PresenceAudit",
            "strategy.Strategy",
            "strategy.StrategyCompetitor",
            "strategy.Goal",
            "strategy.PlatformChoice",
            "strategy.ContentPillar",
            "strategy.PillarGoal",
            "strategy.TrendNote",
            "strategy.Experiment",
        ),
    ]
