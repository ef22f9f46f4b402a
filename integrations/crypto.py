"""Encryption at rest for platform credentials.

``settings.FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys: the first encrypts, all decrypt
(``MultiFernet``), so a key is rotated by putting the new key first, running
``manage.py rotate_encryption_key`` and then removing the old key.

Development only: with ``DEBUG`` on and no key configured, a key is derived from
``SECRET_KEY`` so ``make run`` works out of the box. "DEBUG on" is read from the process
environment (``DEBUG``, default true, exactly as settings.py reads it) rather than from
``settings.DEBUG``, because the test runner forces ``settings.DEBUG = False``. In production
(``DEBUG=false``) encrypting or decrypting without a key raises, and the system check
``integrations.E001`` refuses to start.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialsUnreadable(Exception):
    """The stored ciphertext cannot be decrypted with any configured key."""


def development_key(secret_key: str) -> bytes:
    digest = hashlib.sha256(b"smm-platform-dev-field-key:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def configured_keys() -> list[str]:
    return [k.strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [] if k and k.strip()]


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...], secret_key: str, debug: bool) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    if not debug:
        raise RuntimeError("FIELD_ENCRYPTION_KEYS is not set (required when DEBUG is off)")
    return MultiFernet([Fernet(development_key(secret_key))])


def debug_environment() -> bool:
    return os.environ.get("DEBUG", "true").strip().lower() in {"1", "true", "yes", "on", "y"}


def get_fernet() -> MultiFernet:
    return _multifernet(tuple(configured_keys()), settings.SECRET_KEY, debug_environment())


def encrypt_json(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return get_fernet().encrypt(raw).decode("ascii")


def decrypt_json(token: str) -> dict[str, Any]:
    try:
        raw = get_fernet().decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise CredentialsUnreadable("stored credentials cannot be decrypted with the configured keys") from exc
    return json.loads(raw)


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the first key (decrypting with any configured key)."""
    try:
        return get_fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise CredentialsUnreadable("stored credentials cannot be decrypted with the configured keys") from exc
