"""Reads of outbound webhooks shared by the settings page and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from tenancy.models import Organization
from tenancy.scoping import get_for_organization

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoint_list(*, organization: Organization | int) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.for_organization(organization).order_by("id")


def access_endpoint(*, organization: Organization | int, endpoint_id: object) -> WebhookEndpoint:
    return get_for_organization(WebhookEndpoint, organization, endpoint_id)


def delivery_list(
    *, organization: Organization | int, endpoint: WebhookEndpoint | None = None
) -> QuerySet[WebhookDelivery]:
    """Newest first, with their endpoint (one query for a page of deliveries)."""
    rows = WebhookDelivery.objects.for_organization(organization).select_related("endpoint")
    if endpoint is not None:
        rows = rows.filter(endpoint=endpoint)
    return rows.order_by("-created_at", "-id")


def access_delivery(*, organization: Organization | int, delivery_id: object) -> WebhookDelivery:
    rows = WebhookDelivery.objects.for_organization(organization).select_related("endpoint")
    return get_for_organization(rows, organization, delivery_id)


def attempt_list(*, organization: Organization | int, delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return (
        WebhookAttempt.objects.for_organization(organization).filter(delivery=delivery).order_by("attempted_at", "id")
    )
