"""Running a sync of one account: lock, connector, steps, SyncRun records, error policy.

The steps and plans are in ``integrations/steps.py`` (each domain app registers the step that
writes its facts); token refresh is in ``integrations/credentials.py``. The names callers used
from here are re-exported.

Error policy (by the connector error class, see connectors/base.py):

* RateLimited / TransientError → ``SyncRetry`` with the advised delay (the task retries
  the steps not yet done; long waits are deferred through ``next_sync_at`` instead).
* AuthExpired → account ``needs_reauth`` with the platform's plain-words message; stop.
* PermissionDenied → account ``error`` with the reason; other steps still run.
* NotSupported → the step is recorded as "not available" with the platform's explanation.
* InvalidRequest / anything else → the step fails (logged), other steps still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import redis.exceptions
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.events import Event, emit
from integrations.account_state import account_mark_failed, persist_connector_state
from integrations.connectors.base import (
    AuthExpired,
    Connector,
    ConnectorError,
    NotSupported,
    PermissionDenied,
    RateLimited,
    TransientError,
)
from integrations.credentials import connector_for, refresh_token_if_needed, token_refresh_due
from integrations.models import AccountStatus, SocialAccount, SyncRun, SyncStatus
from integrations.quality import ErrorKind, error_kind
from integrations.ratelimit import SyncLock, sync_lock
from integrations.steps import (
    CAPABILITY_OF,
    PLANS,
    WINDOWED_KINDS,
    Plan,
    StepResult,
    SyncWindow,
    register_step,
    step_function,
)
from tenancy import rls

# Re-exported: callers and tests import these from here.
__all__ = [
    "CAPABILITY_OF",
    "PLANS",
    "WINDOWED_KINDS",
    "Plan",
    "StepResult",
    "SyncOutcome",
    "SyncRetry",
    "SyncWindow",
    "account_mark_failed",
    "account_sync",
    "connector_for",
    "register_step",
    "save_surviving_reconnect",
    "step_function",
    "token_refresh_due",
]

logger = logging.getLogger(__name__)

# Retry in the task only for short waits; longer ones (e.g. VK's daily quota) move next_sync_at.
# A waiting retry sits unacknowledged in the worker, so countdown + the hard time limit (360 s)
# must stay under the broker's visibility_timeout (600 s, see smm_platform/celery.py).
MAX_RETRY_COUNTDOWN = 180
# How long a "running" step may stay running before the reaper calls it interrupted: longer than
# the task's hard time limit (360 s), so only a step whose worker died is reaped.
STALE_RUN_AFTER = timedelta(minutes=10)


def _infrastructure_errors() -> tuple[type[BaseException], ...]:
    """Our own database or Redis went away: transient, retried with backoff (not the step's fault)."""
    return (OperationalError, InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


# Stored untranslated (shown through gettext on the page, like the platform messages).
INTERRUPTED_MESSAGE = gettext_noop("The sync was interrupted (a worker stopped); it runs again automatically.")
TOO_LONG_MESSAGE = gettext_noop("This step took too long and was stopped; it runs again at the next sync.")
INFRASTRUCTURE_MESSAGE = gettext_noop("Our database or queue was briefly unavailable; this step is retried.")


@dataclass
class SyncOutcome:
    account_id: int
    plan: str
    status: str = "done"  # done | failed | locked | skipped | deferred | stopped
    runs: list[int] = field(default_factory=list)
    retry_after: float | None = None
    remaining: tuple[str, ...] = ()
    message: str = ""


class SyncRetry(Exception):
    """Raised to the Celery task: retry ``remaining`` steps after ``retry_after`` seconds."""

    def __init__(
        self, retry_after: float, remaining: Sequence[str], message: str, *, infrastructure: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.remaining = tuple(remaining)
        # Our own database/Redis was away: retried sooner than a platform (failovers take seconds).
        self.infrastructure = infrastructure


# --------------------------------------------------------------------------- account status


def _account_mark_synced(*, account: SocialAccount, plan: str) -> None:
    """Only after a sync whose every step worked (``last_synced_at`` means "data complete")."""
    now = timezone.now()
    updates: dict[str, Any] = {"last_synced_at": now}
    if plan in ("frequent", "full"):
        updates["next_sync_at"] = now + timedelta(minutes=account.sync_interval_minutes)
    if account.status == AccountStatus.ERROR:
        updates.update(status=AccountStatus.ACTIVE, last_error="", last_error_at=None)
    SocialAccount.objects.for_organization(account.organization_id).filter(pk=account.pk).update(**updates)


# --------------------------------------------------------------------------- the runner


def account_lock_name(account_id: int) -> str:
    """One lock per account: any two syncs of an account (periodic, daily, "Sync now") would
    spend the same API quota, so they run one after the other, never together."""
    return f"sync:{account_id}"


def account_sync(
    *,
    account_id: int,
    plan: str = "frequent",
    kinds: Sequence[str] | None = None,
    days: int | None = None,
    task_id: str = "",
    connector: Connector | None = None,
    window_days: int | None = None,
    window_end_days_ago: int = 0,
) -> SyncOutcome:
    """Sync one account. Preconditions: called by a task or command with an account id
    (tasks cross organizations by design: the id comes from the fan-out, not from a user).

    Runs in the account's organization scope (row-level security), session-level for the whole
    sync because its steps open transactions of their own (tenancy/rls.py).
    ``task_id`` owns the account's lock, so a redelivery of the same task (its worker died)
    takes the lock over and first closes the steps its predecessor left "running".
    ``window_days``/``window_end_days_ago`` select one chunk of a long backfill of ``days``.
    Raises ``SyncRetry`` when the platform asked us to slow down, failed transiently, or our
    database/Redis went away during a step.
    """
    reason = "sync: the account id comes from our fan-out, a command or an org-scoped service"
    with rls.organization_session(rls.organization_id_of(SocialAccount, account_id, reason=reason)):
        return _account_sync(
            account_id=account_id,
            plan=plan,
            kinds=kinds,
            days=days,
            task_id=task_id,
            connector=connector,
            window_days=window_days,
            window_end_days_ago=window_end_days_ago,
        )


def _account_sync(
    *,
    account_id: int,
    plan: str,
    kinds: Sequence[str] | None,
    days: int | None,
    task_id: str,
    connector: Connector | None,
    window_days: int | None,
    window_end_days_ago: int,
) -> SyncOutcome:
    # Explicitly unscoped: the id comes from our own fan-out or an org-scoped service.
    account = SocialAccount.objects.unscoped().select_related("organization").filter(pk=account_id).first()
    outcome = SyncOutcome(account_id=account_id, plan=plan)
    if account is None or account.status in (AccountStatus.DISABLED, AccountStatus.NEEDS_REAUTH):
        outcome.status = "skipped"
        return outcome
    spec = PLANS[plan]
    todo = tuple(kinds) if kinds else spec.kinds
    total_days = days or spec.days
    with sync_lock(account_lock_name(account.pk), owner=task_id or None) as lock:
        if lock is None:
            outcome.status = "locked"
            return outcome
        if task_id:
            _close_interrupted_runs(account=account, task_id=task_id)
        if connector is None:
            try:
                refresh_token_if_needed(account)
            except AuthExpired as exc:
                account_mark_failed(account=account, error=exc)
                outcome.status, outcome.message = "stopped", exc.user_message
                return outcome
            connector = connector_for(account)
        # The connector's clock (real time, or a fixed one in tests and the demo) sets the window.
        now = connector.now() if hasattr(connector, "now") else timezone.now()
        window = SyncWindow.trailing(
            days=window_days or total_days,
            posts_days=max(total_days, spec.posts_days),
            now=now,
            end_days_ago=window_end_days_ago,
        )
        try:
            _run_steps(account, connector, todo, window, plan, task_id, outcome, lock)
        finally:
            try:
                persist_connector_state(account, connector)
            finally:
                connector.close()
    return outcome


def _close_interrupted_runs(*, account: SocialAccount, task_id: str) -> int:
    """Steps this task left "running" in an earlier delivery (its worker was killed)."""
    return (
        SyncRun.objects.for_organization(account.organization_id)
        .filter(account=account, task_id=task_id[:64], status=SyncStatus.RUNNING)
        .update(status=SyncStatus.FAILED, finished_at=timezone.now(), error=INTERRUPTED_MESSAGE)
    )


def _run_steps(
    account: SocialAccount,
    connector: Connector,
    todo: tuple[str, ...],
    window: SyncWindow,
    plan: str,
    task_id: str,
    outcome: SyncOutcome,
    lock: SyncLock | None = None,
) -> None:
    capabilities: frozenset[str] = getattr(connector, "capabilities", frozenset())
    any_success = False
    any_failure = False
    infrastructure = _infrastructure_errors()
    for index, kind in enumerate(todo):
        if CAPABILITY_OF[kind] not in capabilities:
            continue  # the platform has no such data at all; shown on the health page
        if lock is not None and not lock.renew():
            # Our lock expired and another sync of this account holds it now: it does the work.
            raise SyncRetry(60, todo[index:], "another sync of this account is running")
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
            any_failure = True
            continue
        except NotSupported as exc:
            _finish(run, SyncStatus.SKIPPED, error=exc)
            continue
        except ConnectorError as exc:
            logger.warning("sync step failed", extra={"account_id": account.pk, "kind": kind, "error": str(exc)})
            _finish(run, SyncStatus.FAILED, error=exc)
            any_failure = True
            continue
        except SoftTimeLimitExceeded:
            # The task is about to be killed: close the step honestly and end the task; the
            # steps not done run at the next cycle (never marked synced).
            _finish(run, SyncStatus.FAILED, message=TOO_LONG_MESSAGE)
            raise
        except infrastructure as exc:
            # Our PostgreSQL or Redis went away mid-step: nothing is wrong with the data, so the
            # step (and the ones after it) is retried with backoff; the account is not "synced".
            logger.warning(
                "sync step lost its database or Redis", extra={"account_id": account.pk, "kind": kind}, exc_info=True
            )
            _finish(run, SyncStatus.RETRYING, message=INFRASTRUCTURE_MESSAGE)
            raise SyncRetry(0, todo[index:], INFRASTRUCTURE_MESSAGE, infrastructure=True) from exc
        except Exception:
            logger.exception("sync step crashed", extra={"account_id": account.pk, "kind": kind})
            _finish(run, SyncStatus.FAILED, message="Unexpected error while saving the data; we were notified.")
            any_failure = True
            continue
        _finish(run, SyncStatus.SUCCESS, result=result)
        any_success = True
    if any_failure:
        # Only a sync whose every step worked counts as synced: a failed step's data is still
        # missing, and the account must not look up to date (or be cleared of its error).
        outcome.status = "failed"
    elif any_success:
        save_surviving_reconnect(lambda: _account_mark_synced(account=account, plan=plan))


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
    fields = ["status", "finished_at", "rows_fetched", "rows_written", "rows_skipped", "details"]
    save_surviving_reconnect(
        lambda: run.save(update_fields=[*fields, "error_code", "error", "error_kind", "resume_at"])
    )
    if status == SyncStatus.FAILED:
        emit(
            run.organization_id,
            Event.SYNC_FAILED,
            {
                "sync_run_id": run.pk,
                "account_id": run.account_id,
                "kind": run.kind,
                "error_kind": run.error_kind,
                "error_code": run.error_code,
                "message": run.error,
            },
        )


T = TypeVar("T")


def save_surviving_reconnect(write: Callable[[], T]) -> T:
    """Run a status write; when the database connection died under it (a failover, a killed
    backend), reconnect once and write again, so a step is never left "running" because of it.
    Inside an outer transaction there is nothing to reconnect to: the error propagates."""
    try:
        return write()
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        logger.warning("status write lost its database connection; reconnecting once", exc_info=True)
        connection.close()
        return write()
