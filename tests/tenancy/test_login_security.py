"""Password spraying is locked per IP; the client IP comes from X-Forwarded-For only via a trusted proxy."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from core.net import client_ip

pytestmark = pytest.mark.django_db


def test_spraying_many_user_names_from_one_ip_is_locked(client, owner, settings):
    assert settings.AXES_IP_FAILURE_LIMIT == 20
    statuses = [
        client.post(reverse("login"), {"username": f"victim{n}@example.com", "password": "Winter2026!"}).status_code
        for n in range(20)
    ]
    # Each user name failed once (far below the per-user limit of 5), yet the 20th failure locks the IP.
    assert statuses == [200] * 19 + [429]
    # Now even the right password of a real user is refused from this IP,
    response = client.post(reverse("login"), {"username": owner.username, "password": "pass-Word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # while another IP is not affected.
    response = client.post(
        reverse("login"), {"username": owner.username, "password": "pass-Word-123"}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302


def test_below_the_ip_limit_a_real_user_still_signs_in(client, owner):
    for n in range(19):
        client.post(reverse("login"), {"username": f"victim{n}@example.com", "password": "Winter2026!"})
    response = client.post(reverse("login"), {"username": owner.username, "password": "pass-Word-123"})
    assert response.status_code == 302


def test_forged_forwarded_for_without_a_trusted_proxy_does_not_change_the_ip(client, settings):
    assert settings.TRUSTED_PROXIES == []
    for n in range(3):
        client.post(
            reverse("login"),
            {"username": "someone@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [("127.0.0.1", 3)]


def test_forwarded_for_from_a_trusted_proxy_gives_the_client_ip(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    client.post(
        reverse("login"),
        {"username": "someone@example.com", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.5", "", "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not a proxy: header ignored
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own prefix is not believed
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"),  # a chain of trusted proxies
        ("10.0.0.2", "10.0.0.4, 10.0.0.3", "10.0.0.4"),
        ("10.0.0.2", "junk", "10.0.0.2"),
    ],
)
def test_client_ip(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
