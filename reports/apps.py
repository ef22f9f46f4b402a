from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from reports import demo
        from tenancy.demo import register_demo_seeder

        register_demo_seeder("reports", demo.seed)
