"""Small value parsers every connector shares (re-exported by ``base``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any


def normalized_text(text: str) -> str:
    """Text compared without regard to whitespace (platforms re-flow line breaks)."""
    return " ".join(text.split())


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
