"""The shared HTTP layer of every connector: timeouts, User-Agent, the rate-limit hook,
platform-independent status mapping (429, 5xx, a 403 firewall page), ``Retry-After`` parsing,
secret redaction of errors and HTTP logs, and cursor pagination.
"""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import httpx

from core.logging import RedactSecretsFilter
from integrations.connectors.errors import (
    ConnectorError,
    InvalidRequest,
    RateLimited,
    TemporarilyBlocked,
    TransientError,
    platform_label,
    redact_text,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "HttpApi",
    "NoopRateLimiter",
    "RateLimiter",
    "paginate",
    "paginate_pages",
    "parse_retry_after",
]


# --------------------------------------------------------------------------- rate limiter hook


class RateLimiter(Protocol):
    """Blocks (or raises RateLimited) until one request for (platform, key) may go out."""

    def acquire(self, platform: str, key: str) -> None: ...


class NoopRateLimiter:
    def acquire(self, platform: str, key: str) -> None:
        return None


# --------------------------------------------------------------------------- HTTP helper

USER_AGENT = "smm-platform-connectors/1.0 (+https://github.com/smm-platform)"
# Explicit timeouts: a hung platform must not hold a Celery worker forever.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)

# Loggers that log request URLs (httpx at INFO) or request details (httpcore's children at DEBUG).
# Logger filters do not apply to records propagated from child loggers, so each is named.
_HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def _install_log_redaction() -> None:
    """Settings keep these loggers at WARNING; the filter also holds when someone turns them up
    (Telegram puts the bot token in the path, Graph pagination URLs carry ``access_token=``)."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecretsFilter) for f in logger.filters):
            logger.addFilter(RedactSecretsFilter())


_install_log_redaction()


class HttpApi:
    """Thin shared HTTP layer: timeouts, User-Agent, rate-limit hook, transport-error mapping.

    Platform modules parse bodies and map platform error codes themselves; this class only
    turns what is platform-independent (network failures, HTTP 5xx) into TransientError.
    """

    def __init__(
        self,
        *,
        platform: str,
        base_url: str,
        rate_limit_key: str,
        http_client: httpx.Client | None = None,
        rate_limiter: RateLimiter | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.rate_limit_key = rate_limit_key
        self._owns_client = http_client is None
        self._client = http_client or httpx.Client(
            timeout=DEFAULT_TIMEOUT, headers={"User-Agent": USER_AGENT}, follow_redirects=False
        )
        self._rate_limiter: RateLimiter = rate_limiter or NoopRateLimiter()
        self._secrets = tuple(s for s in secrets if s)

    def __repr__(self) -> str:
        return f"HttpApi(platform={self.platform!r}, base_url={self.base_url!r})"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets

    def add_secrets(self, *values: str | None) -> None:
        """Register more values (app secret, derived proofs) to scrub from error messages."""
        self._secrets += tuple(v for v in values if v)

    def redact(self, text: str) -> str:
        return redact_text(text, self._secrets)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request. Raises TransientError for network failures and HTTP 5xx."""
        self._rate_limiter.acquire(self.platform, self.rate_limit_key)
        return self.send(method, self.url(path), params=params, data=data, json=json, headers=headers)

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response:
        """One request to a full URL (an upload server the platform named, a media file), with
        the same error mapping as ``request`` but outside the API's rate limit."""
        merged_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        try:
            response = self._client.request(
                method,
                url,
                params=_clean(params),
                data=_clean(data),
                json=json,
                headers=merged_headers,
                files=files,
            )
        except httpx.TransportError as exc:
            # The exception text can embed the URL (Telegram: token in the path), so only the
            # class name goes into our message; the cause stays chained for debugging.
            raise TransientError(
                self.platform,
                "network",
                f"network error: {type(exc).__name__}",
                user_message=f"{platform_label(self.platform)}: could not reach the platform — we will retry",
            ) from exc
        if response.status_code >= 500:
            raise TransientError(
                self.platform,
                response.status_code,
                f"HTTP {response.status_code} from {self.platform}",
                retry_after=_retry_after_header(response),
            )
        status_error = self.status_error(response)
        if status_error is not None:
            raise status_error
        return response

    def status_error(self, response: httpx.Response) -> ConnectorError | None:
        """Statuses that mean the same on every platform, whatever the body says or is.

        * 429 is always a rate limit: the wait comes from ``Retry-After`` (seconds or an HTTP
          date), else a JSON body's ``retry_after`` (Telegram's ``parameters.retry_after``),
          else ``DEFAULT_RATE_LIMIT_WAIT``. The body is never required to be JSON.
        * 403 whose body is not JSON is a proxy/firewall/anti-abuse page, not an API answer
          about a permission: TemporarilyBlocked, retried later.
        Other 4xx are left to the platform's code mapping.
        """
        label = platform_label(self.platform)
        if response.status_code == 429:
            body = _json_or_none(response)
            error = body.get("error") if isinstance(body, dict) else None
            # The platform's own code when the body names one (VK 6, Graph 4 ...), for the logs.
            code = (
                (error.get("error_code") or error.get("code") if isinstance(error, dict) else None)
                or (body.get("error_code") if isinstance(body, dict) else None)
                or 429
            )
            retry_after = _retry_after_header(response)
            if retry_after is None:
                retry_after = _body_retry_after(body)
            if retry_after is None:
                retry_after = DEFAULT_RATE_LIMIT_WAIT
            return RateLimited(
                self.platform,
                code if isinstance(code, int | str) else 429,
                f"HTTP 429 from {self.platform}",
                retry_after=retry_after,
                user_message=f"{label}: rate limit reached — sync resumes in about {_wait_words(retry_after)}",
            )
        if response.status_code == 403 and _json_or_none(response) is None:
            retry_after = _retry_after_header(response) or DEFAULT_BLOCK_WAIT
            return TemporarilyBlocked(
                self.platform,
                403,
                f"HTTP 403 from {self.platform} without an API answer",
                retry_after=retry_after,
                user_message=(
                    f"{label} is blocking our requests for now (HTTP 403 from its firewall, not a missing "
                    f"permission) — sync resumes in about {_wait_words(retry_after)}; if this lasts, check "
                    f"the account on {label}"
                ),
            )
        return None

    def json_body(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            # A 200 with a broken body is usually a truncated response or a proxy page.
            error_type = TransientError if response.status_code < 400 else InvalidRequest
            raise error_type(
                self.platform,
                response.status_code,
                f"response is not JSON (HTTP {response.status_code})",
            ) from exc

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


def _clean(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop None values so optional parameters can be passed inline."""
    if values is None:
        return None
    return {k: v for k, v in values.items() if v is not None}


DEFAULT_RATE_LIMIT_WAIT = 60.0  # a 429 that names no wait
DEFAULT_BLOCK_WAIT = 900.0  # a firewall block: polling sooner only prolongs it
MAX_RETRY_AFTER = 7 * 86400.0  # an absurd advised wait must not overflow a datetime later


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2026 07:28:00
    GMT") → seconds from now (never negative); None when absent or unreadable."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110: an HTTP date is always GMT
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def _retry_after_header(response: httpx.Response) -> float | None:
    return parse_retry_after(response.headers.get("Retry-After"))


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _body_retry_after(body: Any) -> float | None:
    if not isinstance(body, dict):
        return None
    raw = body.get("parameters")
    parameters = raw if isinstance(raw, dict) else {}
    for value in (parameters.get("retry_after"), body.get("retry_after")):
        if value is not None and not isinstance(value, bool):
            seconds = parse_retry_after(str(value))
            if seconds is not None:
                return seconds
    return None


def _wait_words(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{round(seconds / 3600)} h"


# --------------------------------------------------------------------------- pagination

T = TypeVar("T")
C = TypeVar("C")


def paginate_pages(
    fetch_page: Callable[[C | None], tuple[Sequence[T], C | None]],
    *,
    first: C | None = None,
    max_pages: int = 500,
) -> Iterator[Sequence[T]]:
    """Yield whole pages until ``fetch_page`` returns no next cursor.

    ``fetch_page(cursor)`` returns ``(items, next_cursor)``; ``cursor`` is ``first`` on the
    first call. Stops (instead of looping forever) on an empty page, when a platform hands back
    the cursor it was just given, or after ``max_pages``. Callers stop early by breaking out
    (e.g. once a page reaches items older than ``since``).
    """
    cursor = first
    for _ in range(max_pages):
        items, next_cursor = fetch_page(cursor)
        yield items
        if next_cursor is None or next_cursor == cursor or not items:
            return
        cursor = next_cursor


def paginate(
    fetch_page: Callable[[C | None], tuple[Sequence[T], C | None]],
    *,
    first: C | None = None,
    max_pages: int = 500,
) -> Iterator[T]:
    """Like ``paginate_pages`` but yields the items one by one."""
    for page in paginate_pages(fetch_page, first=first, max_pages=max_pages):
        yield from page
