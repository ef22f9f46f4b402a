from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    name = "links"
    verbose_name = _("Tracked links")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from links import demo
        from tenancy.demo import register_demo_seeder

        register_demo_seeder(self.label, demo.seed)
