from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from integrations import checks, demo  # noqa: F401 - checks: registers the system checks
        from integrations.models import SyncKind
        from integrations.profile import profile_sync
        from integrations.steps import register_step
        from tenancy.demo import register_demo_seeder

        register_step(SyncKind.PROFILE, profile_sync)
        register_demo_seeder(self.label, demo.seed)
