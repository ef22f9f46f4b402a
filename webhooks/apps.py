from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from core.events import register_event_sink
        from tenancy.demo import register_demo_seeder
        from webhooks import demo, services

        register_event_sink(services.record_events)
        register_demo_seeder(self.label, demo.seed)
