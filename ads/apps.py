from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdsConfig(AppConfig):
    name = "ads"
    verbose_name = _("Advertising")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from ads import services
        from integrations.models import SyncKind
        from integrations.steps import register_step

        register_step(SyncKind.CAMPAIGNS, services.campaigns_sync)
        register_step(SyncKind.AD_STATS, services.ad_stats_sync)
