"""The OpenAPI schema and Swagger UI: public by default (integrators build CRM connectors from
them before they have an account), or behind sign-in with API_DOCS_PUBLIC=0. Read per request so
the setting can be changed without touching the URLconf."""

from pathlib import Path

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, IsAuthenticated


class SchemaView(SpectacularAPIView):
    def get_permissions(self):
        return [AllowAny()] if settings.API_DOCS_PUBLIC else [IsAuthenticated()]


class SwaggerView(SpectacularSwaggerSplitView):
    """The split view serves its init script from a URL instead of inline (script-src 'self')."""

    url_name = "api-schema"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)


# drf-spectacular's page has an inline <style> block and Swagger UI injects styles at run time;
# styles only, on this page only — scripts stay 'self'. (Replaced, not extended: next to the
# global policy's hashes a browser would ignore 'unsafe-inline'.)
swagger_view = csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(SwaggerView.as_view())


def api_guide(request: HttpRequest) -> HttpResponse:
    """The integrator guide (docs/api.md, Markdown), linked from the schema's description."""
    if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    text = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text(encoding="utf-8")
    return HttpResponse(text, content_type="text/markdown; charset=utf-8")
