"""The failures the simulated platform can be told to produce when publishing (the demo's failed
publication, tests of the publisher): the same error classes a real platform's answers map to."""

from __future__ import annotations

from integrations.connectors.errors import (
    AuthExpired,
    ConnectorError,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    TransientError,
)

PLATFORM = "demo"


def demo_publish_error(kind: str) -> ConnectorError:
    """``kind`` → the error a real platform's answer would map to."""
    if kind == "permission_denied":
        return PermissionDenied(
            PLATFORM, 15, "Access denied: no access to call this method", user_message="the account may not post here"
        )
    if kind == "auth_expired":
        return AuthExpired(PLATFORM, 5, "User authorization failed: access_token has expired")
    if kind == "invalid_content":
        return InvalidRequest(
            PLATFORM, 100, "One of the parameters specified was missing or invalid: message is too long"
        )
    if kind == "rate_limited":
        return RateLimited(PLATFORM, 9, "Flood control: too much of the same type of actions", retry_after=60.0)
    if kind == "timeout":
        return TransientError(PLATFORM, "network", "network error: ReadTimeout")
    if kind == "unavailable":
        return TransientError(PLATFORM, 503, "HTTP 503 from demo")
    raise ValueError(f"unknown demo publish failure {kind!r}")


__all__ = ["demo_publish_error"]
