"""Replies written in the product: sent through the connector exactly once, failures in words, retry."""

import datetime as dt
import threading

import pytest
from django.db import connection

from core.errors import Conflict
from integrations.connectors.demo import DemoConnector
from integrations.connectors.errors import InvalidRequest, TransientError
from integrations.connectors.types import ReplyResult
from moderation import replies
from moderation.models import InboxItem, InboxReply, InboxStatus, ReplyStatus
from moderation.tasks import send_reply
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Every call that reaches the platform, and a switch to make the next calls fail."""
    calls: list[tuple] = []
    failures: list[Exception] = []

    def reply(self, comment_external_id, text, *, post_external_id=None):
        calls.append((comment_external_id, text, post_external_id))
        if failures:
            raise failures.pop(0)
        return ReplyResult(external_id=f"r{len(calls)}", parent_external_id=comment_external_id)

    monkeypatch.setattr(DemoConnector, "reply", reply)
    return calls, failures


@pytest.fixture
def item(org):
    account = SocialAccountFactory(organization=org)
    return InboxItemFactory(organization=org, account=account, post_external_id="p1", author_name="Анна")


def test_a_reply_is_sent_once_however_often_the_task_runs(owner_access, item, sent, django_capture_on_commit_callbacks):
    calls, _failures = sent
    with django_capture_on_commit_callbacks(execute=True):
        reply = replies.reply_create(access=owner_access, item=item, text="Спасибо!", idempotency_key="k1")
    for _ in range(3):
        send_reply(item.organization_id, reply.pk)
    reply.refresh_from_db()
    assert calls == [(item.external_id, "Спасибо!", "p1")]
    assert (reply.status, reply.external_id, reply.attempts) == (ReplyStatus.SENT, "r1", 1)
    item.refresh_from_db()
    assert item.status == InboxStatus.REPLIED
    assert item.answered_at == reply.sent_at
    assert item.first_response_seconds is not None


def test_the_same_idempotency_key_is_one_reply(owner_access, item, sent):
    first = replies.reply_create(access=owner_access, item=item, text="Спасибо!", idempotency_key="same")
    again = replies.reply_create(access=owner_access, item=item, text="Спасибо!", idempotency_key="same")
    assert first.pk == again.pk
    assert InboxReply.objects.for_organization(item.organization).count() == 1


def test_a_failure_is_shown_in_words_and_a_retry_sends_once(owner_access, item, sent):
    calls, failures = sent
    failures.append(TransientError("demo", 500, "upstream 500", user_message="The platform is unavailable, try later"))
    reply = replies.reply_create(access=owner_access, item=item, text="Ответ")
    assert replies.reply_send(organization_id=item.organization_id, reply_id=reply.pk) == ReplyStatus.FAILED
    reply.refresh_from_db()
    assert (reply.status, reply.error) == (ReplyStatus.FAILED, "The platform is unavailable, try later")
    assert InboxItem.objects.get(pk=item.pk).status == InboxStatus.NEW

    replies.reply_retry(access=owner_access, reply=reply)
    replies.reply_send(organization_id=item.organization_id, reply_id=reply.pk)
    replies.reply_send(organization_id=item.organization_id, reply_id=reply.pk)
    reply.refresh_from_db()
    assert (reply.status, len(calls), reply.attempts) == (ReplyStatus.SENT, 2, 2)
    with pytest.raises(Conflict):
        replies.reply_retry(access=owner_access, reply=reply)


def test_a_permanent_error_fails_with_the_platforms_reason(owner_access, item, sent):
    _calls, failures = sent
    failures.append(InvalidRequest("demo", 100, "bad", user_message="The comment was deleted on the platform"))
    reply = replies.reply_create(access=owner_access, item=item, text="Ответ")
    replies.reply_send(organization_id=item.organization_id, reply_id=reply.pk)
    reply.refresh_from_db()
    assert reply.error == "The comment was deleted on the platform"


def test_a_reply_stuck_in_sending_is_failed_not_resent(owner_access, item, sent):
    calls, _failures = sent
    reply = replies.reply_create(access=owner_access, item=item, text="Ответ")
    InboxReply.objects.for_organization(item.organization).filter(pk=reply.pk).update(
        status=ReplyStatus.SENDING, claimed_at=reply.created_at
    )
    assert replies.release_stuck(older_than=dt.timedelta(seconds=-1)) == 1
    replies.reply_send(organization_id=item.organization_id, reply_id=reply.pk)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert "Check the comment" in reply.error
    assert calls == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_once(org, owner, sent):
    """Two workers take the same reply at once: the row lock lets one of them send."""
    calls, _failures = sent
    account = SocialAccountFactory(organization=org)
    item = InboxItemFactory(organization=org, account=account)
    reply = InboxReply.objects.create(organization=org, item=item, text="x", idempotency_key="c")
    barrier = threading.Barrier(2)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(replies.reply_send(organization_id=org.pk, reply_id=reply.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["sent", "skipped"]
    assert len(calls) == 1


def test_a_mention_cannot_be_answered_here(owner_access, org):
    mention = InboxItemFactory(organization=org, kind="mention")
    with pytest.raises(Conflict):
        replies.reply_create(access=owner_access, item=mention, text="x")


def test_an_item_the_connector_cannot_address_fails_in_words(owner_access, org):
    account = SocialAccountFactory(organization=org, platform="vk", external_id="218450731")
    item = InboxItemFactory(organization=org, account=account, kind="message", post_external_id="")
    reply = replies.reply_create(access=owner_access, item=item, text="Ответ")
    assert replies.reply_send(organization_id=org.pk, reply_id=reply.pk) == ReplyStatus.FAILED
    reply.refresh_from_db()
    assert "answer it on the platform" in reply.error
