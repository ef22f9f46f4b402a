"""M2: an organization's timezone is active only during its own request."""

import datetime as dt

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from tenancy.middleware import OrganizationTimezoneMiddleware, activate_organization_timezone
from tenancy.models import ApiToken
from tenancy.roles import Role

from .factories import ApiTokenFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_interleaved_requests_of_two_organizations_keep_their_own_timezone():
    vlad = OrganizationFactory(slug="vlad", timezone="Asia/Vladivostok")  # UTC+10
    kali = OrganizationFactory(slug="kali", timezone="Europe/Kaliningrad")  # UTC+2
    user = UserFactory()
    for org in (vlad, kali):
        MembershipFactory(organization=org, user=user, role=Role.OWNER)
    web = Client()
    web.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    api = APIClient()
    api.force_authenticate(user)

    # Given Vladivostok's page was just served by this thread,
    assert web.get("/o/vlad/").status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"

    # when Kaliningrad's API stores a naive datetime, it is read as Kaliningrad time
    response = api.post(
        "/api/v1/orgs/kali/tokens/",
        {"name": "CRM", "scopes": ["read"], "expires_at": "2030-01-01T12:00:00"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["expires_at"] == "2030-01-01T12:00:00+02:00"
    token = ApiToken.objects.get(organization=kali)
    assert token.expires_at == dt.datetime(2030, 1, 1, 10, 0, tzinfo=dt.UTC)
    assert timezone.get_current_timezone_name() == "UTC"

    # and Vladivostok's API shows the same instant in its own offset, then Kaliningrad's again in its own.
    token_in_vlad = ApiTokenFactory(organization=vlad, expires_at=token.expires_at)
    response = api.get(f"/api/v1/orgs/vlad/tokens/{token_in_vlad.pk}/")
    assert response.json()["expires_at"] == "2030-01-01T20:00:00+10:00"
    response = api.get(f"/api/v1/orgs/kali/tokens/{token.pk}/")
    assert response.json()["expires_at"] == "2030-01-01T12:00:00+02:00"
    assert timezone.get_current_timezone_name() == "UTC"


def test_middleware_resets_the_timezone_even_when_the_view_raises():
    org = OrganizationFactory(timezone="Asia/Vladivostok")

    def view(request):
        activate_organization_timezone(org)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        OrganizationTimezoneMiddleware(view)(RequestFactory().get("/"))
    assert timezone.get_current_timezone_name() == "UTC"


def test_middleware_starts_every_request_in_utc():
    timezone.activate(dt.timezone(dt.timedelta(hours=5)))  # left behind by code outside a request
    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())

    try:
        OrganizationTimezoneMiddleware(view)(RequestFactory().get("/"))
    finally:
        timezone.deactivate()
    assert seen == ["UTC"]
