from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdrulesConfig(AppConfig):
    name = "adrules"
    verbose_name = _("Ad optimization rules")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from adrules import demo, signals
        from tenancy.demo import register_demo_seeder

        signals.connect()
        register_demo_seeder(self.label, demo.seed)
