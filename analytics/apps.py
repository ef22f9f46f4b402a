from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from analytics import demo, ingest, rollup_hooks
        from integrations.models import SyncKind
        from integrations.steps import register_step
        from tenancy.demo import register_demo_seeder

        register_step(SyncKind.POSTS, ingest.posts_sync)
        register_step(SyncKind.ACCOUNT_METRICS, ingest.account_metrics_sync)
        register_demo_seeder(self.label, demo.seed)
        rollup_hooks.connect()
