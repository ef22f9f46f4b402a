"""Signing per the Standard Webhooks convention (https://www.standardwebhooks.com/).

Every request carries `webhook-id` (the message id: the same on every retry and re-send, so the
receiver can de-duplicate), `webhook-timestamp` (Unix seconds of this attempt; receivers refuse old
ones against replay) and `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256>` over
`{id}.{timestamp}.{body}` with the key that is the base64 part of the `whsec_…` secret. During a
rotation both the new and the previous secret sign, so a receiver that knows either accepts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format prefix, not a secret
KEY_BYTES = 24


def new_secret() -> str:
    """A fresh secret, `whsec_` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def key_of(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """`v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secrets_: Iterable[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers of one request, signed with every given secret (current first)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_),
    }
