from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from content import demo
        from tenancy.demo import register_demo_seeder

        register_demo_seeder(self.label, demo.seed)
