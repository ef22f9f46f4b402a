"""The publisher: claims due publications exactly once, publishes each through its account's
connector, records every attempt and never leaves one stuck silently (docs/publishing.md).

Life of a publication::

    scheduled ──claim (fan-out)──▶ publishing ──▶ published
        ▲                              │    └──▶ failed (permanent, unknown outcome, out of tries)
        └──── transient error (backoff) ┘
        └──── watchdog: claim lease over (worker died) ┘

* **Claim**: ``claim_due`` moves due rows ``scheduled → publishing`` with a fresh token in one
  conditional UPDATE per row (``WHERE status='scheduled'``) over rows locked with
  ``SKIP LOCKED``: two fan-outs never claim the same row. Only the task holding the token may
  finish the publication.
* **Attempt**: a ``PublishAttempt`` "started" is committed *before* the platform is called, so a
  worker that dies mid-call leaves the evidence. The next run of that publication first asks the
  platform whether the post is there (``find_published``); where the platform cannot tell, the
  publication fails as "needs action" instead of risking a second post.
* **Watchdog** (``content/watchdog.py``): a claim whose lease ran out (longer than the task's
  hard time limit) goes back to "scheduled" and is re-checked before any re-send; a publication
  more than ``OVERDUE_AFTER`` late is flagged with an error log line (the alert).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from core.events import Event, emit
from integrations.connectors.base import AuthExpired, Connector, NotSupported
from integrations.credentials import connector_for, refresh_token_if_needed
from integrations.models import AccountStatus
from strategy.launch_gate import LaunchBlocked, ensure_launch_allowed

from . import publish_errors, rules
from .models import ErrorKind, Post, Publication, PublishAttempt
from .publish_errors import Failure, classify

logger = logging.getLogger("content.publishing")

MAX_ATTEMPTS = 5
# Longer than the task's hard time limit (360 s): a live task never loses its claim.
CLAIM_LEASE = timedelta(minutes=10)
BACKOFF_BASE = 60.0
BACKOFF_CAP = 30 * 60.0
# find_published looks this far before the unknown attempt (platform clocks differ a little).
CHECK_MARGIN = timedelta(minutes=2)
CLAIM_BATCH = 500

ConnectorFactory = Callable[..., Connector]


def backoff(attempts: int, *, advised: float | None = None) -> timedelta:
    """Exponential with jitter (1, 2, 4 ... minutes, capped), never before the platform's advice."""
    exponential = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    seconds = random.uniform(exponential / 2, exponential)  # noqa: S311 - jitter, not crypto
    return timedelta(seconds=max(seconds, advised or 0.0))


# --------------------------------------------------------------------------- post status


def refresh_post_status(post_id: int) -> None:
    """The post's status from its live publications: any failed → failed, else any publishing →
    publishing, else any scheduled → scheduled, else all published → published. A post without
    live publications keeps the editor's status."""
    post = Post.objects.unscoped().select_for_update().get(pk=post_id)
    live = list(post.publications.exclude(status=Publication.Status.CANCELLED).values_list("status", flat=True))
    if not live:
        return
    for status in (Publication.Status.FAILED, Publication.Status.PUBLISHING, Publication.Status.SCHEDULED):
        if status in live:
            new = Post.Status(status)
            break
    else:
        new = Post.Status.PUBLISHED
    published_at = post.publications.filter(status=Publication.Status.PUBLISHED).aggregate(m=Min("published_at"))["m"]
    if (post.status, post.published_at) != (new, published_at):
        post.status, post.published_at = new, published_at
        post.save(update_fields=["status", "published_at", "updated_at"])


# --------------------------------------------------------------------------- claiming


def claim_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> list[tuple[int, str]]:
    """(id, claim token) of the due publications this call claimed; each row is claimed by one
    caller only. Crosses organizations on purpose (the caller holds an unscoped session)."""
    now = now or timezone.now()
    claimed: list[tuple[int, str]] = []
    posts: set[int] = set()
    with transaction.atomic():
        due = list(
            Publication.objects.unscoped()
            .filter(status=Publication.Status.SCHEDULED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "post_id")[:limit]
        )
        for pk, post_id in due:
            token = uuid.uuid4()
            updated = (
                Publication.objects.unscoped()
                .filter(pk=pk, status=Publication.Status.SCHEDULED)
                .update(status=Publication.Status.PUBLISHING, claim_token=token, claimed_until=now + CLAIM_LEASE)
            )
            if updated:
                claimed.append((pk, str(token)))
                posts.add(post_id)
        # In id order, so two fan-outs never wait on each other's posts in opposite orders.
        for post_id in sorted(posts):
            refresh_post_status(post_id)
    return claimed


def release_claim(publication_id: int, claim_token: str) -> None:
    """Back to "scheduled" (due now) when its task could not be queued."""
    with transaction.atomic():
        Publication.objects.unscoped().filter(
            pk=publication_id, status=Publication.Status.PUBLISHING, claim_token=claim_token
        ).update(status=Publication.Status.SCHEDULED, claim_token=None, claimed_until=None)


# --------------------------------------------------------------------------- one publication


def _locked(publication_id: int, claim_token: str) -> Publication | None:
    """The publication, row-locked, if this token still holds its claim."""
    pub = (
        Publication.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("post", "account", "organization", "post__created_by")
        .filter(pk=publication_id)
        .first()
    )
    if pub is None or pub.status != Publication.Status.PUBLISHING or str(pub.claim_token) != claim_token:
        return None
    return pub


def finish(pub: Publication, **fields: Any) -> None:
    """Save these fields of a locked publication and bring its post's status along."""
    for name, value in fields.items():
        setattr(pub, name, value)
    pub.save(update_fields=[*fields, "updated_at"])
    refresh_post_status(pub.post_id)


def _published(pub: Publication, external_id: str, url: str | None, now: datetime) -> None:
    finish(
        pub,
        status=Publication.Status.PUBLISHED,
        external_id=external_id[:100],
        external_url=(url or "")[:500],
        published_at=now,
        claim_token=None,
        claimed_until=None,
        error_kind="",
        error_code="",
        error_message="",
    )


def mark_failed(pub: Publication, *, kind: str, code: str, message: str) -> None:
    """Failed with the reason in plain words; the author is told (in-app and by email)."""
    finish(
        pub,
        status=Publication.Status.FAILED,
        error_kind=kind,
        error_code=code[:64],
        error_message=message,
        claim_token=None,
        claimed_until=None,
    )
    publish_errors.notify_failure(pub)
    emit(
        pub.organization_id,
        Event.PUBLICATION_FAILED,
        {
            "publication_id": pub.pk,
            "post_id": pub.post_id,
            "account_id": pub.account_id,
            "error_kind": kind,
            "error_code": code[:64],
            "message": message,
        },
    )


def _retry_later(pub: Publication, failure: Failure, now: datetime) -> None:
    finish(
        pub,
        status=Publication.Status.SCHEDULED,
        next_attempt_at=now + backoff(pub.attempts, advised=failure.retry_after),
        error_kind=failure.kind,
        error_code=failure.code[:64],
        error_message=failure.detail,
        claim_token=None,
        claimed_until=None,
    )


def _record(attempt: PublishAttempt, result: str, *, code: str = "", message: str = "", started: float) -> None:
    attempt.result = result
    attempt.error_code = code[:64]
    attempt.message = message
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.save(update_fields=["result", "error_code", "message", "duration_ms"])


def _unverified_attempt(pub: Publication) -> PublishAttempt | None:
    """The last attempt if its outcome is unknown and nobody has checked it since."""
    last = pub.attempts_made.order_by("-started_at", "-pk").first()
    if last is None or last.result not in (PublishAttempt.Result.STARTED, PublishAttempt.Result.UNKNOWN):
        return None
    if pub.verified_through is not None and last.started_at <= pub.verified_through:
        return None
    return last


def _text(pub: Publication) -> str:
    return rules.text_for(pub.post, rules.publication_platform(pub))


def publish_one(publication_id: int, claim_token: str, *, connector_factory: ConnectorFactory = connector_for) -> str:
    """Publish one claimed publication; returns what happened (for logs and tests). Safe to run
    again with the same token (a redelivered task): an unknown earlier outcome is checked first."""
    with transaction.atomic():
        pub = _locked(publication_id, claim_token)
        if pub is None:
            return "not_claimed"
        unverified = _unverified_attempt(pub)
        if unverified is None:
            try:
                ensure_publish_allowed(post=pub.post)
            except LaunchBlocked as exc:
                mark_failed(pub, kind=ErrorKind.PERMANENT, code="launch_blocked", message=_permanent(exc, pub))
                return "failed"
    try:
        connector = _connector(pub, connector_factory)
    except Exception as exc:  # classified: a refused token is permanent, the rest retried
        with transaction.atomic():
            row = _locked(publication_id, claim_token)
            if row is None:
                return "not_claimed"
            row.attempts += 1
            row.save(update_fields=["attempts", "updated_at"])
            return _after_failure(row, exc, classify(exc), timezone.now())
    try:
        if unverified is not None:
            outcome = _check_platform(pub, claim_token, unverified, connector)
            if outcome != "not_found":
                return outcome
        return _send(pub, claim_token, connector)
    finally:
        connector.close()


def _connector(pub: Publication, connector_factory: ConnectorFactory) -> Connector:
    """The account's connector, its token renewed when about to expire; an account that is not
    connected any more fails like an expired token (reconnect, then retry)."""
    account = pub.account
    if account.status in (AccountStatus.NEEDS_REAUTH, AccountStatus.DISABLED):
        raise AuthExpired(account.platform, "account_disconnected", f"account status {account.status}")
    refresh_token_if_needed(account)
    return connector_factory(account)


def ensure_publish_allowed(*, post: Post) -> None:
    """The gate again at publication time: the strategy may have been replaced since scheduling."""
    ensure_launch_allowed(
        organization=post.organization,
        goal=post.goal_id,
        pillar=post.pillar_id,
        require_goal=True,
        require_pillar=True,
    )


def _permanent(exc: BaseException, pub: Publication) -> str:
    return publish_errors.permanent_message(exc, pub)


def _check_platform(pub: Publication, claim_token: str, attempt: PublishAttempt, connector: Connector) -> str:
    """Was the post published by the attempt whose outcome we do not know?"""
    started, now = time.monotonic(), timezone.now()
    try:
        found = connector.find_published(
            _text(pub), attempt.started_at - CHECK_MARGIN, idempotency_key=pub.idempotency_key
        )
    except NotSupported:
        with transaction.atomic():
            row = _locked(pub.pk, claim_token)
            if row is None:
                return "not_claimed"
            PublishAttempt.objects.unscoped().filter(pk=attempt.pk, result=PublishAttempt.Result.STARTED).update(
                result=PublishAttempt.Result.UNKNOWN
            )
            message = publish_errors.unknown_outcome_message(row)
            mark_failed(row, kind=ErrorKind.NEEDS_ACTION, code="unknown_outcome", message=message)
        return "needs_check"
    except Exception as exc:
        failure = classify(exc)
        with transaction.atomic():
            row = _locked(pub.pk, claim_token)
            if row is None:
                return "not_claimed"
            check = PublishAttempt.objects.create(
                organization_id=row.organization_id,
                publication=row,
                started_at=now,
                result=PublishAttempt.Result.STARTED,
            )
            _record(
                check, failure.attempt_result, code=failure.code, message=f"check: {failure.detail}", started=started
            )
            row.attempts += 1
            row.save(update_fields=["attempts", "updated_at"])
            return _after_failure(row, exc, failure, now)
    with transaction.atomic():
        row = _locked(pub.pk, claim_token)
        if row is None:
            return "not_claimed"
        if found is None:
            PublishAttempt.objects.unscoped().filter(pk=attempt.pk, result=PublishAttempt.Result.STARTED).update(
                result=PublishAttempt.Result.UNKNOWN
            )
            row.verified_through = attempt.started_at
            row.save(update_fields=["verified_through", "updated_at"])
            return "not_found"
        PublishAttempt.objects.unscoped().filter(pk=attempt.pk).update(result=PublishAttempt.Result.UNKNOWN)
        check = PublishAttempt.objects.create(
            organization_id=row.organization_id, publication=row, started_at=now, result=PublishAttempt.Result.STARTED
        )
        _record(check, PublishAttempt.Result.FOUND, message="found on the platform", started=started)
        _published(row, found.external_id, found.permalink, now)
        logger.info("publication %s found already published", row.pk, extra={"publication_id": row.pk})
        return "found"


def _send(pub: Publication, claim_token: str, connector: Connector) -> str:
    now = timezone.now()
    with transaction.atomic():
        row = _locked(pub.pk, claim_token)
        if row is None:
            return "not_claimed"
        row.attempts += 1
        row.save(update_fields=["attempts", "updated_at"])
        # Committed before the call: a worker dying inside it leaves this "started" row behind.
        attempt = PublishAttempt.objects.create(
            organization_id=row.organization_id, publication=row, started_at=now, result=PublishAttempt.Result.STARTED
        )
    started = time.monotonic()
    try:
        result = connector.publish(
            _text(pub),
            media_urls=rules.media_urls(pub.post),
            link=pub.post.cta_short_url or pub.post.cta_url or None,
            idempotency_key=pub.idempotency_key,
        )
    except Exception as exc:
        failure = classify(exc)
        with transaction.atomic():
            _record(attempt, failure.attempt_result, code=failure.code, message=failure.detail, started=started)
            row = _locked(pub.pk, claim_token)
            if row is None:
                return "not_claimed"
            return _after_failure(row, exc, failure, timezone.now())
    with transaction.atomic():
        _record(attempt, PublishAttempt.Result.SUCCESS, started=started)
        row = _locked(pub.pk, claim_token)
        if row is None:
            # The watchdog took it back meanwhile: keep the truth, the post is out.
            row = Publication.objects.unscoped().select_for_update().get(pk=pub.pk)
        _published(row, result.external_id, result.permalink, timezone.now())
    return "published"


def _after_failure(row: Publication, exc: BaseException, failure: Failure, now: datetime) -> str:
    if failure.kind == ErrorKind.PERMANENT:
        mark_failed(row, kind=ErrorKind.PERMANENT, code=failure.code, message=_permanent(exc, row))
        return "failed"
    if row.attempts >= MAX_ATTEMPTS:
        mark_failed(
            row,
            kind=ErrorKind.TRANSIENT,
            code=failure.code,
            message=publish_errors.exhausted_message(row, failure.detail),
        )
        return "failed"
    _retry_later(row, failure, now)
    logger.info("publication %s: transient error %s, retrying", row.pk, failure.code, extra={"publication_id": row.pk})
    return "retry"
