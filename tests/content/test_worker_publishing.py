"""A real Celery worker publishes (the production path: Redis, PostgreSQL as the app role), and a
worker killed in the middle of a publication leaves it published exactly once or flagged for a
check — never silently stuck, never posted twice."""

import datetime as dt
import json
import os
import signal

import pytest
from django.utils import timezone

from content import publishing, services, watchdog
from content.models import ErrorKind, Post, Publication, PublishAttempt
from content.tasks import enqueue_publication
from integrations.models import Platform
from tenancy.roles import Role
from tests.conftest import access_of
from tests.integrations.factories import SocialAccountFactory
from tests.worker import require_worker, wait_until, worker_process

from .publishing_support import due_post

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SLOW_PUBLISH = {"SMM_FAULT_PUBLISH_DELAY": "30"}


@pytest.fixture
def demo_publication(org):
    require_worker()
    demo = SocialAccountFactory(organization=org, platform=Platform.DEMO)
    post = due_post(org, accounts=[demo])
    return post.publications.get()


def settled(pk: int) -> Publication | None:
    pub = Publication.objects.get(pk=pk)
    return pub if pub.status in (Publication.Status.PUBLISHED, Publication.Status.FAILED) else None


def started_attempt(pk: int) -> bool:
    return PublishAttempt.objects.filter(publication_id=pk, result=PublishAttempt.Result.STARTED).exists()


def test_real_worker_publishes_once_and_a_duplicate_message_does_nothing(demo_publication):
    [(pk, token)] = publishing.claim_due()
    with worker_process() as worker:
        enqueue_publication(pk, token, queue=worker.queue)
        enqueue_publication(pk, token, queue=worker.queue)  # a duplicate delivery
        pub = wait_until(lambda: settled(pk), timeout=60, what="the publication")
        wait_until(lambda: "not_claimed" in worker.output() or worker.output().count("succeeded") >= 2, timeout=30)
    assert pub.status == Publication.Status.PUBLISHED
    assert pub.external_id.startswith("pub-")
    assert list(pub.attempts_made.values_list("result", flat=True)) == [PublishAttempt.Result.SUCCESS]
    assert Post.objects.get(pk=pub.post_id).status == Post.Status.PUBLISHED


def test_pool_child_killed_mid_publish_the_redelivered_task_does_not_post_blindly(demo_publication):
    """The task is redelivered at once (acks late, reject on worker lost); it finds the "started"
    attempt, cannot ask the simulated platform, and flags the publication instead of re-sending."""
    [(pk, token)] = publishing.claim_due()
    with worker_process(app="tests.faultapp", pool="prefork", concurrency=1, env=SLOW_PUBLISH) as worker:
        enqueue_publication(pk, token, queue=worker.queue)
        wait_until(lambda: started_attempt(pk), timeout=60, what="the publish call in flight")
        [child] = worker.pool_children()
        os.kill(child, signal.SIGKILL)
        pub = wait_until(lambda: settled(pk), timeout=90, what="the redelivered task")
    assert (pub.status, pub.error_kind, pub.error_code) == (
        Publication.Status.FAILED,
        ErrorKind.NEEDS_ACTION,
        "unknown_outcome",
    )
    assert list(pub.attempts_made.values_list("result", flat=True)) == [PublishAttempt.Result.UNKNOWN]
    assert pub.error_message
    assert pub.notifications.exists()


def test_worker_killed_after_the_platform_posted_is_found_there_and_published_exactly_once(demo_publication, tmp_path):
    """On a platform that can be asked (VK, Facebook, Instagram): the post landed, then the pool
    child was killed before the answer. The redelivered task checks the platform first, finds the
    post by its idempotency key, and records it published — the platform holds exactly one post."""
    ledger = tmp_path / "wall.jsonl"
    env = {"SMM_FAULT_PUBLISH_DELAY": "30", "SMM_FAULT_PUBLISH_LEDGER": str(ledger)}
    [(pk, token)] = publishing.claim_due()
    with worker_process(app="tests.faultapp", pool="prefork", concurrency=1, env=env) as worker:
        enqueue_publication(pk, token, queue=worker.queue)
        wait_until(lambda: ledger.exists() and ledger.read_text().strip(), timeout=60, what="the post on the platform")
        [child] = worker.pool_children()
        os.kill(child, signal.SIGKILL)
        pub = wait_until(lambda: settled(pk), timeout=90, what="the redelivered task")
    assert pub.status == Publication.Status.PUBLISHED
    wall = ledger.read_text().strip().splitlines()
    assert len(wall) == 1  # sent once, never again
    assert pub.external_id == json.loads(wall[0])["id"]
    assert list(pub.attempts_made.values_list("result", flat=True)) == [
        PublishAttempt.Result.UNKNOWN,
        PublishAttempt.Result.FOUND,
    ]
    assert Post.objects.get(pk=pub.post_id).status == Post.Status.PUBLISHED
    assert not pub.notifications.exists()


def test_whole_worker_killed_mid_publish_the_watchdog_takes_it_back(demo_publication):
    """The message waits for the broker's visibility timeout; the watchdog does not: once the claim
    lease is over the publication is queued again, checked, and flagged — nothing stays stuck."""
    [(pk, token)] = publishing.claim_due()
    with worker_process(app="tests.faultapp", env=SLOW_PUBLISH) as worker:
        enqueue_publication(pk, token, queue=worker.queue)
        wait_until(lambda: started_attempt(pk), timeout=60, what="the publish call in flight")
        worker.kill_all()
    assert Publication.objects.get(pk=pk).status == Publication.Status.PUBLISHING
    # The lease runs out (10 minutes in production).
    Publication.objects.filter(pk=pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert watchdog.watch()["requeued"] == 1
    [(pk2, token2)] = publishing.claim_due()
    assert (pk2, token2 != token) == (pk, True)
    with worker_process() as worker:
        enqueue_publication(pk, token2, queue=worker.queue)
        pub = wait_until(lambda: settled(pk), timeout=60, what="the publication after the watchdog")
    assert (pub.status, pub.error_kind) == (Publication.Status.FAILED, ErrorKind.NEEDS_ACTION)
    assert PublishAttempt.objects.filter(publication_id=pk, result=PublishAttempt.Result.SUCCESS).count() == 0
    # The author checked the platform: the post is not there. A retry publishes it, once.
    services.publication_retry(access=access_of(pub.organization, pub.post.created_by, Role.MARKETER), publication=pk)
    [(pk3, token3)] = publishing.claim_due()
    with worker_process() as worker:
        enqueue_publication(pk3, token3, queue=worker.queue)
        pub = wait_until(lambda: settled(pk), timeout=60, what="the retried publication")
    assert pub.status == Publication.Status.PUBLISHED
    assert PublishAttempt.objects.filter(publication_id=pk, result=PublishAttempt.Result.SUCCESS).count() == 1
