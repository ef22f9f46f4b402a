from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    name = "links"
    verbose_name = _("Tracked links")

    def ready(self) -> None:
        # Imported here, not at module level: models may be imported only once the app registry is ready.
        from content.hooks import register_cta_linker
        from links import demo, post_links
        from tenancy.demo import register_demo_seeder

        register_demo_seeder(self.label, demo.seed)
        register_cta_linker(post_links.cta_short_url)
