"""Error pages and API error bodies for failures that happen outside a DRF view.

Pages: 403/404 render inside the app shell (navigation when the organization is known), 500
renders a plain page without touching the database. Paths under `/api/` always get the API error
format, `{"error": {"code", "message", "fields"}}` — also with DEBUG on, where Django itself
answers unknown URLs with its HTML debug page (`ApiErrorMiddleware` converts those).
Templates live in `errors/`, not at the top level: Django's own default handlers (used by a
urlconf without handlers, e.g. in tests) must not pick up pages that need this project's URLs.
"""

import logging
from http.client import responses as HTTP_REASONS

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy
from django.views import defaults

from core.types import StrOrPromise
from smm_platform.api.errors import _body
from tenancy.access import access_for_user
from tenancy.roles import Role

API_PREFIX = "/api/"

# status -> (code, message) for API errors that no DRF view produced.
API_ERRORS = {
    400: ("bad_request", gettext_lazy("Bad request.")),
    403: ("permission_denied", gettext_lazy("You do not have permission to perform this action.")),
    404: ("not_found", gettext_lazy("Not found.")),
    405: ("method_not_allowed", gettext_lazy("Method not allowed.")),
    413: ("payload_too_large", gettext_lazy("The request body is too large.")),
    500: ("server_error", gettext_lazy("A server error occurred.")),
}


logger = logging.getLogger(__name__)


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int) -> JsonResponse:
    message: StrOrPromise
    if status in API_ERRORS:
        code, message = API_ERRORS[status]
    elif status >= 500:
        code, message = API_ERRORS[500]
    else:
        code, message = "error", HTTP_REASONS.get(status, "Error")
    return JsonResponse(_body(code, str(message)), status=status)


def _role_label(request) -> str:
    role = getattr(getattr(request, "access", None), "role", None)
    return str(Role(role).label) if role in Role.values else ""


def bad_request(request, exception):
    if is_api_request(request):
        return api_error(413 if isinstance(exception, RequestDataTooBig) else 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return api_error(403)
    context = {"role_label": _role_label(request)}
    return render(request, "errors/403.html", context, status=403)


def _organization_from_path(request) -> None:
    """An unknown page under `/o/<slug>/` of the user's own organization keeps the navigation."""
    parts = request.path_info.split("/")
    if getattr(request, "organization", None) is not None or len(parts) < 3 or parts[1] != "o":
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    try:
        access = access_for_user(user=user, organization_slug=parts[2])
    except Http404:
        return
    request.organization, request.access = access.organization, access


def page_not_found(request, exception):
    if is_api_request(request):
        return api_error(404)
    _organization_from_path(request)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    """No context processors, no session, no query: the database may be what failed."""
    if is_api_request(request):
        return api_error(500)
    try:
        html = loader.get_template("errors/500.html").render()
    except Exception:  # the error page itself must not fail
        logger.exception("errors/500.html could not be rendered")
        html = "<!DOCTYPE html><title>500</title><h1>Server error (500)</h1>"
    return HttpResponse(html, status=500)
