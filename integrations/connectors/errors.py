"""The connector errors: what a connector raises and what the sync layer does about it.

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
changes between API versions and locales). Platform-independent statuses (429, 5xx, a 403
firewall page) are mapped in ``http.py``; each platform module maps its own codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from core.logging import redact_secrets

__all__ = [
    "AuthExpired",
    "ConnectorError",
    "InvalidRequest",
    "MalformedResponse",
    "NotSupported",
    "PermissionDenied",
    "RateLimited",
    "TemporarilyBlocked",
    "TransientError",
    "platform_label",
    "redact_text",
]


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
