from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortabilityConfig(AppConfig):
    """Export of an organization's data and its deletion (top layer: reads every app's tables
    through the app registry, so a new tenant model is exported and deleted without changes here)."""

    name = "portability"
    verbose_name = _("Data export and deletion")
