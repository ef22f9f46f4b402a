"""HTTP conventions of the API that integrators rely on (docs/api-changelog.md, "Conventions").

- `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` on every API response, from the
  tightest rate-limit bucket the request was checked against (core/throttling.py). A request refused
  before its rate limit is checked (an invalid token) reports its client address's bucket.
- `Idempotency-Key` on POST: the first successful (2xx) answer is kept 24 hours per caller, path and
  key; a repeat with the same body gets that answer again (`Idempotent-Replayed: true`) and nothing
  is created twice; the same key with another body is a 422; a repeat while the first is still
  running is a 409. Unsuccessful answers are not kept, so a corrected retry may reuse the key.
- `ETag` / `If-None-Match` → 304 on reads whose view sets `conditional_get = True` (KPI reads).
- `deprecated(...)`: `Deprecation` and `Sunset` headers (RFC 9745, RFC 8594) and `deprecated: true`
  in the schema for an operation on its way out.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from core.net import client_ip

API_PREFIX = "/api/"
IDEMPOTENCY_TTL = 24 * 60 * 60
IDEMPOTENCY_LOCK_TTL = 60
MAX_KEY_LENGTH = 255


def _error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    fields = {field: [message]} if field else {}
    return JsonResponse({"error": {"code": code, "message": message, "fields": fields}}, status=status)


class RateLimitHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            state = getattr(request, "rate_limit", None) or _peek_address_bucket(request)
            if state is not None:
                response["RateLimit-Limit"] = str(state.limit)
                response["RateLimit-Remaining"] = str(state.remaining)
                response["RateLimit-Reset"] = str(state.reset)
        return response


def _peek_address_bucket(request: HttpRequest):
    """The client address's bucket, read without counting (a request refused before its check)."""
    # Imported here: the throttle module reads DRF's settings, which import the middleware settings.
    from .throttling import PrincipalRateThrottle

    throttle = PrincipalRateThrottle()
    if throttle.rate is None:
        return None
    try:
        throttle.key = throttle.cache_format % {"scope": throttle.scope, "ident": f"ip-{client_ip(request)}"}
        throttle.history = throttle.cache.get(throttle.key, [])
        throttle.now = throttle.timer()
        window: int = getattr(throttle, "duration")  # noqa: B009 — set from the rate, not in the stubs
        throttle.history = [t for t in throttle.history if t > throttle.now - window]
    except Exception:  # the cache is down: no headers rather than an error
        return None
    return throttle.state(allowed=len(throttle.history) < getattr(throttle, "num_requests"))  # noqa: B009


class IdempotencyMiddleware:
    header = "HTTP_IDEMPOTENCY_KEY"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(self.header)
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            return _error(
                400, "validation_error", _("Idempotency-Key: 1 to 255 printable ASCII characters."), "Idempotency-Key"
            )
        caller = _caller(request)
        if caller is None:  # not signed in: the view answers 401, nothing to remember
            return self.get_response(request)
        slot = "idem:" + hashlib.sha256(f"{caller}\n{request.path}\n{key}".encode()).hexdigest()
        fingerprint = hashlib.sha256(request.body).hexdigest()
        stored = cache.get(slot)
        if stored is not None:
            return _replay(stored, fingerprint)
        if not cache.add(slot + ":lock", fingerprint, IDEMPOTENCY_LOCK_TTL):
            return _error(
                409, "idempotency_in_progress", _("A request with this Idempotency-Key is still being processed.")
            )
        try:
            response = self.get_response(request)
            if 200 <= response.status_code < 300 and not response.streaming:
                cache.set(slot, _snapshot(response, fingerprint), IDEMPOTENCY_TTL)
        finally:
            cache.delete(slot + ":lock")
        return response


def _caller(request: HttpRequest) -> str | None:
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _snapshot(response: HttpResponse, fingerprint: str) -> dict[str, Any]:
    headers = {name: value for name, value in response.items() if name.lower() in ("content-type", "location")}
    return {"fingerprint": fingerprint, "status": response.status_code, "headers": headers, "body": response.content}


def _replay(stored: dict[str, Any], fingerprint: str) -> HttpResponse:
    if stored["fingerprint"] != fingerprint:
        return _error(
            422, "idempotency_key_reused", _("This Idempotency-Key was already used with a different request body.")
        )
    response = HttpResponse(stored["body"], status=stored["status"])
    for name, value in stored["headers"].items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


# --------------------------------------------------------------------------- conditional GET (ETag)


def with_etag(request, response):
    """A strong ETag over the rendered JSON body; `If-None-Match` naming it → 304 without a body."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.render()
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"  # revalidate every time: the numbers move
    asked = [tag.strip().removeprefix("W/") for tag in request.META.get("HTTP_IF_NONE_MATCH", "").split(",")]
    if etag in asked or "*" in asked:
        not_modified = HttpResponse(status=304)
        for name in ("ETag", "Cache-Control", "Vary"):
            if response.has_header(name):
                not_modified[name] = response[name]
        return not_modified
    return response


# --------------------------------------------------------------------------- deprecation


def deprecation_headers(*, since: date, sunset: date, link: str = "") -> dict[str, str]:
    """`Deprecation: @<unix time>` (RFC 9745), `Sunset: <HTTP date>` (RFC 8594), and a link to the
    migration note."""
    since_at = datetime.combine(since, time.min, tzinfo=UTC)
    sunset_at = datetime.combine(sunset, time.min, tzinfo=UTC)
    headers = {"Deprecation": f"@{int(since_at.timestamp())}", "Sunset": format_datetime(sunset_at, usegmt=True)}
    if link:
        headers["Link"] = f'<{link}>; rel="deprecation"; type="text/html"'
    return headers


def deprecated(*, since: date, sunset: date, link: str = ""):
    """Marks a DRF view method (an action) deprecated: headers on every answer, `deprecated: true`
    in the schema. Remove the operation only after `sunset` (docs/api-changelog.md)."""
    # Imported here: drf_spectacular pulls in DRF's settings at import; this module is a middleware.
    from drf_spectacular.utils import extend_schema

    headers = deprecation_headers(since=since, sunset=sunset, link=link or getattr(settings, "API_CHANGELOG_URL", ""))

    def decorate(method):
        def wrapper(self, request, *args, **kwargs):
            response = method(self, request, *args, **kwargs)
            for name, value in headers.items():
                response[name] = value
            return response

        wrapper.__name__ = method.__name__
        wrapper.__doc__ = method.__doc__
        wrapper.__dict__.update(method.__dict__)
        return extend_schema(deprecated=True)(wrapper)

    return decorate


__all__ = ["IdempotencyMiddleware", "RateLimitHeadersMiddleware", "deprecated", "deprecation_headers", "with_etag"]
