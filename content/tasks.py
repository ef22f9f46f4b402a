"""Thin Celery wrappers of the publisher (``content/publishing.py``; docs/publishing.md).

* ``content.tasks.fan_out_due_publications`` (beat, every minute): claims the due publications
  and enqueues one ``publish_publication`` each — no long ETAs sitting in Redis.
* ``content.tasks.publish_publication`` (the ``publish`` queue): one claimed publication.
* ``content.tasks.watch_publications`` (beat, every minute): stuck claims and late publications.
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from celery import shared_task

from tenancy import rls

from . import publishing, watchdog

logger = logging.getLogger("content.publishing")

QUEUE_ERRORS = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)


@shared_task(name="content.tasks.fan_out_due_publications", ignore_result=True)
# Session-level: the claims are committed before the enqueue, and a failed enqueue is released.
@rls.unscoped_session("publisher fan-out: due publications of every organization")
def fan_out_due_publications() -> int:
    claimed = publishing.claim_due()
    for publication_id, token in claimed:
        enqueue_publication(publication_id, token)
    return len(claimed)


def enqueue_publication(publication_id: int, claim_token: str, **options: object) -> bool:
    """Queue one claimed publication; when the broker is down the claim is released, so the
    next fan-out takes it again instead of the watchdog finding it stuck."""
    try:
        publish_publication.apply_async(
            kwargs={"publication_id": publication_id, "claim_token": claim_token}, **options
        )
    except QUEUE_ERRORS:
        logger.warning("publish queue unavailable; publication %s stays due", publication_id, exc_info=True)
        publishing.release_claim(publication_id, claim_token)
        return False
    return True


# ignore_result: the Publication and PublishAttempt rows are the record. acks_late (the app's
# default) + reject_on_worker_lost: a task whose worker dies is delivered again; the claim token
# and the "started" attempt make that second run check the platform before sending.
@shared_task(name="content.tasks.publish_publication", ignore_result=True)
@rls.unscoped_session("publisher: its own publication by id")
def publish_publication(publication_id: int, claim_token: str) -> str:
    return publishing.publish_one(publication_id, claim_token)


@shared_task(name="content.tasks.watch_publications", ignore_result=True)
@rls.unscoped_session("publishing watchdog: stuck and late publications of every organization")
def watch_publications() -> dict[str, int]:
    return watchdog.watch()
