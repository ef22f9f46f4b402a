"""SSRF: only https to public addresses, checked after DNS resolution, connected to the checked
address (DNS rebinding cannot switch it), no redirects; loopback only where a test turns it on."""

import pytest
from rest_framework.test import APIClient

from core.errors import DomainError
from core.events import Event
from webhooks import safety, services, transport
from webhooks.models import WebhookDelivery

from .conftest import receiver_url

pytestmark = pytest.mark.django_db

REFUSED = [
    "10.0.0.5",  # private
    "172.16.3.4",
    "192.168.1.1",
    "127.0.0.1",  # loopback (not allowed by default)
    "127.5.6.7",
    "169.254.169.254",  # link-local: the cloud metadata service
    "224.0.0.251",  # multicast
    "240.0.0.1",  # reserved
    "0.0.0.0",  # noqa: S104 - unspecified
    "100.64.0.1",  # shared address space (CGNAT)
    "::1",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:10.0.0.1",  # IPv4 inside IPv6
    "::ffff:127.0.0.1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_a_host_resolving_to_a_non_public_address_is_refused(dns, address):
    dns["hooks.example.test"] = [address]
    with pytest.raises(safety.UnsafeDestination):
        safety.destination("https://hooks.example.test/in")


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "169.254.169.254", "[::1]", "[fe80::1]", "2130706433"])
def test_literal_addresses_are_checked_too(dns, address):
    with pytest.raises(safety.UnsafeDestination):
        safety.destination(f"https://{address}/in")


def test_one_private_address_among_public_ones_is_enough_to_refuse(dns):
    dns["mixed.example.test"] = ["93.184.216.34", "10.1.2.3"]
    with pytest.raises(safety.UnsafeDestination):
        safety.destination("https://mixed.example.test/")


def test_a_public_address_is_accepted_and_used(dns):
    dns["hooks.example.test"] = ["93.184.216.34"]
    target = safety.destination("https://hooks.example.test:8443/in?x=1")
    assert target.connect_url == "https://93.184.216.34:8443/in?x=1"
    assert target.host_header == "hooks.example.test:8443"


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.test/in",  # not https
        "ftp://hooks.example.test/in",
        "https://user:pass@hooks.example.test/in",  # credentials
        "https:///in",
        "https://hooks.example.test:99999/",
        "javascript:alert(1)",
    ],
)
def test_bad_urls_are_refused(dns, url):
    dns["hooks.example.test"] = ["93.184.216.34"]
    with pytest.raises(safety.UnsafeDestination):
        safety.destination(url)


def test_an_unresolvable_host_is_refused(dns):
    with pytest.raises(safety.UnsafeDestination):
        safety.destination("https://nowhere.example.test/")


def test_creating_an_endpoint_to_a_private_address_is_a_field_error(dns, owner_access):
    dns["internal.example.test"] = ["10.0.0.8"]
    with pytest.raises(DomainError) as refused:
        services.endpoint_create(access=owner_access, url="https://internal.example.test/", events=["sale.recorded"])
    assert "url" in refused.value.fields


def test_loopback_is_refused_unless_the_setting_allows_it(org, owner_access, make_endpoint, receiver, settings):
    created = make_endpoint(owner_access)  # allowed while the test receiver is on
    receiver.expect_request("/hook").respond_with_data("ok")
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    outcome = transport.post(created.endpoint.url, {}, "{}")
    assert outcome.status_code is None
    assert outcome.error
    with pytest.raises(safety.UnsafeDestination, match="private or reserved"):
        safety.destination(f"https://receiver.test:{receiver.port}/hook")
    assert receiver.log == []
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert transport.post(created.endpoint.url, {}, "{}").status_code == 200


def test_plain_http_is_only_for_loopback_even_in_tests(dns, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    dns["public.example.test"] = ["93.184.216.34"]
    with pytest.raises(safety.UnsafeDestination):
        safety.destination("http://public.example.test/")


def test_dns_rebinding_to_a_private_address_is_refused_at_send_time(org, owner_access, dns, settings, httpserver):
    """The name was public when subscribed, then answers with a private address: nothing is sent."""
    dns["rebind.example.test"] = ["93.184.216.34"]
    created = services.endpoint_create(
        access=owner_access, url="https://rebind.example.test/h", events=["sale.recorded"]
    )
    dns["rebind.example.test"] = ["127.0.0.1"]
    from core.events import emit

    emit(org.pk, Event.SALE_RECORDED, {"sale_id": 1})
    attempt = services.attempt_delivery(organization_id=org.pk, delivery_id=WebhookDelivery.objects.get().pk)
    assert attempt.status_code is None
    assert not attempt.succeeded
    assert "private or reserved" in attempt.error
    assert httpserver.log == []
    assert created.endpoint.pk


def test_the_request_goes_to_the_checked_address_without_a_second_lookup(org, owner_access, receiver, dns):
    """One lookup per attempt; a rebinding answer on a second lookup would not be used anyway."""
    answers = iter([["127.0.0.1"], ["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    dns["flip.test"] = lambda: next(answers)
    receiver.expect_request("/hook").respond_with_data("ok")
    url = f"http://flip.test:{receiver.port}/hook"
    services.endpoint_create(access=owner_access, url=url, events=["sale.recorded"])  # lookup 1
    lookups = dns["__lookups__"]
    before = len(lookups)
    outcome = transport.post(url, {}, "{}")  # lookup 2: 127.0.0.1, then connects there
    assert outcome.status_code == 200
    assert len(lookups) == before + 1
    assert receiver.log[0][0].headers["Host"] == f"flip.test:{receiver.port}"
    refused = transport.post(url, {}, "{}")  # lookup 3: private, refused before any connection
    assert refused.status_code is None
    assert len(receiver.log) == 1


def test_the_api_refuses_private_urls_with_a_field_message(org, owner_access, make_token, dns):
    dns["internal.example.test"] = ["192.168.0.10"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner_access).secret}")
    response = client.post(
        f"/api/v1/orgs/{org.slug}/webhooks/",
        {"url": "https://internal.example.test/", "events": ["sale.recorded"]},
        format="json",
    )
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]


def test_receiver_url_helper_is_loopback(receiver):
    assert receiver_url(receiver).startswith("http://receiver.test:")
