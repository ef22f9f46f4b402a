"""A real Celery worker sends inbox replies (Redis, PostgreSQL as the app role): a reply goes out
exactly once under a duplicate delivery, and a worker killed in the middle of the platform call
never makes it go out twice — the redelivered task skips it, the watchdog flags it for a person,
and the person's retry sends it once."""

import datetime as dt
import os
import signal

import pytest

from integrations.models import Platform
from moderation import replies
from moderation.models import InboxReply, ReplyStatus
from moderation.tasks import send_reply
from tenancy.roles import Role
from tests.conftest import access_of
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory
from tests.worker import require_worker, wait_until, worker_process

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued_reply(org, owner):
    require_worker()
    account = SocialAccountFactory(organization=org, platform=Platform.DEMO)
    item = InboxItemFactory(organization=org, account=account, external_id="c-1", post_external_id="p-1")
    return InboxReply.objects.create(
        organization=org, item=item, author=owner, text="Ольга, простите!", idempotency_key="k-1"
    )


def status(pk: int) -> str:
    return InboxReply.objects.get(pk=pk).status


def log_lines(path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_duplicate_delivery_sends_once(queued_reply, tmp_path):
    log = tmp_path / "replies.log"
    with worker_process(app="tests.faultapp", env={"SMM_FAULT_REPLY_LOG": str(log)}) as worker:
        for _ in range(2):
            send_reply.apply_async((queued_reply.organization_id, queued_reply.pk), queue=worker.queue)
        wait_until(lambda: status(queued_reply.pk) == ReplyStatus.SENT, timeout=60, what="the reply")
        wait_until(lambda: worker.output().count("succeeded") >= 2, timeout=30, what="both deliveries")
    reply = InboxReply.objects.get(pk=queued_reply.pk)
    assert reply.external_id.startswith("reply-")
    assert reply.attempts == 1
    assert log_lines(log) == ["start", "c-1", "sent", "c-1"]


def test_worker_killed_mid_send_the_reply_still_goes_out_exactly_once(queued_reply, org, owner, tmp_path, monkeypatch):
    log = tmp_path / "replies.log"
    slow = {"SMM_FAULT_REPLY_DELAY": "30", "SMM_FAULT_REPLY_LOG": str(log)}
    with worker_process(app="tests.faultapp", pool="prefork", concurrency=1, env=slow) as worker:
        send_reply.apply_async((queued_reply.organization_id, queued_reply.pk), queue=worker.queue)
        wait_until(lambda: "start" in log_lines(log), timeout=60, what="the reply call in flight")
        assert status(queued_reply.pk) == ReplyStatus.SENDING
        [child] = worker.pool_children()
        os.kill(child, signal.SIGKILL)
        # The task is redelivered (acks late, reject on worker lost): it finds "sending" and skips.
        wait_until(lambda: "skipped" in worker.output(), timeout=90, what="the redelivered task")
    assert status(queued_reply.pk) == ReplyStatus.SENDING
    assert log_lines(log) == ["start", "c-1"]  # the platform call never finished

    # The watchdog: "sending" for too long → failed, for a person to check (never re-sent blindly).
    assert replies.release_stuck(older_than=dt.timedelta(0)) == 1
    reply = InboxReply.objects.get(pk=queued_reply.pk)
    assert (reply.status, bool(reply.error)) == (ReplyStatus.FAILED, True)

    # The person checked the platform and retries; its own enqueue is replaced by ours (our queue).
    monkeypatch.setattr(send_reply, "delay", lambda *args: None)
    replies.reply_retry(access=access_of(org, owner, Role.OWNER), reply=queued_reply.pk)
    with worker_process(app="tests.faultapp", env={"SMM_FAULT_REPLY_LOG": str(log)}) as worker:
        for _ in range(2):  # and a duplicate delivery of the retry
            send_reply.apply_async((queued_reply.organization_id, queued_reply.pk), queue=worker.queue)
        wait_until(lambda: status(queued_reply.pk) == ReplyStatus.SENT, timeout=60, what="the retried reply")
        wait_until(lambda: worker.output().count("succeeded") >= 2, timeout=30, what="both deliveries")
    reply = InboxReply.objects.get(pk=queued_reply.pk)
    assert (reply.attempts, reply.external_id.startswith("reply-")) == (2, True)
    assert log_lines(log) == ["start", "c-1", "start", "c-1", "sent", "c-1"]  # sent once in all
