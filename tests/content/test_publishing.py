"""The publisher in-process: claim, publish, classify, retry with backoff, check the platform before
re-sending after an unknown outcome, and the watchdog."""

import datetime as dt
import logging
import uuid

import pytest
from django.utils import timezone

from content import publishing, services, watchdog
from content.models import ErrorKind, Notification, Post, Publication, PublishAttempt
from content.tasks import fan_out_due_publications, watch_publications
from integrations.connectors.base import (
    AuthExpired,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    TransientError,
)
from integrations.models import AccountStatus, Platform
from strategy.models import Strategy
from tenancy.roles import Role
from tests.conftest import access_of
from tests.integrations.factories import SocialAccountFactory

from .publishing_support import FakePlatform, due_post, make_due

pytestmark = pytest.mark.django_db

TIMEOUT = TransientError("vk", "network", "network error: ReadTimeout")


def run_due(platform: FakePlatform) -> list[str]:
    """One fan-out: claim what is due and publish each claim (what the beat + worker do)."""
    return [
        publishing.publish_one(pk, token, connector_factory=platform.factory()) for pk, token in publishing.claim_due()
    ]


def only_publication(post) -> Publication:
    return Publication.objects.get(post=post)


def test_a_due_publication_is_published_once_and_the_post_follows(org, vk_account):
    post = due_post(org)
    platform = FakePlatform()
    assert run_due(platform) == ["published"]
    assert run_due(platform) == []
    pub = only_publication(post)
    assert (pub.status, pub.external_id, pub.attempts) == (Publication.Status.PUBLISHED, "p1", 1)
    assert pub.external_url == "https://example.test/p1"
    assert pub.published_at is not None
    assert pub.claim_token is None
    assert list(pub.attempts_made.values_list("result", flat=True)) == [PublishAttempt.Result.SUCCESS]
    assert pub.attempts_made.get().duration_ms is not None
    post.refresh_from_db()
    assert (post.status, post.published_at) == (Post.Status.PUBLISHED, pub.published_at)
    assert platform.posts == [("p1", post.text)]


def test_not_yet_due_publications_are_left_alone(org, vk_account):
    post = due_post(org)
    Publication.objects.filter(post=post).update(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    assert publishing.claim_due() == []


def test_the_demo_connector_publishes_deterministically(org):
    demo = SocialAccountFactory(organization=org, platform=Platform.DEMO)
    post = due_post(org, accounts=[demo])
    [(pk, token)] = publishing.claim_due()
    assert publishing.publish_one(pk, token) == "published"
    pub = Publication.objects.get(pk=pk)
    assert pub.external_id.startswith("pub-")
    assert pub.external_url.startswith("https://demo.")
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_demo_configured_failure_fails_with_the_reason(org):
    demo = SocialAccountFactory(
        organization=org, platform=Platform.DEMO, options={"connector": {"publish_failure": "permission_denied"}}
    )
    due_post(org, accounts=[demo])
    [(pk, token)] = publishing.claim_due()
    assert publishing.publish_one(pk, token) == "failed"
    pub = Publication.objects.get(pk=pk)
    assert (pub.status, pub.error_kind) == (Publication.Status.FAILED, ErrorKind.PERMANENT)


def test_one_post_to_several_accounts_gets_one_publication_each(org, vk_account):
    second = SocialAccountFactory(organization=org, platform=Platform.VK, external_id="2")
    post = due_post(org)
    assert set(post.publications.values_list("account_id", flat=True)) == {vk_account.pk, second.pk}
    platform = FakePlatform(outcomes=[None, PermissionDenied("vk", 15, "Access denied")])
    assert sorted(run_due(platform)) == ["failed", "published"]
    keys = set(post.publications.values_list("idempotency_key", flat=True))
    assert len(keys) == 2
    # One failed account shows on the post: the truth about the problem wins over "published".
    assert Post.objects.get(pk=post.pk).status == Post.Status.FAILED


@pytest.mark.parametrize(
    "error",
    [
        PermissionDenied("vk", 15, "Access denied: no access to call this method"),
        AuthExpired("vk", 5, "User authorization failed"),
        InvalidRequest("vk", 100, "message is too long"),
    ],
    ids=["permission", "auth", "invalid"],
)
def test_permanent_errors_fail_at_once_with_plain_words_and_tell_the_author(org, vk_account, error, mailoutbox):
    post = due_post(org)
    platform = FakePlatform(outcomes=[error])
    assert run_due(platform) == ["failed"]
    pub = only_publication(post)
    assert (pub.status, pub.error_kind, pub.attempts) == (Publication.Status.FAILED, ErrorKind.PERMANENT, 1)
    assert pub.error_code == str(error.code)
    assert "retry" in pub.error_message.lower() or "повтор" in pub.error_message.lower()
    assert pub.attempts_made.get().result == PublishAttempt.Result.PERMANENT
    note = Notification.objects.get(publication=pub)
    assert note.user == post.created_by
    assert note.body == pub.error_message
    assert run_due(platform) == []  # not retried by itself
    assert platform.publish_calls == 1


def test_failure_message_is_in_the_organization_language(org, vk_account):
    org.language = "ru"
    org.save()
    post = due_post(org)
    run_due(FakePlatform(outcomes=[PermissionDenied("vk", 15, "Access denied")]))
    assert only_publication(post).error_message != ""


def test_a_rate_limit_is_retried_with_backoff_without_a_check(org, vk_account):
    post = due_post(org)
    platform = FakePlatform(outcomes=[RateLimited("vk", 9, "Flood control", retry_after=300)])
    before = timezone.now()
    assert run_due(platform) == ["retry"]
    pub = only_publication(post)
    assert pub.status == Publication.Status.SCHEDULED
    assert pub.claim_token is None
    assert pub.next_attempt_at >= before + dt.timedelta(seconds=300)  # never before the advice
    assert (pub.error_kind, pub.attempts) == (ErrorKind.TRANSIENT, 1)
    assert Post.objects.get(pk=post.pk).status == Post.Status.SCHEDULED
    make_due(post)
    assert run_due(platform) == ["published"]
    assert platform.check_calls == 0  # a refused call cannot have posted
    assert platform.publish_calls == 2
    assert len(platform.posts) == 1


def test_backoff_grows_and_is_capped():
    assert publishing.backoff(1).total_seconds() <= 60
    assert 120 <= publishing.backoff(3).total_seconds() <= 240
    assert publishing.backoff(30).total_seconds() <= publishing.BACKOFF_CAP
    assert publishing.backoff(1, advised=900).total_seconds() == 900


def test_transient_errors_fail_after_max_attempts(org, vk_account):
    post = due_post(org)
    limit = RateLimited("vk", 9, "Flood control", retry_after=1)
    platform = FakePlatform(outcomes=[limit] * publishing.MAX_ATTEMPTS)
    for _ in range(publishing.MAX_ATTEMPTS):
        make_due(post)
        run_due(platform)
    pub = only_publication(post)
    assert (pub.status, pub.error_kind, pub.attempts) == (Publication.Status.FAILED, ErrorKind.TRANSIENT, 5)
    assert str(publishing.MAX_ATTEMPTS) in pub.error_message
    assert Notification.objects.filter(publication=pub).count() == 1


def test_timeout_after_the_platform_posted_is_found_not_posted_again(org, vk_account):
    post = due_post(org)
    platform = FakePlatform(outcomes=[TIMEOUT], lands=[True])
    assert run_due(platform) == ["retry"]
    pub = only_publication(post)
    assert pub.attempts_made.get().result == PublishAttempt.Result.UNKNOWN
    make_due(post)
    assert run_due(platform) == ["found"]
    pub.refresh_from_db()
    assert (pub.status, pub.external_id) == (Publication.Status.PUBLISHED, "p1")
    assert platform.publish_calls == 1
    assert len(platform.posts) == 1
    assert list(pub.attempts_made.values_list("result", flat=True)) == ["unknown", "found"]


def test_timeout_before_the_platform_posted_is_checked_then_sent_once(org, vk_account):
    post = due_post(org)
    platform = FakePlatform(outcomes=[TIMEOUT, None], lands=[False, True])
    run_due(platform)
    make_due(post)
    assert run_due(platform) == ["published"]
    assert platform.check_calls == 1
    assert platform.publish_calls == 2
    assert len(platform.posts) == 1


def test_unknown_outcome_where_the_platform_cannot_be_checked_needs_action(org, vk_account):
    post = due_post(org)
    platform = FakePlatform(outcomes=[TIMEOUT], lands=[True], can_check=False)
    run_due(platform)
    make_due(post)
    assert run_due(platform) == ["needs_check"]
    pub = only_publication(post)
    assert (pub.status, pub.error_kind, pub.error_code) == (
        Publication.Status.FAILED,
        ErrorKind.NEEDS_ACTION,
        "unknown_outcome",
    )
    assert platform.publish_calls == 1  # never a blind second post
    assert Notification.objects.filter(publication=pub).exists()
    # The author looked, the post is not there, they retry: sent without another check.
    services.publication_retry(access=_access(post), publication=pub)
    make_due(post)
    platform.can_check = False
    assert run_due(platform) == ["published"]
    assert platform.publish_calls == 2


def _access(post):
    return access_of(post.organization, post.created_by, Role.MARKETER)


def test_a_redelivered_task_with_a_started_attempt_checks_first(org, vk_account):
    """A worker died inside the platform call: the "started" attempt is the evidence."""
    post = due_post(org)
    [(pk, token)] = publishing.claim_due()
    pub = Publication.objects.get(pk=pk)
    PublishAttempt.objects.create(organization=org, publication=pub, started_at=timezone.now())
    platform = FakePlatform(posts=[("p9", post.text)])
    assert publishing.publish_one(pk, token, connector_factory=platform.factory()) == "found"
    assert platform.publish_calls == 0
    assert Publication.objects.get(pk=pk).external_id == "p9"


def test_a_stale_or_foreign_token_does_nothing(org, vk_account):
    post = due_post(org)
    [(pk, _token)] = publishing.claim_due()
    platform = FakePlatform()
    assert publishing.publish_one(pk, str(uuid.uuid4()), connector_factory=platform.factory()) == "not_claimed"
    assert platform.publish_calls == 0
    assert only_publication(post).status == Publication.Status.PUBLISHING


def test_the_launch_gate_is_asked_again_at_publication_time(org, vk_account):
    post = due_post(org)
    Strategy.objects.filter(organization=org).update(status=Strategy.Status.ARCHIVED)
    platform = FakePlatform()
    assert run_due(platform) == ["failed"]
    pub = only_publication(post)
    assert (pub.error_kind, pub.error_code) == (ErrorKind.PERMANENT, "launch_blocked")
    assert platform.publish_calls == 0


def test_watchdog_requeues_an_expired_claim_and_alerts(org, vk_account, caplog):
    post = due_post(org)
    [(pk, token)] = publishing.claim_due()
    Publication.objects.filter(pk=pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    with caplog.at_level(logging.ERROR, logger="content.publishing"):
        assert watchdog.watch()["requeued"] == 1
    assert "stuck" in caplog.text
    pub = only_publication(post)
    assert (pub.status, pub.claim_token) == (Publication.Status.SCHEDULED, None)
    # The old task, should it run now, holds a dead token.
    assert publishing.publish_one(pk, token, connector_factory=FakePlatform().factory()) == "not_claimed"
    assert run_due(FakePlatform()) == ["published"]


def test_watchdog_fails_a_publication_stuck_too_often(org, vk_account):
    post = due_post(org)
    publishing.claim_due()
    Publication.objects.filter(post=post).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1), attempts=publishing.MAX_ATTEMPTS
    )
    assert watchdog.watch()["failed"] == 1
    pub = only_publication(post)
    assert (pub.status, pub.error_kind, pub.error_code) == (Publication.Status.FAILED, ErrorKind.NEEDS_ACTION, "stuck")
    assert Notification.objects.filter(publication=pub).exists()


def test_watchdog_flags_an_overdue_publication_once(org, vk_account, caplog):
    post = due_post(org)
    Publication.objects.filter(post=post).update(scheduled_at=timezone.now() - dt.timedelta(minutes=10))
    with caplog.at_level(logging.ERROR, logger="content.publishing"):
        assert watch_publications.delay().get()["overdue"] == 1
    assert "overdue" in caplog.text
    assert only_publication(post).overdue_flagged_at is not None
    assert watchdog.watch()["overdue"] == 0


def test_fan_out_task_claims_and_publishes_through_the_demo_connector(org):
    demo = SocialAccountFactory(organization=org, platform=Platform.DEMO)
    post = due_post(org, accounts=[demo])
    assert fan_out_due_publications.delay().get() == 1
    assert only_publication(post).status == Publication.Status.PUBLISHED


def test_a_disconnected_account_fails_with_reconnect_advice(org, vk_account):
    post = due_post(org)
    vk_account.status = AccountStatus.NEEDS_REAUTH
    vk_account.save()
    platform = FakePlatform()
    assert run_due(platform) == ["failed"]
    pub = only_publication(post)
    assert (pub.error_kind, pub.error_code) == (ErrorKind.PERMANENT, "account_disconnected")
    assert "Reconnect" in pub.error_message or "Переподключ" in pub.error_message
    assert platform.publish_calls == 0


def test_a_connector_that_cannot_be_built_is_retried_then_fails(org, vk_account):
    post = due_post(org)

    def broken(account, **_):
        raise ValueError("access_token is required")

    for _ in range(publishing.MAX_ATTEMPTS):
        make_due(post)
        [(pk, token)] = publishing.claim_due()
        publishing.publish_one(pk, token, connector_factory=broken)
    pub = only_publication(post)
    assert (pub.status, pub.error_kind, pub.attempts) == (Publication.Status.FAILED, ErrorKind.TRANSIENT, 5)


def test_a_publication_that_keeps_losing_its_worker_ends_failed(org, vk_account):
    post = due_post(org)
    for _ in range(publishing.MAX_ATTEMPTS + 1):
        make_due(post)
        publishing.claim_due()
        Publication.objects.filter(post=post).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
        watchdog.watch()
    pub = only_publication(post)
    assert (pub.status, pub.error_code) == (Publication.Status.FAILED, "stuck")
