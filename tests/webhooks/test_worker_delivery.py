"""A real Celery worker delivers a webhook over HTTPS to a local receiver with its own certificate
authority: the first attempt gets a 500, the retry — queued by the real fan-out task once the
backoff has passed — is accepted. Signatures are checked by the reference `standardwebhooks`
package and by a verifier written from the specification; the worker verifies the receiver's
certificate against the test's authority only because its settings name that file
(`tests/webhook_worker_settings.py`).

The unit tests below it show that verification is never off: without the authority, or for a
certificate of another host, the attempt fails."""

import time
import uuid

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from core.events import Event, emit
from webhooks import services, tasks, transport
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery

from ..worker import require_worker, wait_until, worker_process
from .conftest import verify
from .https_receiver import HttpsReceiver, make_pki

RETRY_BASE = 2.0  # seconds; production waits 30 s
FAN_OUT_EVERY = 0.25  # the test plays beat (production: every minute)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_refused_delivery_over_https_and_delivers_it_once(
    org, owner_access, settings, tmp_path, monkeypatch
):
    require_worker()
    pki = make_pki(tmp_path)
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.webhook_worker_settings",
        "SMM_TEST_WEBHOOKS_CA_BUNDLE": str(pki.ca_pem),
        "SMM_TEST_WEBHOOKS_RETRY_BASE": str(RETRY_BASE),
        "SMM_TEST_WEBHOOKS_QUEUE": queue,
    }
    settings.WEBHOOKS_ALLOW_LOOPBACK = True  # this process saves the endpoint (its URL is checked)
    with (
        HttpsReceiver(pki, statuses=[500, 200]) as receiver,
        worker_process(app="tests.webhookapp", queue=queue, env=env) as worker,
    ):
        created = services.endpoint_create(access=owner_access, url=receiver.url(), events=[Event.SALE_RECORDED])
        # The first attempt is queued after the commit, as in production, to the worker's queue.
        monkeypatch.setattr(tasks.deliver, "delay", lambda *args: tasks.deliver.apply_async(args, queue=queue))
        with transaction.atomic():
            emit(org.pk, Event.SALE_RECORDED, {"sale_id": 42, "amount": "4900.00"})

        def delivered():
            tasks.fan_out_due_deliveries.apply_async(queue=queue)  # beat's job, more often
            return WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists()

        wait_until(delivered, timeout=60, interval=FAN_OUT_EVERY, what="the retried delivery")
        # Beat keeps running: nothing is delivered again.
        deadline = time.monotonic() + 2 * RETRY_BASE
        while time.monotonic() < deadline:
            tasks.fan_out_due_deliveries.apply_async(queue=queue)
            time.sleep(FAN_OUT_EVERY)
        output = worker.output()

    # The receiver: a refused attempt, then one accepted; the same message, signed each time.
    assert [r.answered for r in receiver.requests] == [500, 200], output[-3000:]
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    for request in receiver.requests:
        assert request.path == "/hook"
        assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
        assert verify(created.secret, request.headers, request.body)  # from the specification
    # The reference implementation (it also requires a current timestamp): the accepted request.
    assert Webhook(created.secret).verify(second.body, second.headers)["data"] == {
        "sale_id": 42,
        "amount": "4900.00",
    }
    assert not verify("whsec_" + "A" * 32, second.headers, second.body)

    # The attempt log and the delivery.
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempt_count == 2
    assert delivery.next_attempt_at is None
    assert delivery.message_id == second.headers["webhook-id"]
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("attempted_at"))
    assert [(a.status_code, a.succeeded) for a in attempts] == [(500, False), (200, True)]
    assert attempts[0].response_excerpt == "try again later"
    assert attempts[1].response_excerpt == "ok"
    assert delivery.delivered_at == attempts[1].attempted_at

    # Backoff: the retry came no earlier than the base delay after the first attempt, and soon after
    # it (the fan-out runs every FAN_OUT_EVERY seconds here).
    waited = (attempts[1].attempted_at - attempts[0].attempted_at).total_seconds()
    assert RETRY_BASE <= waited < RETRY_BASE + 5, waited
    assert second.at - first.at >= RETRY_BASE - 0.5  # the receiver's own clock agrees
    timestamps = [int(r.headers["webhook-timestamp"]) for r in receiver.requests]
    assert timestamps[1] - timestamps[0] >= int(RETRY_BASE) - 1


# ------------------------------------------------------------------ verification stays strict


@pytest.fixture
def https_receiver(tmp_path, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    pki = make_pki(tmp_path)
    with HttpsReceiver(pki, statuses=[200]) as receiver:
        yield receiver


def test_without_the_test_authority_the_receivers_certificate_is_refused(https_receiver, settings):
    settings.WEBHOOKS_CA_BUNDLE = ""
    assert transport.verification() is True  # the public roots
    outcome = transport.post(https_receiver.url(), {}, "{}")
    assert outcome.status_code is None
    assert "ConnectError" in outcome.error
    assert https_receiver.requests == []


def test_with_the_authority_configured_the_receiver_is_reached(https_receiver, settings):
    settings.WEBHOOKS_CA_BUNDLE = str(https_receiver.pki.ca_pem)
    outcome = transport.post(https_receiver.url(), {}, "{}")
    assert (outcome.status_code, outcome.excerpt) == (200, "ok")
    assert len(https_receiver.requests) == 1


def test_the_authority_does_not_switch_off_host_name_checks(tmp_path, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    pki = make_pki(tmp_path, hosts=("receiver.example",))  # a valid certificate, for another host
    settings.WEBHOOKS_CA_BUNDLE = str(pki.ca_pem)
    with HttpsReceiver(pki, statuses=[200]) as receiver:
        outcome = transport.post(receiver.url(), {}, "{}")
    assert outcome.status_code is None
    assert receiver.requests == []


def test_the_backoff_base_is_a_setting(settings):
    assert services.retry_delay(1) == services.RETRY_DELAYS[0] == services.RETRY_BASE
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 2
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [2, 8, 32]
    assert services.retry_delay(services.MAX_ATTEMPTS) is None
