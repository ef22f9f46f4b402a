"""Writes of outbound webhooks: endpoints (create, change, rotate the secret, delete), the
deliveries events make, their attempts and retries, re-sending and the test ping
(docs/webhooks.md)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from core.events import Event
from core.services import fields_of, model_update
from integrations.crypto import CredentialsUnreadable, decrypt_json, encrypt_json, rotate
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

from . import signing, transport
from .models import PING, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .safety import UnsafeDestination, check_url, destination

# Exponential backoff: the n-th retry waits RETRY_BASE * 4**(n-1), at most RETRY_CAP. With
# MAX_ATTEMPTS = 8 the last attempt is about 19 hours after the first (RETRY_DELAYS below), so a
# receiver that is down for most of a day still gets its events. RETRY_BASE is
# settings.WEBHOOKS_RETRY_BASE_SECONDS (30 s; tests with a real worker shorten it).
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=8)
MAX_ATTEMPTS = 8


def retry_delays(base: timedelta = RETRY_BASE) -> tuple[timedelta, ...]:
    return tuple(min(base * 4**n, RETRY_CAP) for n in range(MAX_ATTEMPTS - 1))


RETRY_DELAYS: tuple[timedelta, ...] = retry_delays()
# A delivery being sent is claimed for this long: a worker that dies mid-request leaves it to the
# next fan-out after the claim expires (the request timeouts are far shorter).
CLAIM = timedelta(minutes=2)
# After a rotation the previous secret keeps signing for this long.
ROTATION_OVERLAP = timedelta(hours=24)
MAX_ENDPOINTS = 20


class EndpointData(TypedDict, total=False):
    url: str
    description: str
    events: list[str]
    is_active: bool


ENDPOINT_FIELDS = fields_of(EndpointData)


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def retry_delay(attempts_made: int) -> timedelta | None:
    """How long to wait after the `attempts_made`-th failed attempt; None: give up."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    base = timedelta(seconds=getattr(settings, "WEBHOOKS_RETRY_BASE_SECONDS", RETRY_BASE.total_seconds()))
    return retry_delays(base)[attempts_made - 1]


# --------------------------------------------------------------------------- endpoints


def _clean_events(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise DomainError(_("Choose at least one event."), field="events")
    unknown = [str(item) for item in value if item not in Event.values]
    if unknown:
        raise DomainError(_("Unknown event: %(event)s") % {"event": unknown[0]}, field="events")
    return sorted(set(value))


def _validate(endpoint: WebhookEndpoint, *, stored_url: str | None = None) -> None:
    endpoint.events = _clean_events(endpoint.events)
    endpoint.url = (endpoint.url or "").strip()
    if len(endpoint.url) > 500:
        raise DomainError(_("At most 500 characters."), field="url")
    if stored_url is not None and endpoint.url == stored_url:
        return  # an unchanged address is not resolved again here (every send checks it)
    try:
        check_url(endpoint.url)
        destination(endpoint.url)  # resolves now, so a wrong URL is said at once (checked again on every send)
    except UnsafeDestination as exc:
        raise DomainError(str(exc), field="url") from exc


def _encrypt_secret(secret: str) -> str:
    return encrypt_json({"secret": secret})


def endpoint_create(*, access: Access, **data: Unpack[EndpointData]) -> CreatedEndpoint:
    access.require(Perm.WRITE)
    organization = access.organization
    if WebhookEndpoint.objects.for_organization(organization).count() >= MAX_ENDPOINTS:
        # The organization's state (not the request) refuses it: 409, like any state conflict.
        raise Conflict(_("At most %(n)d webhook endpoints per organization.") % {"n": MAX_ENDPOINTS})
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint(
            organization=organization,
            secret_ciphertext=_encrypt_secret(secret),
            secret_prefix=secret[:12],
        )
        model_update(instance=endpoint, data=data, fields=ENDPOINT_FIELDS, validate=_validate)
        audit_log_record(access=access, action="webhook.create", obj=endpoint, changes={"url": endpoint.url})
    return CreatedEndpoint(endpoint=endpoint, secret=secret)


def endpoint_update(*, access: Access, endpoint: WebhookEndpoint, **data: Unpack[EndpointData]) -> WebhookEndpoint:
    access.require(Perm.WRITE)
    with transaction.atomic():
        endpoint = get_for_organization(WebhookEndpoint, access.organization, endpoint, lock=True)
        stored = endpoint.url
        endpoint, changed = model_update(
            instance=endpoint, data=data, fields=ENDPOINT_FIELDS, validate=lambda e: _validate(e, stored_url=stored)
        )
        if changed:
            audit_log_record(
                access=access, action="webhook.update", obj=endpoint, changes={k: str(v) for k, v in data.items()}
            )
    return endpoint


def endpoint_delete(*, access: Access, endpoint: WebhookEndpoint) -> None:
    access.require(Perm.WRITE)
    with transaction.atomic():
        endpoint = get_for_organization(WebhookEndpoint, access.organization, endpoint, lock=True)
        audit_log_record(access=access, action="webhook.delete", obj=endpoint, changes={"url": endpoint.url})
        endpoint.delete()


def endpoint_rotate_secret(*, access: Access, endpoint: WebhookEndpoint) -> str:
    """A new signing secret (returned, shown once); the current one keeps signing too for
    `ROTATION_OVERLAP`, so the receiver can switch without losing a message."""
    access.require(Perm.WRITE)
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = get_for_organization(WebhookEndpoint, access.organization, endpoint, lock=True)
        endpoint.previous_secret_ciphertext = endpoint.secret_ciphertext
        endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
        endpoint.secret_ciphertext = _encrypt_secret(secret)
        endpoint.secret_prefix = secret[:12]
        endpoint.save(
            update_fields=[
                "previous_secret_ciphertext",
                "previous_secret_expires_at",
                "secret_ciphertext",
                "secret_prefix",
                "updated_at",
            ]
        )
        audit_log_record(access=access, action="webhook.rotate_secret", obj=endpoint)
    return secret


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a request now: the current one, and the previous one during the overlap."""
    found = [str(decrypt_json(endpoint.secret_ciphertext)["secret"])]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_ciphertext and expires is not None and now < expires:
        found.append(str(decrypt_json(endpoint.previous_secret_ciphertext)["secret"]))
    return found


def secrets_rotate_all() -> int:
    """Re-encrypts every endpoint's signing secrets with the first key of FIELD_ENCRYPTION_KEYS
    (`manage.py rotate_encryption_key`). Crosses organizations on purpose (an operator command);
    returns the number of endpoints rewritten."""
    count = 0
    with transaction.atomic():
        for endpoint in WebhookEndpoint.objects.unscoped().select_for_update():
            endpoint.secret_ciphertext = rotate(endpoint.secret_ciphertext)
            if endpoint.previous_secret_ciphertext:
                endpoint.previous_secret_ciphertext = rotate(endpoint.previous_secret_ciphertext)
            endpoint.save(update_fields=["secret_ciphertext", "previous_secret_ciphertext"])
            count += 1
    return count


# --------------------------------------------------------------------------- deliveries


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def body_of(*, event: str, message_id: str, organization_slug: str, data: Mapping[str, Any], at: datetime) -> str:
    """The JSON body: `{"type", "timestamp", "id", "organization", "data"}` (Standard Webhooks' payload shape)."""
    return json.dumps(
        {
            "type": event,
            "timestamp": at.isoformat().replace("+00:00", "Z"),
            "id": message_id,
            "organization": organization_slug,
            "data": dict(data),
        },
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def _enqueue_after_commit(deliveries: Sequence[WebhookDelivery]) -> None:
    # tasks.py imports this module (its thin wrappers call the services): a real cycle at import time.
    from .tasks import deliver

    pairs = [(d.organization_id, d.pk) for d in deliveries]

    def enqueue() -> None:
        for organization_id, delivery_id in pairs:
            deliver.delay(organization_id, delivery_id)

    transaction.on_commit(enqueue, robust=True)


def record_events(organization_id: int, event: str, payloads: Sequence[Mapping[str, Any]]) -> None:
    """The event sink (`core.events`): one delivery per active endpoint subscribed to `event` and
    payload, written in the caller's transaction and sent after it commits. One query when no
    endpoint listens."""
    endpoints = list(
        WebhookEndpoint.objects.for_organization(organization_id).filter(is_active=True, events__has_item=event)
    )
    if not endpoints:
        return
    slug = Organization.objects.filter(pk=organization_id).values_list("slug", flat=True).get()
    now = timezone.now()
    rows = []
    for endpoint in endpoints:
        for payload in payloads:
            message_id = new_message_id()
            rows.append(
                WebhookDelivery(
                    organization_id=organization_id,
                    endpoint=endpoint,
                    message_id=message_id,
                    event=event,
                    body=body_of(event=event, message_id=message_id, organization_slug=slug, data=payload, at=now),
                    next_attempt_at=now,
                )
            )
    with transaction.atomic():
        created = WebhookDelivery.objects.bulk_create(rows)
    _enqueue_after_commit(created)


def endpoint_ping(*, access: Access, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test message (`ping`) to the endpoint, sent once right away (no retries)."""
    access.require(Perm.WRITE)
    with transaction.atomic():
        endpoint = get_for_organization(WebhookEndpoint, access.organization, endpoint)
        now = timezone.now()
        message_id = new_message_id()
        data = {"endpoint_id": endpoint.pk, "message": "This is a test message from SMM Platform."}
        delivery = WebhookDelivery.objects.create(
            organization=access.organization,
            endpoint=endpoint,
            message_id=message_id,
            event=PING,
            body=body_of(
                event=PING, message_id=message_id, organization_slug=access.organization.slug, data=data, at=now
            ),
            next_attempt_at=now,
        )
        _enqueue_after_commit([delivery])
    return delivery


def delivery_resend(*, access: Access, delivery: WebhookDelivery) -> WebhookDelivery:
    """Sends the same message again (same `webhook-id` and body, so the receiver can de-duplicate),
    with a fresh series of retries."""
    access.require(Perm.WRITE)
    with transaction.atomic():
        delivery = get_for_organization(WebhookDelivery, access.organization, delivery, lock=True)
        delivery.status = DeliveryStatus.PENDING
        delivery.attempt_count = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "attempt_count", "next_attempt_at"])
        _enqueue_after_commit([delivery])
    return delivery


def _claim(organization_id: int, delivery_id: int, now: datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.for_organization(organization_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None or not delivery.endpoint.is_active:
            return None
        delivery.next_attempt_at = now + CLAIM
        delivery.save(update_fields=["next_attempt_at"])
    return delivery


def attempt_delivery(*, organization_id: int, delivery_id: int, now: datetime | None = None) -> WebhookAttempt | None:
    """One attempt of a due delivery (none when it is not due, already claimed, delivered, given up
    or its endpoint paused): claim it, send, log the attempt, then done, failed or the next retry."""
    now = now or timezone.now()
    delivery = _claim(organization_id, delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    try:
        keys = signing_secrets(endpoint, now)
    except CredentialsUnreadable:
        outcome = transport.Outcome(None, 0, error=_("The signing secret cannot be read; rotate it."))
    else:
        timestamp = int(now.timestamp())
        outcome = transport.post(
            endpoint.url, signing.headers(keys, delivery.message_id, timestamp, delivery.body), delivery.body
        )
    return _record_outcome(delivery, outcome, now)


def _record_outcome(delivery: WebhookDelivery, outcome: transport.Outcome, now: datetime) -> WebhookAttempt:
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            organization_id=delivery.organization_id,
            delivery=delivery,
            attempted_at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            succeeded=outcome.succeeded,
            error=outcome.error[:300],
            response_excerpt=outcome.excerpt[:500],
        )
        delivery.attempt_count += 1
        delivery.last_status_code = outcome.status_code
        if outcome.succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        else:
            delay = None if delivery.event == PING else retry_delay(delivery.attempt_count)
            if delay is None:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + delay
        delivery.save(update_fields=["attempt_count", "last_status_code", "status", "delivered_at", "next_attempt_at"])
    return attempt


def due_deliveries(*, now: datetime | None = None, limit: int = 500) -> list[tuple[int, int]]:
    """(organization id, delivery id) of pending deliveries whose next attempt is due, across
    organizations (the caller holds an unscoped row-level-security context)."""
    now = now or timezone.now()
    rows = (
        WebhookDelivery.objects.unscoped()
        .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True)
        .order_by("next_attempt_at", "id")
        .values_list("organization_id", "id")[:limit]
    )
    return list(rows)
