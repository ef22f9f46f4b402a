"""Domain errors raised by services; mapped once to HTTP (API) or form errors (UI)."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404


class DomainError(Exception):
    """Invalid request against the domain rules → HTTP 400 with field messages."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: Any, *, field: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, []).append(str(message))


class PermissionDenied(DomainError, DjangoPermissionDenied):
    status_code = 403
    code = "permission_denied"


class NotFound(DomainError, Http404):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class ServiceUnavailable(DomainError):
    """A backing service (the task queue) is down; the request was kept → HTTP 503."""

    status_code = 503
    code = "service_unavailable"
