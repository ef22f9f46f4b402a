from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from integrations.models import SyncKind
        from integrations.steps import register_step
        from moderation import demo, services
        from tenancy.demo import register_demo_seeder

        register_step(SyncKind.COMMENTS, services.comments_sync)
        register_step(SyncKind.MENTIONS, services.mentions_sync)
        register_demo_seeder(self.label, demo.seed)
