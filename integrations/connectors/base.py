"""The connector contract: what every platform connector returns and raises.

Connectors speak HTTP to one social/ads platform for ONE connected account and return plain
frozen dataclasses. They hold no Django state, never touch the database and never log tokens.
The sync layer (Celery tasks in the domain apps) decides what to store and how to retry, using
the error types below:

=================  ==========================================  ==============================
Error              Meaning                                     What the sync layer does
=================  ==========================================  ==============================
RateLimited        platform throttled us (``retry_after`` s)   retry after the advised delay
                   (any HTTP 429, whatever its body)
TemporarilyBlocked HTTP 403 without an API answer (a proxy/   retry after ``retry_after``
                   firewall page): a TransientError
TransientError     5xx, network, timeout, "try again"          retry with backoff + jitter
AuthExpired        token invalid/expired/revoked               account -> ``needs_reauth``
PermissionDenied   token valid but lacks a right/scope         account -> ``error`` (reason)
InvalidRequest     4xx we caused (unknown metric, bad param)   no retry; a bug or deprecation
NotSupported       the platform cannot do this at all          skip; show ``user_message``
=================  ==========================================  ==============================

Errors are mapped from the platform's numeric codes, never from message text (the wording
changes between API versions and locales).

Items are parsed one by one: an item the connector cannot fully read (a VK comment deleted by
its author has no ``from_id``) is skipped, logged with the account and item id and recorded in
``connector.skipped`` (see ``BaseConnector.parse_each``); the rest of the page is returned. A
whole answer that cannot be read raises ``MalformedResponse`` (an InvalidRequest).
"""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

import httpx

from smm_platform.logging import RedactSecretsFilter, redact_secrets

__all__ = [
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "AccountDay",
    "AccountProfile",
    "AdStatDay",
    "AuthExpired",
    "BaseConnector",
    "CampaignStatus",
    "Capability",
    "CommentKind",
    "Connector",
    "ConnectorError",
    "HttpApi",
    "InvalidRequest",
    "MalformedResponse",
    "NoopRateLimiter",
    "NotSupported",
    "PermissionDenied",
    "PostFormat",
    "PostMetrics",
    "PublishResult",
    "RateLimited",
    "RateLimiter",
    "RemoteCampaign",
    "RemoteComment",
    "RemoteMention",
    "RemotePost",
    "ReplyResult",
    "SkippedItem",
    "TemporarilyBlocked",
    "TransientError",
    "paginate",
    "paginate_pages",
]


# --------------------------------------------------------------------------- vocabulary


class Capability(StrEnum):
    """Names used in ``Connector.capabilities``; one per group of protocol methods."""

    PROFILE = "profile"  # fetch_profile
    ACCOUNT_METRICS = "account_metrics"  # fetch_account_metrics
    POSTS = "posts"  # fetch_posts
    POST_METRICS = "post_metrics"  # fetch_post_metrics
    COMMENTS = "comments"  # fetch_comments
    REPLY = "reply"  # reply
    HIDE_COMMENTS = "hide_comments"  # hide_comment
    DELETE_COMMENTS = "delete_comments"  # delete_comment
    PUBLISH = "publish"  # publish
    MENTIONS = "mentions"  # search_mentions
    CAMPAIGNS = "campaigns"  # fetch_campaigns
    AD_STATS = "ad_stats"  # fetch_ad_stats
    CAMPAIGN_CONTROL = "campaign_control"  # set_campaign_status, set_campaign_budget


class PostFormat(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    REEL = "reel"
    CAROUSEL = "carousel"
    STORY = "story"
    LINK = "link"
    POLL = "poll"


class CampaignStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"
    DELETED = "deleted"


class CommentKind(StrEnum):
    COMMENT = "comment"  # public comment under a post
    MESSAGE = "message"  # private message to the account
    MENTION = "mention"  # the account was tagged somewhere


# --------------------------------------------------------------------------- return values
# Counters are ``int | None``: None means "the platform did not report it" (unknown), which a
# dashboard must show differently from a reported zero.


@dataclass(frozen=True, slots=True)
class AccountProfile:
    """A snapshot of the account right now (followers total is only ever "now" on most APIs)."""

    external_id: str
    name: str
    username: str | None = None
    followers: int | None = None
    url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccountDay:
    """One calendar day of account-level metrics, in the platform's reporting day.

    ``followers`` is the total at the end of the day; ``followers_gained``/``followers_lost``
    are gross new follows / unfollows that day. ``engaged`` counts unique engaged accounts,
    ``interactions`` counts actions (likes + comments + shares + saves ...).
    """

    day: date
    followers: int | None = None
    followers_gained: int | None = None
    followers_lost: int | None = None
    reach: int | None = None
    views: int | None = None
    engaged: int | None = None
    interactions: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    link_clicks: int | None = None
    profile_visits: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemotePost:
    """A published post as listed by the platform; counters are lifetime values."""

    external_id: str
    published_at: datetime
    text: str
    format: str  # a PostFormat value
    permalink: str | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None
    media_urls: tuple[str, ...] = ()
    is_pinned: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PostMetrics:
    """Lifetime insights of one post. All-None means "not available (yet)", not zero."""

    external_id: str
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    link_clicks: int | None = None
    video_views: int | None = None
    followers_gained: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteComment:
    external_id: str
    post_external_id: str | None
    parent_external_id: str | None  # the comment this one answers; None = top level
    author_name: str | None
    author_external_id: str | None
    text: str
    created_at: datetime
    kind: str = CommentKind.COMMENT
    like_count: int | None = None
    is_from_account: bool = False  # written by the connected account itself (our reply)


@dataclass(frozen=True, slots=True)
class RemoteMention:
    """A public post elsewhere that mentions the brand (reputation monitoring)."""

    external_id: str
    url: str | None
    author_name: str | None
    author_external_id: str | None
    text: str
    created_at: datetime
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None


@dataclass(frozen=True, slots=True)
class RemoteCampaign:
    """An ad campaign. Budgets are Decimal in MAJOR units of ``currency`` (None = not set)."""

    external_id: str
    name: str
    status: str  # a CampaignStatus value
    objective: str | None = None
    daily_budget: Decimal | None = None
    lifetime_budget: Decimal | None = None
    currency: str | None = None
    start: datetime | None = None
    stop: datetime | None = None
    effective_status: str | None = None  # the platform's own delivery status, verbatim


@dataclass(frozen=True, slots=True)
class AdStatDay:
    """One campaign-day of ad statistics (optionally one breakdown slice of it).

    Every metric is None where the platform did not report it ("not reported"), and 0 where it
    reports "none happened"; a connector never fills a missing metric with 0.
    """

    campaign_external_id: str
    day: date
    spend: Decimal | None
    impressions: int | None
    clicks: int | None
    leads: int | None
    conversions: int | None
    revenue: Decimal | None
    currency: str | None
    reach: int | None = None
    breakdown: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """An item of a platform answer the connector could not fully read (so did not return)."""

    kind: str  # "comment", "post", "ad_stat" ...
    item_id: str | None
    reason: str  # the exception type and the missing key; never item content or a token


@dataclass(frozen=True, slots=True)
class PublishResult:
    external_id: str
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyResult:
    external_id: str
    parent_external_id: str | None = None


# --------------------------------------------------------------------------- errors


class ConnectorError(Exception):
    """Base of every connector error. ``code``/``subcode`` are the platform's own codes.

    ``message`` is the platform's technical text (for logs; tokens redacted); ``user_message``
    is plain English a marketer can act on.
    """

    default_user_message: ClassVar[str] = "the platform returned an error"
    is_transient: ClassVar[bool] = False
    needs_reauth: ClassVar[bool] = False
    # What the account's connection status should become, if anything ("needs_reauth"/"error").
    account_status: ClassVar[str | None] = None

    def __init__(
        self,
        platform: str,
        code: int | str | None,
        message: str,
        subcode: int | str | None = None,
        *,
        user_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.code = code
        self.subcode = subcode
        self.message = message
        self.user_message = user_message or f"{platform_label(platform)}: {self.default_user_message}"
        self.retry_after = retry_after

    def __str__(self) -> str:
        sub = f"/{self.subcode}" if self.subcode is not None else ""
        return f"[{self.platform} {self.code}{sub}] {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(platform={self.platform!r}, code={self.code!r}, "
            f"subcode={self.subcode!r}, message={self.message!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Celery/multiprocessing pickle exceptions via cls(*args); our constructors take more
        # than the message, so rebuild from the instance state instead.
        return (_rebuild_error, (type(self), dict(self.__dict__)))

    def redact(self, secrets: Sequence[str]) -> None:
        """Scrub secrets that a platform echoed back into its message (defence in depth)."""
        self.message = redact_text(self.message, secrets)
        self.user_message = redact_text(self.user_message, secrets)
        self.args = (self.message,)


def _rebuild_error(cls: type[ConnectorError], state: dict[str, Any]) -> ConnectorError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class RateLimited(ConnectorError):
    """Throttled. ``retry_after`` (seconds, always set) is the earliest sensible retry."""

    default_user_message = "rate limit reached — sync will resume automatically"
    is_transient = True

    def __init__(
        self,
        platform: str,
        code: int | str | None,
        message: str,
        subcode: int | str | None = None,
        *,
        retry_after: float,
        user_message: str | None = None,
    ) -> None:
        super().__init__(platform, code, message, subcode, user_message=user_message, retry_after=float(retry_after))
        self.retry_after: float = float(retry_after)


class AuthExpired(ConnectorError):
    """The token is invalid, expired or revoked: the account must be reconnected."""

    default_user_message = "access expired — reconnect the account"
    needs_reauth = True
    account_status = "needs_reauth"


class PermissionDenied(ConnectorError):
    """The token works but lacks a right (scope, admin role, ad account access)."""

    default_user_message = "the connected account lacks a permission this feature needs"
    account_status = "error"


class TransientError(ConnectorError):
    """Temporary failure (5xx, network, timeout). Retry with backoff."""

    default_user_message = "the platform is temporarily unavailable — we will retry"
    is_transient = True


class InvalidRequest(ConnectorError):
    """The platform rejected our request (bad parameter, unknown/deprecated metric).

    Not retried: it will fail the same way until the code is fixed.
    """

    default_user_message = "the platform rejected the request (this needs a fix on our side)"


class MalformedResponse(InvalidRequest):
    """The platform answered 2xx but the answer as a whole cannot be read (not an item of it)."""

    default_user_message = "the platform sent an answer we could not read — we were notified"


class TemporarilyBlocked(TransientError):
    """HTTP 403 with a non-API (HTML) body: a proxy, firewall or anti-abuse page, not a missing
    permission the API would name. Retried after ``retry_after``; shown in plain words."""

    default_user_message = "the platform is temporarily blocking our requests — we will retry"


class NotSupported(ConnectorError):
    """The platform's API cannot do this at all; ``user_message`` says so in plain words."""

    default_user_message = "this is not available through the platform's API"

    def __init__(self, platform: str, user_message: str) -> None:
        super().__init__(platform, "not_supported", user_message, user_message=user_message)


_PLATFORM_LABELS = {
    "vk": "VK",
    "vk_ads": "VK Ads",
    "telegram": "Telegram",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "meta_ads": "Meta Ads",
}


def platform_label(platform: str) -> str:
    return _PLATFORM_LABELS.get(platform, platform)


def redact_text(text: str, secrets: Sequence[str]) -> str:
    """``text`` without the given secret values nor any credential-looking parameter
    (``access_token=``, ``"client_secret": "…"``, a bot token; see ``redact_secrets``)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return redact_secrets(text)


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
        merged_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        try:
            response = self._client.request(
                method,
                self.url(path),
                params=_clean(params),
                data=_clean(data),
                json=json,
                headers=merged_headers,
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
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
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


# --------------------------------------------------------------------------- the protocol


@runtime_checkable
class Connector(Protocol):
    """What the sync layer may call. Methods not in ``capabilities`` raise NotSupported."""

    platform: ClassVar[str]
    capabilities: ClassVar[frozenset[str]]
    external_id: str

    def fetch_profile(self) -> AccountProfile: ...

    def fetch_account_metrics(self, since: date, until: date) -> list[AccountDay]: ...

    def fetch_posts(self, since: datetime) -> list[RemotePost]: ...

    def fetch_post_metrics(self, posts: Sequence[str]) -> list[PostMetrics]: ...

    def fetch_comments(self, since: datetime) -> list[RemoteComment]: ...

    def reply(
        self, comment_external_id: str | None, text: str, *, post_external_id: str | None = None
    ) -> ReplyResult: ...

    def hide_comment(self, comment_external_id: str, *, hidden: bool = True) -> None: ...

    def delete_comment(self, comment_external_id: str, *, post_external_id: str | None = None) -> None: ...

    def publish(self, text: str, *, media_urls: Sequence[str] = (), link: str | None = None) -> PublishResult: ...

    def search_mentions(self, query: str, since: datetime) -> list[RemoteMention]: ...

    def fetch_campaigns(self) -> list[RemoteCampaign]: ...

    def fetch_ad_stats(self, since: date, until: date) -> list[AdStatDay]: ...

    def set_campaign_status(self, campaign_external_id: str, status: str) -> None: ...

    def set_campaign_budget(self, campaign_external_id: str, daily_budget: Decimal) -> None: ...

    def close(self) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


logger = logging.getLogger("integrations.connectors")

# What reading one odd item can raise: a missing key, a null where a number/dict was expected,
# an unparsable number or date, an out-of-range timestamp.
PARSE_ERRORS: tuple[type[BaseException], ...] = (
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    ArithmeticError,  # decimal.InvalidOperation, OverflowError
    OSError,  # datetime.fromtimestamp of an absurd value on some platforms
)
_ITEM_ID_KEYS = ("id", "message_id", "post_id", "campaign_id", "update_id")


def _item_id(item: Any) -> str | None:
    if isinstance(item, Mapping):
        for key in _ITEM_ID_KEYS:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)[:100]
    return None


def _reason(exc: BaseException) -> str:
    # Only the type and, for a missing key, the key: messages of ValueError & co. echo data.
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str | int):
        return f"missing {str(exc.args[0])[:60]!r}"
    return type(exc).__name__


class BaseConnector:
    """Shared constructor and NotSupported defaults; platform classes override what they can.

    Preconditions: ``access_token`` and ``external_id`` are the decrypted credential and the
    platform's id of the connected account/channel/ad account. The token is kept private and
    never appears in ``repr()`` or error messages.
    """

    platform: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[str]] = frozenset()
    default_base_url: ClassVar[str] = ""
    # Human sentences for NotSupported, keyed by Capability; platforms override per method.
    unsupported_messages: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        access_token: str,
        external_id: str,
        *,
        base_url: str | None = None,
        http_client: httpx.Client | None = None,
        rate_limiter: RateLimiter | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not access_token:
            raise ValueError("access_token is required")
        self._access_token = access_token
        self.external_id = str(external_id)
        self._clock = clock
        self.skipped: list[SkippedItem] = []
        self._http = HttpApi(
            platform=self.platform,
            base_url=base_url or self.default_base_url,
            rate_limit_key=self.external_id,
            http_client=http_client,
            rate_limiter=rate_limiter,
            secrets=(access_token,),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(external_id={self.external_id!r})"

    def __enter__(self) -> BaseConnector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def now(self) -> datetime:
        return self._clock()

    # -------------------------------------------------------------- defensive parsing

    def parse_each(self, kind: str, items: Any, parse: Callable[[Any], T]) -> list[T]:
        """``[parse(item) for item in items]`` where an item that cannot be read is skipped
        (recorded in ``self.skipped`` and logged) instead of failing the whole page."""
        result: list[T] = []
        if not isinstance(items, list | tuple):
            return result  # absent or null list: nothing to read
        for item in items:
            try:
                result.append(parse(item))
            except PARSE_ERRORS as exc:
                self.skip(kind, item, _reason(exc))
        return result

    def parse_one(self, what: str, parse: Callable[[], T]) -> T:
        """Read a single object (a profile, a created id): unreadable → MalformedResponse."""
        try:
            return parse()
        except PARSE_ERRORS as exc:
            raise MalformedResponse(self.platform, "malformed", f"unreadable {what} answer ({_reason(exc)})") from None

    def created_id(self, body: Any, what: str, keys: Sequence[str] = ("id",)) -> str:
        """The id of what the platform says it created (the first present of ``keys``);
        an answer without one is a MalformedResponse, never a KeyError."""
        if isinstance(body, Mapping):
            for key in keys:
                value = body.get(key)
                if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                    return str(value)
        raise MalformedResponse(self.platform, "malformed", f"no id in the {what} answer")

    def skip(self, kind: str, item: Any, reason: str) -> None:
        entry = SkippedItem(kind=kind, item_id=_item_id(item), reason=self._http.redact(reason)[:200])
        self.skipped.append(entry)
        logger.warning(
            "%s account %s: skipped %s %s (%s)",
            self.platform,
            self.external_id,
            kind,
            entry.item_id or "without id",
            entry.reason,
            extra={"platform": self.platform, "account_external_id": self.external_id, "item_id": entry.item_id},
        )

    def take_skipped(self) -> list[SkippedItem]:
        """The items skipped since the last call (the sync records them on its run)."""
        taken, self.skipped = self.skipped, []
        return taken

    def _unsupported(self, capability: str) -> NotSupported:
        label = platform_label(self.platform)
        message = self.unsupported_messages.get(capability) or f"{label} does not support {capability}"
        return NotSupported(self.platform, message)

    # Defaults: everything is unsupported until a platform implements it.
    def fetch_profile(self) -> AccountProfile:
        raise self._unsupported(Capability.PROFILE)

    def fetch_account_metrics(self, since: date, until: date) -> list[AccountDay]:
        raise self._unsupported(Capability.ACCOUNT_METRICS)

    def fetch_posts(self, since: datetime) -> list[RemotePost]:
        raise self._unsupported(Capability.POSTS)

    def fetch_post_metrics(self, posts: Sequence[str]) -> list[PostMetrics]:
        raise self._unsupported(Capability.POST_METRICS)

    def fetch_comments(self, since: datetime) -> list[RemoteComment]:
        raise self._unsupported(Capability.COMMENTS)

    def reply(self, comment_external_id: str | None, text: str, *, post_external_id: str | None = None) -> ReplyResult:
        raise self._unsupported(Capability.REPLY)

    def hide_comment(self, comment_external_id: str, *, hidden: bool = True) -> None:
        raise self._unsupported(Capability.HIDE_COMMENTS)

    def delete_comment(self, comment_external_id: str, *, post_external_id: str | None = None) -> None:
        raise self._unsupported(Capability.DELETE_COMMENTS)

    def publish(self, text: str, *, media_urls: Sequence[str] = (), link: str | None = None) -> PublishResult:
        raise self._unsupported(Capability.PUBLISH)

    def search_mentions(self, query: str, since: datetime) -> list[RemoteMention]:
        raise self._unsupported(Capability.MENTIONS)

    def fetch_campaigns(self) -> list[RemoteCampaign]:
        raise self._unsupported(Capability.CAMPAIGNS)

    def fetch_ad_stats(self, since: date, until: date) -> list[AdStatDay]:
        raise self._unsupported(Capability.AD_STATS)

    def set_campaign_status(self, campaign_external_id: str, status: str) -> None:
        raise self._unsupported(Capability.CAMPAIGN_CONTROL)

    def set_campaign_budget(self, campaign_external_id: str, daily_budget: Decimal) -> None:
        raise self._unsupported(Capability.CAMPAIGN_CONTROL)


# --------------------------------------------------------------------------- small parsers


def from_unix(ts: int | float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def parse_iso(value: str) -> datetime:
    """Meta's ``2026-06-13T15:04:11+0000`` (offset without colon) → aware datetime."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


def opt_int(value: Any) -> int | None:
    """Platform number (int or numeric string) → int; missing → None."""
    if value is None or value == "":
        return None
    return int(Decimal(str(value)))


def opt_decimal(value: Any) -> Decimal | None:
    """Platform amount (number or numeric string) → Decimal; missing → None (never 0)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise ValueError("not a finite amount")
    return amount


def day_range(since: date, until: date) -> list[date]:
    return [since + timedelta(days=i) for i in range((until - since).days + 1)]


def require_aware(value: datetime, name: str = "since") -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value
