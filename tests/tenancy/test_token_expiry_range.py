"""API token expiry at the edge of the calendar (found by probing): a token created to expire at
9999-12-31T23:59:59Z was stored, and then the tokens page crashed showing it in the organization's
timezone (UTC+3 is past year 9999). The expiry is now range-checked before it is stored."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from tenancy.models import ApiToken

pytestmark = pytest.mark.django_db

RANGE_MESSAGE = "Choose a date between 01/01/2000 and 12/31/2099."


@pytest.fixture
def moscow_org(org):
    org.timezone = "Europe/Moscow"
    org.save(update_fields=["timezone"])
    return org


@pytest.fixture(params=["UTC", "Europe/Moscow", "Pacific/Kiritimati"])
def current_timezone(request):
    """The API converts input times to the current timezone; the answer must not depend on it."""
    with timezone.override(zoneinfo.ZoneInfo(request.param)):
        yield request.param


@pytest.mark.parametrize(
    "expires_at",
    [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59+14:00",
        "9999-12-31T23:59:59-12:00",
        "2100-01-01T00:00:00Z",
        "2099-12-31T23:00:00-12:00",  # 2100-01-01 in UTC
        "0001-01-01T00:00Z",
        "1999-12-31T23:59:59Z",
    ],
)
def test_api_refuses_an_expiry_outside_the_calendar_range(owner_client, moscow_org, current_timezone, expires_at):
    response = owner_client.post(
        f"/api/v1/orgs/{moscow_org.slug}/tokens/", {"name": "CRM", "scopes": ["read"], "expires_at": expires_at}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"expires_at": [RANGE_MESSAGE]}
    assert not ApiToken.objects.exists()


def test_api_accepts_the_last_moment_of_the_range_and_lists_it(owner_client, moscow_org, current_timezone):
    url = f"/api/v1/orgs/{moscow_org.slug}/tokens/"

    created = owner_client.post(url, {"name": "CRM", "scopes": ["read"], "expires_at": "2099-12-31T23:59:59Z"})
    listed = owner_client.get(url)

    assert created.status_code == 201
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()["results"]] == ["CRM"]
    assert ApiToken.objects.get().expires_at == dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@pytest.mark.parametrize("expires_at", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_form_refuses_an_expiry_outside_the_calendar_range(owner_web, moscow_org, expires_at):
    response = owner_web.post(
        f"/o/{moscow_org.slug}/settings/tokens/", {"name": "CRM", "scopes": ["read"], "expires_at": expires_at}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"expires_at": [RANGE_MESSAGE]}
    assert not ApiToken.objects.exists()


def test_tokens_page_shows_a_far_expiry_in_the_organization_timezone(owner_web, moscow_org):
    owner_web.post(
        f"/o/{moscow_org.slug}/settings/tokens/",
        {"name": "CRM", "scopes": ["read"], "expires_at": "2099-12-31T23:59"},
    )

    response = owner_web.get(f"/o/{moscow_org.slug}/settings/tokens/")

    assert response.status_code == 200
    assert ApiToken.objects.get().expires_at == dt.datetime(2099, 12, 31, 20, 59, tzinfo=dt.UTC)
    assert "12/31/2099 11:59 p.m." in response.content.decode()
