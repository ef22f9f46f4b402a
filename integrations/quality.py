"""What a sync step could not store as-is: skipped items and repeated natural keys.

Steps report both on their ``StepResult`` (``skipped`` and ``details``) so the SyncRun keeps a
record and no value is lost silently. Also names the error categories the health page words
in the reader's language (``error_kind``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from integrations.bulk import UpsertResult
from integrations.connectors.base import (
    AuthExpired,
    Connector,
    ConnectorError,
    NotSupported,
    PermissionDenied,
    RateLimited,
    TemporarilyBlocked,
    TransientError,
)

# A platform repeating a whole page must not turn one run's details into megabytes.
MAX_RECORDED = 50


class ErrorKind:
    RATE_LIMITED = "rate_limited"
    BLOCKED = "blocked"
    TRANSIENT = "transient"
    AUTH = "auth"
    PERMISSION = "permission"
    NOT_SUPPORTED = "not_supported"
    INVALID = "invalid"
    CRASH = "crash"


def error_kind(error: ConnectorError) -> str:
    """The category of a connector error (order matters: subclasses first)."""
    for cls, kind in (
        (RateLimited, ErrorKind.RATE_LIMITED),
        (TemporarilyBlocked, ErrorKind.BLOCKED),
        (TransientError, ErrorKind.TRANSIENT),
        (AuthExpired, ErrorKind.AUTH),
        (PermissionDenied, ErrorKind.PERMISSION),
        (NotSupported, ErrorKind.NOT_SUPPORTED),
    ):
        if isinstance(error, cls):
            return kind
    return ErrorKind.INVALID


def step_quality(connector: Connector, upserts: Sequence[tuple[str, UpsertResult]] = ()) -> dict[str, Any]:
    """``skipped`` and ``details`` for a StepResult: the items the connector skipped since the
    last call, and every repeated key the upserts merged or rejected (``(table, result)``)."""
    take = getattr(connector, "take_skipped", None)
    skipped = list(take()) if callable(take) else []
    duplicates = [d.as_json(table) for table, result in upserts for d in result.duplicates]
    details: dict[str, Any] = {}
    if skipped:
        details["skipped"] = [asdict(item) for item in skipped[:MAX_RECORDED]]
        details["skipped_total"] = len(skipped)
    if duplicates:
        details["duplicates"] = duplicates[:MAX_RECORDED]
        details["duplicates_total"] = len(duplicates)
    return {"skipped": len(skipped), "details": details}
