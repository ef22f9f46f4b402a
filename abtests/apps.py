from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AbtestsConfig(AppConfig):
    name = "abtests"
    verbose_name = _("A/B tests")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from abtests import demo
        from tenancy.demo import register_demo_seeder

        register_demo_seeder(self.label, demo.seed)
