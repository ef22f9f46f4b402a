"""Deliveries against a local receiver: signed (checked by an independent verifier and by the
reference `standardwebhooks` package), logged, retried with backoff, re-sent, pinged."""

import datetime as dt
import itertools
import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Response

from core.events import Event, emit, emit_rule_fired
from webhooks import services, transport
from webhooks.models import PING, DeliveryStatus, WebhookAttempt, WebhookDelivery
from webhooks.tasks import fan_out_due_deliveries

from .conftest import verify

pytestmark = pytest.mark.django_db


def _emit(org, event=Event.SALE_RECORDED, data=None):
    with transaction.atomic():
        emit(org.pk, event, data or {"sale_id": 1, "amount": "10.00"})


def _requests(httpserver):
    return [request for request, _response in httpserver.log]


def test_an_event_is_delivered_signed_per_standard_webhooks(
    org, owner_access, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    created = make_endpoint(owner_access)
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        _emit(org, data={"sale_id": 7, "amount": "4900.00"})

    [request] = _requests(receiver)
    body = request.get_data(as_text=True)
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert verify(created.secret, headers, body)
    # The reference implementation agrees (it also checks the timestamp is current).
    assert Webhook(created.secret).verify(body, headers)["data"] == {"sale_id": 7, "amount": "4900.00"}
    assert not verify("whsec_" + "A" * 32, headers, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(created.secret).verify(body.replace("4900", "1"), headers)

    payload = json.loads(body)
    assert payload["type"] == "sale.recorded"
    assert payload["organization"] == org.slug
    assert payload["id"] == headers["webhook-id"]
    # Sent to the address the name was checked at, with the name in Host.
    assert headers["host"] == f"receiver.test:{receiver.port}"
    assert headers["content-type"] == "application/json"

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.message_id == headers["webhook-id"]
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code == 200
    assert attempt.succeeded
    assert attempt.duration_ms >= 0
    assert attempt.response_excerpt == "ok"


def test_the_secret_is_encrypted_at_rest(org, owner_access, make_endpoint):
    created = make_endpoint(owner_access)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM webhooks_webhookendpoint WHERE id = %s", [created.endpoint.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert created.secret not in row
    assert created.secret.removeprefix("whsec_") not in row
    assert services.signing_secrets(created.endpoint, timezone.now()) == [created.secret]


def test_retries_back_off_exponentially_then_succeed(org, owner_access, make_endpoint, receiver):
    created = make_endpoint(owner_access)
    codes = iter([500, 503, 200])
    receiver.expect_request("/hook").respond_with_handler(lambda request: Response("x", status=next(codes)))
    _emit(org)
    delivery = WebhookDelivery.objects.get()
    t0 = delivery.next_attempt_at

    first = services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk, now=t0)
    assert first.status_code == 500
    assert not first.succeeded
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at == t0 + services.RETRY_DELAYS[0]

    # Not due yet: nothing is sent.
    assert (
        services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk, now=t0 + dt.timedelta(seconds=10))
        is None
    )
    t1 = t0 + services.RETRY_DELAYS[0]
    assert services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk, now=t1).status_code == 503
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == t1 + services.RETRY_DELAYS[1]
    assert services.RETRY_DELAYS[1] == 4 * services.RETRY_DELAYS[0]

    t2 = t1 + services.RETRY_DELAYS[1]
    assert services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk, now=t2).succeeded
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempt_count == 3
    assert list(WebhookAttempt.objects.order_by("attempted_at").values_list("status_code", flat=True)) == [
        500,
        503,
        200,
    ]
    # Every attempt carries the same message id and body (the receiver de-duplicates on it).
    requests = _requests(receiver)
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    assert len({r.get_data() for r in requests}) == 1
    for request in requests:
        assert verify(
            created.secret, {k.lower(): v for k, v in request.headers.items()}, request.get_data(as_text=True)
        )


def test_the_schedule_spans_most_of_a_day_and_then_gives_up(org, owner_access, make_endpoint, receiver):
    delays = services.RETRY_DELAYS
    assert all(later >= earlier for earlier, later in itertools.pairwise(delays))
    assert dt.timedelta(hours=12) < sum(delays, dt.timedelta()) <= dt.timedelta(days=1)
    make_endpoint(owner_access)
    receiver.expect_request("/hook").respond_with_data("down", status=500)
    _emit(org)
    delivery = WebhookDelivery.objects.get()
    now = delivery.next_attempt_at
    for _ in range(services.MAX_ATTEMPTS):
        assert services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk, now=now) is not None
        delivery.refresh_from_db()
        now = delivery.next_attempt_at or now
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.attempt_count == services.MAX_ATTEMPTS == len(_requests(receiver))
    assert (
        services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk, now=now + dt.timedelta(days=2))
        is None
    )


def test_a_failed_delivery_is_resent_with_the_same_id_and_body(
    org, owner_access, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    created = make_endpoint(owner_access)
    codes = iter([410, 200])
    receiver.expect_request("/hook").respond_with_handler(lambda request: Response("", status=next(codes)))
    _emit(org)
    delivery = WebhookDelivery.objects.get()
    delivery.attempt_count = services.MAX_ATTEMPTS - 1
    delivery.save()
    services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_resend(access=owner_access, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempt_count == 1
    first, second = _requests(receiver)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    assert first.get_data() == second.get_data()
    assert verify(created.secret, {k.lower(): v for k, v in second.headers.items()}, second.get_data(as_text=True))
    assert WebhookAttempt.objects.count() == 2


def test_ping_is_sent_once_and_not_retried(
    org, owner_access, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    created = make_endpoint(owner_access)
    receiver.expect_request("/hook").respond_with_data("", status=500)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_ping(access=owner_access, endpoint=created.endpoint)
    delivery.refresh_from_db()
    assert delivery.event == PING
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_count == 1
    assert json.loads(_requests(receiver)[0].get_data())["type"] == "ping"


def test_the_fan_out_sends_due_retries(org, owner_access, make_endpoint, receiver):
    make_endpoint(owner_access)
    receiver.expect_request("/hook").respond_with_data("ok")
    _emit(org)
    later = WebhookDelivery.objects.create(
        organization=org,
        endpoint=WebhookDelivery.objects.get().endpoint,
        message_id="msg_later",
        event="sale.recorded",
        body="{}",
        next_attempt_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert fan_out_due_deliveries() == 1
    assert WebhookDelivery.objects.exclude(pk=later.pk).get().status == DeliveryStatus.SUCCEEDED
    later.refresh_from_db()
    assert later.status == DeliveryStatus.PENDING
    assert later.attempt_count == 0


def test_a_claimed_delivery_is_not_sent_twice(org, owner_access, make_endpoint, receiver):
    make_endpoint(owner_access)
    receiver.expect_request("/hook").respond_with_data("", status=500)
    _emit(org)
    delivery = WebhookDelivery.objects.get()
    now = delivery.next_attempt_at
    # A worker claimed it (and died before recording): the claim holds it back, then it is retried.
    assert services._claim(org.pk, delivery.pk, now) is not None
    assert services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk, now=now) is None
    assert (
        services.attempt_delivery(organization_id=org.pk, delivery_id=delivery.pk, now=now + services.CLAIM) is not None
    )
    assert len(_requests(receiver)) == 1


def test_rotation_signs_with_both_secrets_during_the_overlap(org, owner_access, make_endpoint, receiver):
    created = make_endpoint(owner_access)
    receiver.expect_request("/hook").respond_with_data("ok")
    new_secret = services.endpoint_rotate_secret(access=owner_access, endpoint=created.endpoint)
    assert new_secret != created.secret
    assert new_secret.startswith("whsec_")
    _emit(org)
    services.attempt_delivery(organization_id=org.pk, delivery_id=WebhookDelivery.objects.get().pk)
    [request] = _requests(receiver)
    headers = {k.lower(): v for k, v in request.headers.items()}
    body = request.get_data(as_text=True)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify(created.secret, headers, body)
    assert verify(new_secret, headers, body)
    assert Webhook(created.secret).verify(body, headers)
    assert Webhook(new_secret).verify(body, headers)
    # After the overlap only the new secret signs.
    endpoint = created.endpoint
    endpoint.refresh_from_db()
    after = endpoint.previous_secret_expires_at + dt.timedelta(seconds=1)
    assert services.signing_secrets(endpoint, after) == [new_secret]


def test_a_paused_endpoint_gets_no_new_events_and_its_pending_ones_wait(org, owner_access, make_endpoint, receiver):
    created = make_endpoint(owner_access)
    _emit(org)
    services.endpoint_update(access=owner_access, endpoint=created.endpoint, is_active=False)
    _emit(org)
    assert WebhookDelivery.objects.count() == 1
    assert services.attempt_delivery(organization_id=org.pk, delivery_id=WebhookDelivery.objects.get().pk) is None
    assert _requests(receiver) == []


def test_only_subscribed_events_make_deliveries(org, owner_access, make_endpoint):
    make_endpoint(owner_access, events=[Event.REPORT_READY])
    _emit(org, Event.SALE_RECORDED)
    assert WebhookDelivery.objects.count() == 0
    _emit(org, Event.REPORT_READY, {"report_id": 1})
    assert WebhookDelivery.objects.get().event == "report.ready"


def test_a_redirect_is_not_followed(org, owner_access, make_endpoint, receiver):
    make_endpoint(owner_access)
    receiver.expect_request("/hook").respond_with_data("", status=302, headers={"Location": "http://169.254.169.254/"})
    receiver.expect_request("/elsewhere").respond_with_data("should not be called")
    _emit(org)
    attempt = services.attempt_delivery(organization_id=org.pk, delivery_id=WebhookDelivery.objects.get().pk)
    assert attempt.status_code == 302
    assert not attempt.succeeded
    assert attempt.error
    assert [r.path for r in _requests(receiver)] == ["/hook"]


def test_a_slow_receiver_times_out(org, owner_access, make_endpoint, receiver, monkeypatch):
    monkeypatch.setattr(transport, "TIMEOUT", 0.2)
    make_endpoint(owner_access)
    release, done = threading.Event(), threading.Event()

    def slow(request):
        release.wait(5)
        done.set()
        return Response("late")

    receiver.expect_request("/hook").respond_with_handler(slow)
    _emit(org)
    attempt = services.attempt_delivery(organization_id=org.pk, delivery_id=WebhookDelivery.objects.get().pk)
    assert attempt.status_code is None
    assert not attempt.succeeded
    assert attempt.error
    # Let the receiver finish before the next test shares it.
    release.set()
    assert done.wait(5)
    time.sleep(0.1)
    receiver.clear()


def test_rule_fired_has_a_documented_emitter(org, owner_access, make_endpoint):
    make_endpoint(owner_access, events=[Event.RULE_FIRED])
    with transaction.atomic():
        emit_rule_fired(org.pk, rule_id=3, rule_name="CPL > 500", campaign_id=9, action="pause", reason="CPL 612")
    data = json.loads(WebhookDelivery.objects.get().body)["data"]
    assert data == {"rule_id": 3, "rule_name": "CPL > 500", "campaign_id": 9, "action": "pause", "reason": "CPL 612"}


def test_unknown_events_are_refused():
    with pytest.raises(ValueError):
        emit(1, "lead.created", {})


def test_amounts_and_dates_serialise(org, owner_access, make_endpoint):
    make_endpoint(owner_access)
    _emit(org, data={"amount": Decimal("1.50"), "at": dt.date(2026, 1, 2)})
    assert json.loads(WebhookDelivery.objects.get().body)["data"] == {"amount": "1.50", "at": "2026-01-02"}


def test_the_encryption_key_rotation_re_encrypts_signing_secrets(org, owner_access, make_endpoint, settings):
    import io

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    created = make_endpoint(owner_access)
    rotated = services.endpoint_rotate_secret(access=owner_access, endpoint=created.endpoint)
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "signing secrets of 1 webhook endpoint(s)" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new]
    endpoint = created.endpoint
    endpoint.refresh_from_db()
    assert services.signing_secrets(endpoint, timezone.now()) == [rotated, created.secret]
