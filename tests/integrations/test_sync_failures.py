"""Syncs are never recorded as success when they failed, and a queue (Redis) that is down loses no
sync and breaks no page (issue 9), unit level. Locks, claims and windows: test_sync_reliability.py."""

from datetime import timedelta

import kombu.exceptions
import pytest
import redis.exceptions
from celery.exceptions import Reject, SoftTimeLimitExceeded
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from integrations.connectors.base import InvalidRequest
from integrations.models import AccountStatus, SocialAccount, SyncKind, SyncRun, SyncStatus
from integrations.sync import (
    INFRASTRUCTURE_MESSAGE,
    INTERRUPTED_MESSAGE,
    TOO_LONG_MESSAGE,
    SyncRetry,
    account_sync,
)
from integrations.tasks import (
    RetryNotQueued,
    sync_account,
)
from smm_platform.celery import app
from tests.integrations.factories import SocialAccountFactory
from tests.integrations.sync_support import Scripted, run_task, vk_account

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- failures are not success


def test_a_failed_step_does_not_mark_the_account_synced_or_healthy(org):
    account = vk_account(org)
    SocialAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.ERROR, last_error="VK: no access to stats", last_synced_at=None
    )
    connector = Scripted({"comments": InvalidRequest("vk", 100, "One of the parameters specified was missing")})

    outcome = account_sync(account_id=account.pk, plan="full", connector=connector)

    account.refresh_from_db()
    assert outcome.status == "failed"
    assert account.last_synced_at is None
    assert (account.status, account.last_error) == (AccountStatus.ERROR, "VK: no access to stats")
    assert SyncRun.objects.get(kind=SyncKind.COMMENTS).status == SyncStatus.FAILED


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection unexpectedly"), redis.exceptions.ConnectionError("refused")],
)
def test_a_step_that_lost_the_database_or_redis_is_retried_and_not_synced(org, error):
    account = vk_account(org)
    connector = Scripted({"account_metrics": error})

    with pytest.raises(SyncRetry) as raised:
        account_sync(account_id=account.pk, plan="daily", connector=connector)

    account.refresh_from_db()
    assert raised.value.remaining == ("account_metrics", "posts", "campaigns", "ad_stats")
    assert account.last_synced_at is None
    run = SyncRun.objects.get(kind=SyncKind.ACCOUNT_METRICS)
    assert (run.status, run.error) == (SyncStatus.RETRYING, INFRASTRUCTURE_MESSAGE)


def test_a_step_stopped_by_the_soft_time_limit_is_closed_and_ends_the_sync(org):
    account = vk_account(org)
    connector = Scripted({"account_metrics": SoftTimeLimitExceeded()})

    with pytest.raises(SoftTimeLimitExceeded):
        account_sync(account_id=account.pk, plan="daily", connector=connector)

    account.refresh_from_db()
    assert connector.calls == ["profile", "account_metrics"]
    assert account.last_synced_at is None
    run = SyncRun.objects.get(kind=SyncKind.ACCOUNT_METRICS)
    assert (run.status, run.error) == (SyncStatus.FAILED, TOO_LONG_MESSAGE)


def test_the_task_retries_an_operational_error_with_backoff(org, monkeypatch):
    account = SocialAccountFactory(organization=org)

    def lost(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("integrations.tasks.account_sync", lost)
    result, retry = run_task(monkeypatch, retries=2, account_id=account.pk, plan="frequent")
    assert result is None
    assert 10 <= retry["countdown"] <= 20  # 5 s doubled twice, with jitter
    assert retry["kwargs"]["account_id"] == account.pk


@pytest.mark.django_db(transaction=True)
def test_a_status_write_survives_a_reconnect(org, monkeypatch):
    account = vk_account(org)
    from django.db import connection

    original = SyncRun.save
    failures = []

    def save(self, *args, **kwargs):
        if self.status == SyncStatus.SUCCESS and not failures:
            failures.append(self.pk)
            connection.close()  # the backend was killed under us
            raise OperationalError("terminating connection due to administrator command")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SyncRun, "save", save)
    outcome = account_sync(account_id=account.pk, plan="daily", connector=Scripted({}))
    assert outcome.status == "done"
    assert failures
    assert set(SyncRun.objects.values_list("status", flat=True)) == {SyncStatus.SUCCESS}


# --------------------------------------------------------------------------- without Redis


def test_a_retry_that_cannot_be_queued_makes_the_account_due(org, monkeypatch):
    account = SocialAccountFactory(organization=org)
    later = timezone.now() + timedelta(minutes=30)
    SocialAccount.objects.filter(pk=account.pk).update(next_sync_at=later, sync_claimed_until=later)

    def lost(**kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def no_broker(**kwargs):
        # What Celery raises when the retry cannot be published.
        raise Reject(kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379."), requeue=False)

    monkeypatch.setattr("integrations.tasks.account_sync", lost)
    sync_account.push_request(id="task-1", retries=0, is_eager=False)
    monkeypatch.setattr(sync_account, "retry", no_broker)
    try:
        with pytest.raises(RetryNotQueued):
            sync_account.run(account_id=account.pk, plan="frequent")
    finally:
        sync_account.pop_request()
    account.refresh_from_db()
    assert abs(account.next_sync_at - timezone.now()) < timedelta(seconds=5)
    assert account.sync_claimed_until is None


@pytest.fixture
def queue_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("integrations.tasks.sync_account.delay", refuse)


QUEUE_DOWN = (
    "The sync queue is unavailable right now. Your request is kept: "
    "the account syncs automatically as soon as the queue is back."
)


def test_sync_now_api_says_the_queue_is_unavailable_and_keeps_the_request(owner_client, org, queue_down):
    account = SocialAccountFactory(organization=org)
    SocialAccount.objects.filter(pk=account.pk).update(next_sync_at=timezone.now() + timedelta(minutes=14))
    response = owner_client.post(f"/api/v1/orgs/{org.slug}/integrations/accounts/{account.pk}/sync/")
    assert response.status_code == 503
    assert response.json() == {"error": {"code": "service_unavailable", "message": QUEUE_DOWN, "fields": {}}}
    account.refresh_from_db()
    assert abs(account.next_sync_at - timezone.now()) < timedelta(seconds=5)


def test_sync_now_page_says_the_queue_is_unavailable(client, owner, org, queue_down):
    account = SocialAccountFactory(organization=org)
    client.force_login(owner)
    url = reverse("integrations:sync_now", kwargs={"org_slug": org.slug, "pk": account.pk})
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [QUEUE_DOWN]


def test_an_enqueue_error_after_commit_never_breaks_the_response(
    owner_client, org, queue_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/api/v1/orgs/{org.slug}/integrations/accounts/connect-demo/")
    assert response.status_code == 201
    account = SocialAccount.objects.get(organization=org)
    assert abs(account.next_sync_at - timezone.now()) < timedelta(seconds=5)


def test_docker_compose_restarts_and_health_checks_every_service():
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"migrate", "web", "worker", "beat", "postgres", "redis"}
    # `migrate` is a one-shot (the owner migrates, then the app role runs everything else).
    assert services.pop("migrate")["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
        assert service.get("healthcheck", {}).get("test"), name
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


def test_a_closed_redis_broker_channel_fails_like_a_lost_connection():
    """The guard in smm_platform/celery.py: kombu 5.7.0 raised AttributeError here, which stops the
    worker ("Unrecoverable error"); a connection error is one the consumer survives."""
    from kombu.transport import redis as kombu_redis

    assert app.conf.broker_transport_options  # the app (and its guard) is loaded
    channel = kombu_redis.Channel.__new__(kombu_redis.Channel)
    channel.connection = None
    with pytest.raises(redis.exceptions.ConnectionError):
        channel._connparams()


def test_stored_sync_messages_are_shown_in_the_reader_language():
    from django.utils import translation

    from integrations.models import SyncRun
    from integrations.selectors import run_problem_text

    run = SyncRun(status=SyncStatus.FAILED, error=INTERRUPTED_MESSAGE, error_kind="")
    with translation.override("ru"):
        assert run_problem_text(run) == (
            "Синхронизация прервалась (остановился обработчик задач); она запустится снова автоматически."
        )
    with translation.override("en"):
        assert run_problem_text(run) == INTERRUPTED_MESSAGE
