"""What a sync step is, which steps exist and which ones a plan runs.

``integrations`` names no domain app (docs/ARCHITECTURE.md, Layers): each app that owns a kind of
fact registers the step that writes it from its ``AppConfig.ready()`` (analytics: posts and
account metrics, moderation: comments and mentions, ads: campaigns and ad stats; integrations
itself: the profile). Registration only fills the table; the order steps run in is fixed here
(``STEP_ORDER`` and the plans), so it does not depend on the order apps become ready.

A step is ``step(*, account, connector, window) -> StepResult`` and writes only through
``integrations.bulk.bulk_upsert`` — so a step that dies half way leaves complete rows for
what it wrote and the next run (or the Celery retry) completes the rest, never a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from integrations.connectors.base import Capability
from integrations.models import SyncKind

# The connector capability each kind of step needs; its key order is the order a full sync runs in.
CAPABILITY_OF: dict[str, str] = {
    SyncKind.PROFILE: Capability.PROFILE,
    SyncKind.POSTS: Capability.POSTS,
    SyncKind.ACCOUNT_METRICS: Capability.ACCOUNT_METRICS,
    SyncKind.COMMENTS: Capability.COMMENTS,
    SyncKind.MENTIONS: Capability.MENTIONS,
    SyncKind.CAMPAIGNS: Capability.CAMPAIGNS,
    SyncKind.AD_STATS: Capability.AD_STATS,
}
STEP_ORDER: tuple[str, ...] = tuple(CAPABILITY_OF)


@dataclass(frozen=True)
class Plan:
    kinds: tuple[str, ...]
    days: int  # trailing window for daily facts
    posts_days: int  # how far back to list posts (and refresh their metrics)


# Steps that read a [since, until] window of daily facts: the only ones an older chunk of a long
# backfill runs (posts and comments are listed "since" a moment up to now, and post metrics are a
# snapshot of today).
WINDOWED_KINDS: tuple[str, ...] = (SyncKind.ACCOUNT_METRICS, SyncKind.AD_STATS)

PLANS: dict[str, Plan] = {
    # Every ~15 minutes: what people react to quickly.
    "frequent": Plan((SyncKind.POSTS, SyncKind.COMMENTS, SyncKind.MENTIONS, SyncKind.CAMPAIGNS), days=1, posts_days=2),
    # Once a day: platforms revise daily numbers for up to 48 h, so re-read a trailing week.
    "daily": Plan(
        (SyncKind.PROFILE, SyncKind.ACCOUNT_METRICS, SyncKind.POSTS, SyncKind.CAMPAIGNS, SyncKind.AD_STATS),
        days=7,
        posts_days=30,
    ),
    # On connect, "Sync now" and backfills.
    "full": Plan(STEP_ORDER, days=30, posts_days=30),
}


@dataclass(frozen=True)
class SyncWindow:
    since: date
    until: date
    posts_since: datetime
    now: datetime

    @classmethod
    def trailing(cls, *, days: int, posts_days: int, now: datetime | None = None, end_days_ago: int = 0) -> SyncWindow:
        """``days`` of daily facts ending ``end_days_ago`` days before today (a chunk of a long
        backfill); posts are always listed from ``posts_days`` ago up to now."""
        now = now or timezone.now()
        until = now.date() - timedelta(days=end_days_ago)
        return cls(
            since=until - timedelta(days=days - 1), until=until, posts_since=now - timedelta(days=posts_days), now=now
        )


@dataclass(frozen=True)
class StepResult:
    fetched: int = 0
    written: int = 0
    skipped: int = 0  # items the connector could not read; the rest was stored
    details: dict[str, Any] = field(default_factory=dict)  # skipped/merged records (integrations.quality)


Step = Callable[..., StepResult]

_STEPS: dict[str, Step] = {}


def register_step(kind: str, step: Step) -> None:
    """Called from the owning app's ``AppConfig.ready()``. One owner per kind: registering a
    different function for a kind already taken is a configuration error, the same one again
    (``ready()`` run twice, e.g. by a test runner) is not."""
    if kind not in CAPABILITY_OF:
        raise ImproperlyConfigured(f"Unknown sync step kind {kind!r}.")
    if _STEPS.get(kind, step) is not step:
        raise ImproperlyConfigured(f"Sync step {kind!r} is already registered by {_STEPS[kind].__module__}.")
    _STEPS[kind] = step


def step_function(kind: str) -> Step:
    try:
        return _STEPS[kind]
    except KeyError:
        raise ImproperlyConfigured(
            f"No sync step is registered for {kind!r}: the app that owns it registers it in AppConfig.ready()."
        ) from None


def registered_steps() -> dict[str, Step]:
    """Kind → step, in ``STEP_ORDER`` (for checks and the architecture test)."""
    return {kind: _STEPS[kind] for kind in STEP_ORDER if kind in _STEPS}
