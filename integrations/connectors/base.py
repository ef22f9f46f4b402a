"""The connector contract: what every platform connector returns and raises.

Connectors speak HTTP to one social/ads platform for ONE connected account and return plain
frozen dataclasses. They hold no Django state, never touch the database and never log tokens.
The sync layer (Celery tasks in the domain apps) decides what to store and how to retry, using
the error types (the table and policy are in ``errors.py``).

The contract is split by topic, each module importing only the ones before it:
``types.py`` (enums and return dataclasses) ← ``errors.py`` (error classes) ← ``http.py`` (the
shared HTTP client, status mapping, Retry-After, pagination) ← this module (the ``Connector``
protocol and ``BaseConnector``); the small value parsers are in ``values.py`` (imports none of
them). Every public name of the five is re-exported here, so ``from integrations.connectors.base
import X`` keeps working.

Items are parsed one by one: an item the connector cannot fully read (a VK comment deleted by
its author has no ``from_id``) is skipped, logged with the account and item id and recorded in
``connector.skipped`` (see ``BaseConnector.parse_each``); the rest of the page is returned. A
whole answer that cannot be read raises ``MalformedResponse`` (an InvalidRequest).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

import httpx

from integrations.connectors.errors import (
    AuthExpired,
    ConnectorError,
    InvalidRequest,
    MalformedResponse,
    NotSupported,
    PermissionDenied,
    RateLimited,
    TemporarilyBlocked,
    TransientError,
    platform_label,
    redact_text,
)
from integrations.connectors.http import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    HttpApi,
    NoopRateLimiter,
    RateLimiter,
    paginate,
    paginate_pages,
    parse_retry_after,
)
from integrations.connectors.types import (
    AccountDay,
    AccountProfile,
    AdStatDay,
    AdUnitStatDay,
    CampaignStatus,
    Capability,
    CommentKind,
    PostFormat,
    PostMetrics,
    PublishResult,
    RemoteAd,
    RemoteAdSet,
    RemoteCampaign,
    RemoteComment,
    RemoteMention,
    RemotePost,
    ReplyResult,
    SkippedItem,
)
from integrations.connectors.values import (
    day_range,
    from_unix,
    normalized_text,
    opt_decimal,
    opt_int,
    parse_iso,
    require_aware,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "PARSE_ERRORS",
    "USER_AGENT",
    "AccountDay",
    "AccountProfile",
    "AdStatDay",
    "AdUnitStatDay",
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
    "RemoteAd",
    "RemoteAdSet",
    "RemoteCampaign",
    "RemoteComment",
    "RemoteMention",
    "RemotePost",
    "ReplyResult",
    "SkippedItem",
    "TemporarilyBlocked",
    "TransientError",
    "day_range",
    "from_unix",
    "opt_decimal",
    "opt_int",
    "paginate",
    "paginate_pages",
    "parse_iso",
    "parse_retry_after",
    "platform_label",
    "redact_text",
    "require_aware",
]

T = TypeVar("T")


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

    def publish(
        self,
        text: str,
        *,
        media_urls: Sequence[str] = (),
        link: str | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult: ...

    def find_published(
        self, text: str, since: datetime, *, idempotency_key: str | None = None
    ) -> PublishResult | None: ...

    def search_mentions(self, query: str, since: datetime) -> list[RemoteMention]: ...

    def fetch_campaigns(self) -> list[RemoteCampaign]: ...

    def fetch_ad_stats(self, since: date, until: date) -> list[AdStatDay]: ...

    def fetch_ad_sets(self) -> list[RemoteAdSet]: ...

    def fetch_ads(self) -> list[RemoteAd]: ...

    def fetch_ad_unit_stats(self, since: date, until: date) -> list[AdUnitStatDay]: ...

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

    def publish(
        self,
        text: str,
        *,
        media_urls: Sequence[str] = (),
        link: str | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult:
        """Publish now. ``idempotency_key`` is sent where the platform accepts one (VK's
        ``guid``); elsewhere the publisher checks ``find_published`` before sending again."""
        raise self._unsupported(Capability.PUBLISH)

    def find_published(self, text: str, since: datetime, *, idempotency_key: str | None = None) -> PublishResult | None:
        """The account's own post with this text published since ``since``, or None. Used after
        a call whose outcome is unknown (timeout, worker died), so a retry never posts twice."""
        raise self._unsupported(Capability.FIND_PUBLISHED)

    def find_in_own_posts(self, text: str, since: datetime) -> PublishResult | None:
        """``find_published`` over ``fetch_posts``: a post whose text is ours (whitespace aside;
        a link the platform appended after it is allowed). A post without text cannot be told
        apart from any other, so its outcome cannot be checked."""
        wanted = normalized_text(text)
        if not wanted:
            raise NotSupported(self.platform, "a post without text cannot be found again on the platform")
        for post in self.fetch_posts(require_aware(since)):
            if normalized_text(post.text).startswith(wanted):
                return PublishResult(external_id=post.external_id, permalink=post.permalink)
        return None

    def search_mentions(self, query: str, since: datetime) -> list[RemoteMention]:
        raise self._unsupported(Capability.MENTIONS)

    def fetch_campaigns(self) -> list[RemoteCampaign]:
        raise self._unsupported(Capability.CAMPAIGNS)

    def fetch_ad_stats(self, since: date, until: date) -> list[AdStatDay]:
        raise self._unsupported(Capability.AD_STATS)

    def fetch_ad_sets(self) -> list[RemoteAdSet]:
        raise self._unsupported(Capability.AD_UNITS)

    def fetch_ads(self) -> list[RemoteAd]:
        raise self._unsupported(Capability.AD_UNITS)

    def fetch_ad_unit_stats(self, since: date, until: date) -> list[AdUnitStatDay]:
        raise self._unsupported(Capability.AD_UNITS)

    def set_campaign_status(self, campaign_external_id: str, status: str) -> None:
        raise self._unsupported(Capability.CAMPAIGN_CONTROL)

    def set_campaign_budget(self, campaign_external_id: str, daily_budget: Decimal) -> None:
        raise self._unsupported(Capability.CAMPAIGN_CONTROL)
