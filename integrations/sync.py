"""Running a sync of one account: lock, connector, steps, SyncRun records, error policy.

``integrations`` imports no domain app (docs/ARCHITECTURE.md, layers): each domain app owns the sync of
its own facts (analytics: posts and metrics, moderation: comments and mentions, ads:
campaigns and stats). Their step functions are named here by dotted path and imported when a
sync runs, the way Django names apps in INSTALLED_APPS.

A step is ``step(*, account, connector, window) -> StepResult`` and writes only through
``integrations.bulk.bulk_upsert`` — so a step that dies half way leaves complete rows for
what it wrote and the next run (or the Celery retry) completes the rest, never a duplicate.

Error policy (by the connector error class, see connectors/base.py):

* RateLimited / TransientError → ``SyncRetry`` with the advised delay (the task retries
  the steps not yet done; long waits are deferred through ``next_sync_at`` instead).
* AuthExpired → account ``needs_reauth`` with the platform's plain-words message; stop.
* PermissionDenied → account ``error`` with the reason; other steps still run.
* NotSupported → the step is recorded as "not available" with the platform's explanation.
* InvalidRequest / anything else → the step fails (logged), other steps still run.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations import conf
from integrations.connectors import get_connector
from integrations.connectors.base import (
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    NotSupported,
    PermissionDenied,
    RateLimited,
    TransientError,
)
from integrations.models import AccountStatus, Platform, SocialAccount, SyncKind, SyncRun, SyncStatus
from integrations.quality import ErrorKind, error_kind
from integrations.ratelimit import get_rate_limiter, sync_lock
from tenancy import rls

logger = logging.getLogger(__name__)

# Retry in the task only for short waits; longer ones (e.g. VK's daily quota) move next_sync_at.
MAX_RETRY_COUNTDOWN = 300

STEPS: dict[str, str] = {
    SyncKind.PROFILE: "integrations.sync:profile_sync",
    SyncKind.POSTS: "analytics.services:posts_sync",
    SyncKind.ACCOUNT_METRICS: "analytics.services:account_metrics_sync",
    SyncKind.COMMENTS: "moderation.services:comments_sync",
    SyncKind.MENTIONS: "moderation.services:mentions_sync",
    SyncKind.CAMPAIGNS: "ads.services:campaigns_sync",
    SyncKind.AD_STATS: "ads.services:ad_stats_sync",
}
CAPABILITY_OF: dict[str, str] = {
    SyncKind.PROFILE: Capability.PROFILE,
    SyncKind.POSTS: Capability.POSTS,
    SyncKind.ACCOUNT_METRICS: Capability.ACCOUNT_METRICS,
    SyncKind.COMMENTS: Capability.COMMENTS,
    SyncKind.MENTIONS: Capability.MENTIONS,
    SyncKind.CAMPAIGNS: Capability.CAMPAIGNS,
    SyncKind.AD_STATS: Capability.AD_STATS,
}


@dataclass(frozen=True)
class Plan:
    kinds: tuple[str, ...]
    days: int  # trailing window for daily facts
    posts_days: int  # how far back to list posts (and refresh their metrics)


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
    "full": Plan(tuple(STEPS), days=30, posts_days=30),
}


@dataclass(frozen=True)
class SyncWindow:
    since: date
    until: date
    posts_since: datetime
    now: datetime

    @classmethod
    def trailing(cls, *, days: int, posts_days: int, now: datetime | None = None) -> SyncWindow:
        now = now or timezone.now()
        today = now.date()
        return cls(
            since=today - timedelta(days=days - 1), until=today, posts_since=now - timedelta(days=posts_days), now=now
        )


@dataclass(frozen=True)
class StepResult:
    fetched: int = 0
    written: int = 0
    skipped: int = 0  # items the connector could not read; the rest was stored
    details: dict[str, Any] = field(default_factory=dict)  # skipped/merged records (integrations.quality)


@dataclass
class SyncOutcome:
    account_id: int
    plan: str
    status: str = "done"  # done | locked | skipped | retry | stopped
    runs: list[int] = field(default_factory=list)
    retry_after: float | None = None
    remaining: tuple[str, ...] = ()
    message: str = ""


class SyncRetry(Exception):
    """Raised to the Celery task: retry ``remaining`` steps after ``retry_after`` seconds."""

    def __init__(self, retry_after: float, remaining: Sequence[str], message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.remaining = tuple(remaining)


def step_function(kind: str) -> Callable[..., StepResult]:
    module_name, _, attr = STEPS[kind].partition(":")
    return getattr(importlib.import_module(module_name), attr)


def connector_for(account: SocialAccount, **overrides: Any):
    """Build the account's connector with decrypted credentials and the shared rate limiter."""
    credentials = account.credentials
    kwargs: dict[str, Any] = {
        "access_token": credentials.get("access_token") or credentials.get("bot_token") or "",
        "external_id": account.external_id,
        "rate_limiter": get_rate_limiter(),
    }
    base_url = conf.connector_base_url(account.platform)
    if base_url:
        kwargs["base_url"] = base_url
    if account.platform in (Platform.FACEBOOK, Platform.INSTAGRAM, Platform.META_ADS) and conf.meta_app_secret():
        kwargs["app_secret"] = conf.meta_app_secret()
    kwargs.update((account.options or {}).get("connector", {}))
    kwargs.update(overrides)
    return get_connector(account.platform, **kwargs)


# --------------------------------------------------------------------------- account status


def account_mark_failed(*, account: SocialAccount, error: ConnectorError) -> None:
    """needs_reauth / error with the platform's plain-words message (never a token)."""
    status = error.account_status or AccountStatus.ERROR
    SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(
        status=status, last_error=error.user_message[:2000], last_error_at=timezone.now()
    )
    account.status, account.last_error = status, error.user_message


def _account_mark_synced(*, account: SocialAccount, plan: str, clear_error: bool) -> None:
    now = timezone.now()
    updates: dict[str, Any] = {"last_synced_at": now}
    if plan in ("frequent", "full"):
        updates["next_sync_at"] = now + timedelta(minutes=account.sync_interval_minutes)
    if clear_error and account.status == AccountStatus.ERROR:
        updates.update(status=AccountStatus.ACTIVE, last_error="", last_error_at=None)
    SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(**updates)


def _persist_connector_state(account: SocialAccount, connector: Any) -> None:
    """Connector cursors that must survive between runs (Telegram's getUpdates offset)."""
    offset = getattr(connector, "next_update_offset", None)
    if offset is None:
        return
    options = dict(account.options or {})
    connector_options = dict(options.get("connector", {}))
    if connector_options.get("update_offset") == offset:
        return
    connector_options["update_offset"] = offset
    discussion = getattr(connector, "discussion_chat_id", None)
    if discussion:
        connector_options["discussion_chat_id"] = discussion
    options["connector"] = connector_options
    SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(options=options)
    account.options = options


# --------------------------------------------------------------------------- the runner


def account_sync(
    *,
    account_id: int,
    plan: str = "frequent",
    kinds: Sequence[str] | None = None,
    days: int | None = None,
    task_id: str = "",
    connector: Any = None,
) -> SyncOutcome:
    """Sync one account. Preconditions: called by a task or command with an account id
    (tasks cross organizations by design: the id comes from the fan-out, not from a user).

    Runs in the account's organization scope (row-level security), session-level for the whole
    sync because its steps open transactions of their own (tenancy/rls.py).
    Raises ``SyncRetry`` when the platform asked us to slow down or failed transiently.
    """
    reason = "sync: the account id comes from our fan-out, a command or an org-scoped service"
    with rls.organization_session(rls.organization_id_of(SocialAccount, account_id, reason=reason)):
        return _account_sync(
            account_id=account_id, plan=plan, kinds=kinds, days=days, task_id=task_id, connector=connector
        )


def _account_sync(
    *, account_id: int, plan: str, kinds: Sequence[str] | None, days: int | None, task_id: str, connector: Any
) -> SyncOutcome:
    # Explicitly unscoped: the id comes from our own fan-out or an org-scoped service.
    account = SocialAccount.objects.unscoped().select_related("organization").filter(pk=account_id).first()
    outcome = SyncOutcome(account_id=account_id, plan=plan)
    if account is None or account.status in (AccountStatus.DISABLED, AccountStatus.NEEDS_REAUTH):
        outcome.status = "skipped"
        return outcome
    spec = PLANS[plan]
    todo = tuple(kinds) if kinds else spec.kinds
    window_days = days or spec.days
    lock_name = f"sync:{account.pk}:{plan}:{window_days}"
    with sync_lock(lock_name) as acquired:
        if not acquired:
            outcome.status = "locked"
            return outcome
        if connector is None:
            try:
                _refresh_token_if_needed(account)
            except AuthExpired as exc:
                account_mark_failed(account=account, error=exc)
                outcome.status, outcome.message = "stopped", exc.user_message
                return outcome
            connector = connector_for(account)
        # The connector's clock (real time, or a fixed one in tests and the demo) sets the window.
        now = connector.now() if hasattr(connector, "now") else timezone.now()
        window = SyncWindow.trailing(days=window_days, posts_days=max(window_days, spec.posts_days), now=now)
        try:
            _run_steps(account, connector, todo, window, plan, task_id, outcome)
        finally:
            try:
                _persist_connector_state(account, connector)
            finally:
                connector.close()
    return outcome


def _run_steps(account, connector, todo, window, plan, task_id, outcome) -> None:
    capabilities = getattr(connector, "capabilities", frozenset())
    any_success = False
    permission_problem = False
    for index, kind in enumerate(todo):
        if CAPABILITY_OF[kind] not in capabilities:
            continue  # the platform has no such data at all; shown on the health page
        run = SyncRun.objects.create(
            organization_id=account.organization_id,
            account=account,
            kind=kind,
            window_start=window.since,
            window_end=window.until,
            task_id=task_id[:64],
        )
        outcome.runs.append(run.pk)
        try:
            try:
                result = step_function(kind)(account=account, connector=connector, window=window)
            except ConnectorError as exc:
                # Defence in depth: connectors already scrub tokens a platform echoes back.
                exc.redact(_secrets_of(account))
                raise
        except (RateLimited, TransientError) as exc:
            _finish(run, SyncStatus.RETRYING, error=exc)
            delay = exc.retry_after if exc.retry_after is not None else 0.0
            if delay > MAX_RETRY_COUNTDOWN:
                # Defer the whole account instead of parking a task for hours.
                SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(
                    next_sync_at=timezone.now() + timedelta(seconds=delay)
                )
                outcome.status, outcome.message = "deferred", exc.user_message
                return
            raise SyncRetry(delay, todo[index:], exc.user_message) from exc
        except AuthExpired as exc:
            _finish(run, SyncStatus.FAILED, error=exc)
            account_mark_failed(account=account, error=exc)
            outcome.status, outcome.message = "stopped", exc.user_message
            return
        except PermissionDenied as exc:
            _finish(run, SyncStatus.FAILED, error=exc)
            account_mark_failed(account=account, error=exc)
            permission_problem = True
            continue
        except NotSupported as exc:
            _finish(run, SyncStatus.SKIPPED, error=exc)
            continue
        except ConnectorError as exc:
            logger.warning("sync step failed", extra={"account_id": account.pk, "kind": kind, "error": str(exc)})
            _finish(run, SyncStatus.FAILED, error=exc)
            continue
        except Exception:
            logger.exception("sync step crashed", extra={"account_id": account.pk, "kind": kind})
            _finish(run, SyncStatus.FAILED, message="Unexpected error while saving the data; we were notified.")
            continue
        _finish(run, SyncStatus.SUCCESS, result=result)
        any_success = True
    if any_success:
        _account_mark_synced(account=account, plan=plan, clear_error=not permission_problem)


def _secrets_of(account: SocialAccount) -> list[str]:
    try:
        return [v for v in account.credentials.values() if isinstance(v, str) and len(v) >= 8]
    except Exception:  # unreadable credentials must not hide the original error
        return []


def _finish(
    run: SyncRun,
    status: str,
    *,
    result: StepResult | None = None,
    error: ConnectorError | None = None,
    message: str = "",
) -> None:
    run.status = status
    run.finished_at = timezone.now()
    if result is not None:
        run.rows_fetched, run.rows_written = result.fetched, result.written
        run.rows_skipped, run.details = result.skipped, dict(result.details)
    if error is not None:
        sub = f"/{error.subcode}" if error.subcode is not None else ""
        run.error_code = f"{error.code}{sub}"[:40]
        run.error = error.user_message[:2000]
        run.error_kind = error_kind(error)
        if status == SyncStatus.RETRYING and error.retry_after is not None:
            run.resume_at = run.finished_at + timedelta(seconds=error.retry_after)
    elif message:
        run.error = message
        run.error_kind = ErrorKind.CRASH
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "rows_fetched",
            "rows_written",
            "rows_skipped",
            "details",
            "error_code",
            "error",
            "error_kind",
            "resume_at",
        ]
    )


# How long before expiry a token is renewed. VK ID access tokens live about an hour (refresh just
# before); Meta long-lived tokens live ~60 days and are re-exchanged a week ahead, so a few failed
# daily syncs still leave time before the account would need a manual reconnect.
REFRESH_AHEAD = {
    Platform.INSTAGRAM: timedelta(days=7),
    Platform.FACEBOOK: timedelta(days=7),
    Platform.META_ADS: timedelta(days=7),
}
DEFAULT_REFRESH_AHEAD = timedelta(minutes=5)


def token_refresh_due(account: SocialAccount, *, now: datetime) -> bool:
    if account.token_expires_at is None:
        return False
    return account.token_expires_at <= now + REFRESH_AHEAD.get(account.platform, DEFAULT_REFRESH_AHEAD)


def _refresh_token_if_needed(account: SocialAccount) -> None:
    from integrations.services import credentials_refresh

    if token_refresh_due(account, now=timezone.now()):
        credentials_refresh(account=account)


# --------------------------------------------------------------------------- the profile step


def profile_sync(*, account: SocialAccount, connector: Connector, window: SyncWindow) -> StepResult:
    """Display name, username, link and follower count as the platform shows them now."""
    profile = connector.fetch_profile()
    updates: dict[str, Any] = {}
    if profile.name and profile.name != account.display_name:
        updates["display_name"] = profile.name[:200]
    if (profile.username or "") != account.username:
        updates["username"] = (profile.username or "")[:200]
    if profile.url and profile.url != account.url:
        updates["url"] = profile.url[:500]
    if profile.followers is not None and profile.followers != account.followers:
        updates["followers"] = profile.followers
    if updates:
        with transaction.atomic():
            SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(**updates)
        for key, value in updates.items():
            setattr(account, key, value)
    return StepResult(fetched=1, written=1 if updates else 0)
