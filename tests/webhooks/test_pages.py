"""The webhooks settings pages: create with the secret shown once, actions, the deliveries log
(constant queries, paginated), permissions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tenancy.roles import Role
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .conftest import receiver_url

pytestmark = pytest.mark.django_db


def _deliveries(endpoint, n):
    now = timezone.now()
    for i in range(n):
        delivery = WebhookDelivery.objects.create(
            organization=endpoint.organization,
            endpoint=endpoint,
            message_id=f"msg_{endpoint.pk}_{i}_{WebhookDelivery.objects.count()}",
            event="sale.recorded",
            body="{}",
            status=DeliveryStatus.FAILED,
            attempt_count=2,
            last_status_code=500,
        )
        for k in range(2):
            WebhookAttempt.objects.create(
                organization=endpoint.organization,
                delivery=delivery,
                attempted_at=now + dt.timedelta(minutes=k),
                status_code=500,
                duration_ms=12,
                error="",
            )


def test_create_shows_the_secret_once(org, owner_web, receiver):
    page = reverse("webhooks:endpoints", kwargs={"org_slug": org.slug})
    assert owner_web.get(page).status_code == 200
    response = owner_web.post(
        page, {"url": receiver_url(receiver), "description": "CRM", "events": ["sale.recorded", "report.ready"]}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"/settings/webhooks/{endpoint.pk}/")
    first = owner_web.get(response.url).content.decode()
    assert 'data-testid="webhook-secret"' in first
    assert "whsec_" in first
    again = owner_web.get(response.url).content.decode()
    assert 'data-testid="webhook-secret"' not in again


def test_form_errors_are_shown_not_500(org, owner_web, dns):
    dns["internal.example.test"] = ["10.0.0.1"]
    page = reverse("webhooks:endpoints", kwargs={"org_slug": org.slug})
    response = owner_web.post(page, {"url": "https://internal.example.test/", "events": ["sale.recorded"]})
    assert response.status_code == 200
    assert "private or reserved" in response.content.decode()
    response = owner_web.post(page, {"url": "https://internal.example.test/"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_actions_pause_rotate_ping_resend_delete(
    org, owner_web, owner_access, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(owner_access).endpoint
    receiver.expect_request("/hook").respond_with_data("ok")
    kwargs = {"org_slug": org.slug, "pk": endpoint.pk}
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_web.post(reverse("webhooks:endpoint_ping", kwargs=kwargs)).status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    page = owner_web.get(reverse("webhooks:endpoint", kwargs=kwargs)).content.decode()
    assert "HTTP 200" in page
    assert delivery.message_id in page
    with django_capture_on_commit_callbacks(execute=True):
        owner_web.post(reverse("webhooks:delivery_resend", kwargs={"org_slug": org.slug, "pk": delivery.pk}))
    assert WebhookAttempt.objects.count() == 2
    owner_web.post(reverse("webhooks:endpoint_toggle", kwargs=kwargs))
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    before = endpoint.secret_ciphertext
    response = owner_web.post(reverse("webhooks:endpoint_rotate", kwargs=kwargs))
    endpoint.refresh_from_db()
    assert endpoint.secret_ciphertext != before
    assert endpoint.previous_secret_ciphertext == before
    assert "whsec_" in owner_web.get(response.url).content.decode()
    owner_web.post(reverse("webhooks:endpoint_delete", kwargs=kwargs))
    assert not WebhookEndpoint.objects.exists()


def test_the_deliveries_page_has_a_constant_number_of_queries(
    org, owner_web, owner_access, make_endpoint, django_assert_max_num_queries
):
    endpoint = make_endpoint(owner_access).endpoint
    url = reverse("webhooks:endpoint", kwargs={"org_slug": org.slug, "pk": endpoint.pk})
    _deliveries(endpoint, 3)
    owner_web.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert owner_web.get(url).status_code == 200
    _deliveries(endpoint, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = owner_web.get(url)
    assert page.status_code == 200
    assert page.context["is_paginated"]
    assert len(page.context["object_list"]) == 50
    assert owner_web.get(url + "?page=2").status_code == 200


@pytest.mark.parametrize("role", [Role.MARKETER, Role.ANALYST, Role.CLIENT])
def test_only_owners_and_admins_manage_webhooks(org, client, make_member, role, owner_access, make_endpoint):
    endpoint = make_endpoint(owner_access).endpoint
    client.force_login(make_member(org, role).user)
    assert client.get(reverse("webhooks:endpoints", kwargs={"org_slug": org.slug})).status_code == 403
    assert (
        client.post(reverse("webhooks:endpoint_delete", kwargs={"org_slug": org.slug, "pk": endpoint.pk})).status_code
        == 403
    )
    assert WebhookEndpoint.objects.exists()
