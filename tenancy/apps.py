from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = _("Organizations and access")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from . import (
            rls,
            schema,  # noqa: F401 - registers the OpenAPI auth extension
        )

        # Migrations cross organizations (data migrations see every row, even when the migration
        # role owns the tables without being a superuser: FORCE ROW LEVEL SECURITY binds owners too).
        pre_migrate.connect(rls.migrations_begin, dispatch_uid="tenancy.rls.migrations_begin")
        post_migrate.connect(rls.migrations_end, dispatch_uid="tenancy.rls.migrations_end")
