from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = _("Organizations and access")

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI auth extension
