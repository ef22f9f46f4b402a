"""Scheduling, unscheduling, retrying and rescheduling publications; claim-once under concurrency."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from content import publishing, services
from content.models import ErrorKind, Post, Publication
from core.errors import Conflict, DomainError, NotFound
from integrations.connectors.base import PermissionDenied
from integrations.models import AccountStatus, Platform
from strategy.launch_gate import LaunchBlocked
from tenancy.models import AuditLog
from tests.integrations.factories import SocialAccountFactory

from .publishing_support import FakePlatform, author_access, due_post, make_due, strategy_this_year

pytestmark = pytest.mark.django_db


def draft(org, access, platform="vk"):
    _strategy, goal, pillar = strategy_this_year(org)
    return services.post_create(
        access=access, title="Пост", text="Текст", platform=platform, objective="engagement", goal=goal, pillar=pillar
    )


def later(hours=2):
    return timezone.now() + dt.timedelta(hours=hours)


def test_schedule_creates_one_publication_per_connected_account_and_audits(org, vk_account):
    access = author_access(org)
    post = services.post_schedule(access=access, post=draft(org, access), scheduled_at=later())
    pub = post.publications.get()
    assert (pub.account, pub.status, pub.scheduled_at, pub.next_attempt_at) == (
        vk_account,
        Publication.Status.SCHEDULED,
        post.scheduled_at,
        post.scheduled_at,
    )
    assert post.status == Post.Status.SCHEDULED
    assert AuditLog.objects.filter(organization=org, action="post.schedule", object_id=str(post.pk)).exists()


def test_schedule_refuses_a_platform_without_a_connected_account(org, vk_account):
    access = author_access(org)
    post = draft(org, access, platform="telegram")
    with pytest.raises(DomainError) as exc:
        services.post_schedule(access=access, post=post, scheduled_at=later())
    assert "accounts" in exc.value.fields
    SocialAccountFactory(organization=org, platform=Platform.TELEGRAM, status=AccountStatus.NEEDS_REAUTH)
    with pytest.raises(DomainError):
        services.post_schedule(access=access, post=post, scheduled_at=later())
    assert not Publication.objects.exists()
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT


def test_schedule_refuses_an_account_of_another_platform_or_organization(org, other_org, vk_account):
    access = author_access(org)
    post = draft(org, access)
    telegram = SocialAccountFactory(organization=org, platform=Platform.TELEGRAM)
    foreign = SocialAccountFactory(organization=other_org, platform=Platform.VK)
    for account in (telegram, foreign):
        with pytest.raises(DomainError):
            services.post_schedule(access=access, post=post, scheduled_at=later(), accounts=[account.pk])


def test_schedule_refuses_without_an_approved_strategy(org, vk_account):
    access = author_access(org)
    post = services.post_create(access=access, title="Пост", platform="vk", objective="engagement")
    with pytest.raises(LaunchBlocked):
        services.post_schedule(access=access, post=post, scheduled_at=later())
    assert not Publication.objects.exists()


def test_approval_required_by_the_organization(org, vk_account):
    org.posts_require_approval = True
    org.save()
    access = author_access(org)
    post = draft(org, access)
    with pytest.raises(Conflict):
        services.post_schedule(access=access, post=post, scheduled_at=later())
    Post.objects.filter(pk=post.pk).update(status=Post.Status.APPROVED)
    assert services.post_schedule(access=access, post=post, scheduled_at=later()).status == Post.Status.SCHEDULED
    # Unscheduled, it stays approved: the approval was for this content.
    assert services.post_unschedule(access=access, post=post).status == Post.Status.APPROVED


def test_unschedule_cancels_and_is_refused_while_publishing(org, vk_account):
    access = author_access(org)
    post = due_post(org, access=access)
    publishing.claim_due()
    with pytest.raises(Conflict):
        services.post_unschedule(access=access, post=post)
    Publication.objects.filter(post=post).update(status=Publication.Status.SCHEDULED, claim_token=None)
    post = services.post_unschedule(access=access, post=post)
    assert post.status == Post.Status.DRAFT
    assert post.publications.get().status == Publication.Status.CANCELLED
    # Scheduled again: a new publication beside the cancelled one.
    services.post_schedule(access=access, post=post, scheduled_at=later())
    assert post.publications.filter(status=Publication.Status.SCHEDULED).count() == 1


def test_retry_and_reschedule_a_failed_publication(org, vk_account):
    access = author_access(org)
    post = due_post(org, access=access)
    publishing.publish_one(
        *publishing.claim_due()[0], connector_factory=FakePlatform(outcomes=[PermissionDenied("vk", 15, "x")]).factory()
    )
    pub = post.publications.get()
    assert pub.status == Publication.Status.FAILED
    with pytest.raises(DomainError):
        services.publication_reschedule(access=access, publication=pub.pk, scheduled_at=timezone.now())
    when = later(5)
    pub = services.publication_reschedule(access=access, publication=pub.pk, scheduled_at=when)
    assert (pub.status, pub.next_attempt_at, pub.attempts, pub.error_kind) == (
        Publication.Status.SCHEDULED,
        when,
        0,
        "",
    )
    assert Post.objects.get(pk=post.pk).status == Post.Status.SCHEDULED
    with pytest.raises(Conflict):
        services.publication_retry(access=access, publication=pub.pk)
    Publication.objects.filter(pk=pub.pk).update(status=Publication.Status.FAILED, error_kind=ErrorKind.PERMANENT)
    pub = services.publication_retry(access=access, publication=pub.pk)
    assert pub.status == Publication.Status.SCHEDULED
    assert pub.next_attempt_at <= timezone.now()
    assert AuditLog.objects.filter(action__in=["publication.retry", "publication.reschedule"]).count() == 2


def test_another_organizations_publication_is_not_found(org, other_org, vk_account):
    post = due_post(org)
    with pytest.raises(NotFound):
        services.publication_retry(access=author_access(other_org), publication=post.publications.get().pk)


@pytest.mark.django_db(transaction=True)
def test_two_fan_outs_at_once_claim_each_publication_exactly_once(org, vk_account):
    for n in range(2, 12):
        SocialAccountFactory(organization=org, platform=Platform.VK, external_id=str(n))
    post = due_post(org)
    due = set(post.publications.values_list("pk", flat=True))
    assert len(due) == 11
    barrier = threading.Barrier(2)
    results: list[list[tuple[int, str]]] = []
    errors: list[BaseException] = []

    def claim() -> None:
        try:
            barrier.wait()
            results.append(publishing.claim_due(limit=6))
            results.append(publishing.claim_due())
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    claimed = [pk for batch in results for pk, _token in batch]
    assert sorted(claimed) == sorted(due)  # every one, none twice
    tokens = dict(Publication.objects.values_list("pk", "claim_token"))
    assert {pk: tokens[pk] for batch in results for pk, _ in batch} == {
        pk: uuid.UUID(token) for batch in results for pk, token in batch
    }
    make_due(post)  # claimed rows are not "scheduled": nothing more to claim
    assert publishing.claim_due() == []
