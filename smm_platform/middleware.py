"""API paths answer errors in the API format even where Django, not DRF, produced the response."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .api.errors import _body
from .error_views import api_error, is_api_request


def _has_nul(request) -> bool:
    """A NUL character in a query parameter: PostgreSQL text cannot hold it, so a filter or a
    search with one would fail in the database instead of answering 400."""
    return any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values)


class ApiErrorMiddleware:
    """For `/api/...`: refuses a NUL character in a query parameter (400) and an oversized body
    (413) up front, and turns any non-JSON error
    response — Django's 404 for an unknown path (its HTML debug page with DEBUG on), a 400 from
    a body over `DATA_UPLOAD_MAX_MEMORY_SIZE`, a 500 — into `{"error": {...}}` with the same status.
    Responses rendered by DRF already use the format (whatever renderer) and pass untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_request(request):
            return self.get_response(request)
        if _has_nul(request):
            message = _("Query parameters may not contain NUL characters.")
            return JsonResponse(_body("invalid", message), status=400)
        if self._too_big(request):
            return api_error(413)
        response = self.get_response(request)
        if response.status_code < 400 or hasattr(response, "accepted_renderer"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return api_error(response.status_code)

    def process_exception(self, request, exception):
        if is_api_request(request) and isinstance(exception, RequestDataTooBig):
            return api_error(413)
        return None

    @staticmethod
    def _too_big(request) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        # Multipart file parts do not count against the limit (Django checks the other fields).
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        return limit is not None and length > limit and not multipart
