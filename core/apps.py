from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: errors, form helpers, numbers, dates, the KPI vocabulary.

    The lowest layer: it imports no other app of the project (docs/ARCHITECTURE.md)."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import lookups  # noqa: F401  (registers JSONField.has_item)
