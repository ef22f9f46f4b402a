"""M3: API rate limits per token / user and per organization; fail open without the cache."""

import logging

import pytest
from rest_framework.test import APIClient

from smm_platform.api.throttling import PrincipalRateThrottle
from tenancy.roles import Role

from ..conftest import access_of
from .factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle-tests"}}


@pytest.fixture
def small_rates(settings):
    settings.CACHES = LOCMEM
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "organization": "5/min"}
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def two_orgs(make_token):
    orgs = {}
    for slug in ("alpha", "beta"):
        org = OrganizationFactory(slug=slug)
        owner = MembershipFactory(organization=org, role=Role.OWNER).user
        orgs[slug] = (org, access_of(org, owner, Role.OWNER))
    return orgs


def test_burst_of_org_b_does_not_throttle_org_a(small_rates, two_orgs, make_token):
    a = bearer(make_token(two_orgs["alpha"][1]).secret)
    b = bearer(make_token(two_orgs["beta"][1]).secret)
    assert [b.get("/api/v1/orgs/beta/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert a.get("/api/v1/orgs/alpha/").status_code == 200


def test_each_token_has_its_own_bucket_and_the_organization_caps_them_all(small_rates, two_orgs, make_token):
    access = two_orgs["alpha"][1]
    first = bearer(make_token(access, name="CRM 1").secret)
    second = bearer(make_token(access, name="CRM 2").secret)
    assert [first.get("/api/v1/orgs/alpha/").status_code for _ in range(3)] == [200, 200, 200]
    # The second token starts with its own bucket, until the organization's 5/min is used up (3 + 2).
    assert [second.get("/api/v1/orgs/alpha/").status_code for _ in range(3)] == [200, 200, 429]
    response = second.get("/api/v1/orgs/alpha/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    # Another organization is untouched.
    other = bearer(make_token(two_orgs["beta"][1]).secret)
    assert other.get("/api/v1/orgs/beta/").status_code == 200


def test_session_users_are_throttled_per_user(small_rates, two_orgs):
    org, access = two_orgs["alpha"]
    colleague = MembershipFactory(organization=org, role=Role.MARKETER).user
    first, second = APIClient(), APIClient()
    first.force_authenticate(access.user)
    second.force_authenticate(colleague)
    assert [first.get("/api/v1/orgs/alpha/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/orgs/alpha/").status_code == 200


def test_throttling_fails_open_when_the_cache_is_down(settings, two_orgs, make_token, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"user": "1/min", "organization": "1/min"}
    }
    client = bearer(make_token(two_orgs["alpha"][1]).secret)
    with caplog.at_level(logging.WARNING, logger="core.throttling"):
        statuses = [client.get("/api/v1/orgs/alpha/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    warnings = [r for r in caplog.records if r.name == "core.throttling"]
    assert len(warnings) == 6  # two throttles x three requests
    assert warnings[0].getMessage() == "Rate-limit cache unavailable; request allowed"


def test_token_and_user_keys_never_collide(two_orgs, make_token, rf):
    created = make_token(two_orgs["alpha"][1])
    request = rf.get("/")
    request.auth, request.user = created.token, type("U", (), {"is_authenticated": True, "pk": None})()
    assert PrincipalRateThrottle().get_cache_key(request, None) == f"throttle_user_token-{created.token.pk}"
