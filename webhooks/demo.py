"""The demo organization's webhook: a subscribed endpoint with a delivered test message and a
failed event, so the settings page shows a log. Runs once (the endpoint present means it has run);
no request is made."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.events import Event
from tenancy.models import Organization

from . import signing
from .models import PING, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .services import _encrypt_secret, body_of, new_message_id

DEMO_URL = "https://crm.example.com/hooks/smm-platform"


def seed(*, organization: Organization, users: dict) -> None:
    if WebhookEndpoint.objects.for_organization(organization).filter(url=DEMO_URL).exists():
        return
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=DEMO_URL,
        description="CRM",
        events=[Event.LEAD_ATTRIBUTED, Event.SALE_RECORDED, Event.REPORT_READY],
        # Paused: the demo address is not a real receiver, so nothing is sent to it.
        is_active=False,
        secret_ciphertext=_encrypt_secret(secret),
        secret_prefix=secret[:12],
    )
    now = timezone.now()
    examples = [
        (PING, {"endpoint_id": endpoint.pk, "message": "This is a test message from SMM Platform."}, 200, True),
        (Event.SALE_RECORDED, {"sale_id": 1, "external_id": "ZRN-S-demo", "amount": "4900.00"}, 503, False),
    ]
    for index, (event, data, code, ok) in enumerate(examples):
        at = now - timedelta(hours=2 - index)
        message_id = new_message_id()
        delivery = WebhookDelivery.objects.create(
            organization=organization,
            endpoint=endpoint,
            message_id=message_id,
            event=event,
            body=body_of(event=event, message_id=message_id, organization_slug=organization.slug, data=data, at=at),
            status=DeliveryStatus.SUCCEEDED if ok else DeliveryStatus.FAILED,
            attempt_count=1,
            last_status_code=code,
            delivered_at=at if ok else None,
        )
        WebhookAttempt.objects.create(
            organization=organization,
            delivery=delivery,
            attempted_at=at,
            status_code=code,
            duration_ms=120 + 40 * index,
            succeeded=ok,
            response_excerpt="ok" if ok else "Service Unavailable",
        )
