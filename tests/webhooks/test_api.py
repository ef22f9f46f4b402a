"""The webhooks API: CRUD with the secret shown once, rotate, ping, deliveries and re-send; read
tokens read, write tokens change; another organization's rows answer 404."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.events import Event, emit
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import receiver_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org, owner_access, make_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner_access).secret}")
    return client


@pytest.fixture
def base(org):
    return f"/api/v1/orgs/{org.slug}/webhooks/"


def test_create_shows_the_secret_once_then_list_update_delete(api, base, receiver):
    url = receiver_url(receiver)
    created = api.post(
        base, {"url": url, "events": ["sale.recorded", "lead.attributed"], "description": "CRM"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret_prefix"] == body["secret"][:12]
    assert body["events"] == ["lead.attributed", "sale.recorded"]
    assert body["is_active"] is True

    listed = api.get(base).json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]
    one = api.get(f"{base}{body['id']}/").json()
    assert "secret" not in one
    assert one["url"] == url

    patched = api.patch(f"{base}{body['id']}/", {"events": ["report.ready"], "is_active": False}, format="json")
    assert patched.status_code == 200
    assert patched.json()["events"] == ["report.ready"]
    assert patched.json()["is_active"] is False

    assert api.delete(f"{base}{body['id']}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"url": "https://x.example.test/", "events": []},
        {"url": "https://x.example.test/", "events": ["lead.created"]},
        {"url": "https://x.example.test/"},
        {"events": ["sale.recorded"]},
        {"url": "http://x.example.test/", "events": ["sale.recorded"]},
        {"url": "not a url", "events": ["sale.recorded"]},
        {"url": "https://x.example.test/", "events": "sale.recorded"},
    ],
)
def test_bad_input_is_a_400_with_field_messages(api, base, dns, payload):
    dns["x.example.test"] = ["93.184.216.34"]
    response = api.post(base, payload, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_rotate_ping_deliveries_and_resend(
    org, api, base, owner_access, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    created = make_endpoint(owner_access)
    receiver.expect_request("/hook").respond_with_data("ok")
    rotated = api.post(f"{base}{created.endpoint.pk}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["previous_secret_expires_at"]

    with django_capture_on_commit_callbacks(execute=True):
        pinged = api.post(f"{base}{created.endpoint.pk}/ping/")
    assert pinged.status_code == 202
    assert pinged.json()["event"] == "ping"

    deliveries = api.get(f"{base}deliveries/", {"endpoint": created.endpoint.pk}).json()["results"]
    [ping] = deliveries
    assert ping["status"] == "succeeded"
    assert ping["attempts"][0]["status_code"] == 200
    assert ping["payload"]["type"] == "ping"

    with django_capture_on_commit_callbacks(execute=True):
        resent = api.post(f"{base}deliveries/{ping['id']}/resend/")
    assert resent.status_code == 202
    assert len(api.get(f"{base}deliveries/{ping['id']}/").json()["attempts"]) == 2
    assert api.get(f"{base}deliveries/", {"status": "nonsense"}).status_code == 400


def test_a_read_token_reads_but_does_not_change(org, owner_access, make_token, make_endpoint, base):
    created = make_endpoint(owner_access)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner_access, scopes=('read',)).secret}")
    assert client.get(base).status_code == 200
    assert client.get(f"{base}deliveries/").status_code == 200
    assert (
        client.post(base, {"url": created.endpoint.url, "events": ["sale.recorded"]}, format="json").status_code == 403
    )
    assert client.post(f"{base}{created.endpoint.pk}/ping/").status_code == 403
    assert client.delete(f"{base}{created.endpoint.pk}/").status_code == 403


def test_another_organizations_endpoints_and_deliveries_are_404(
    org, other_org, make_member, make_token, owner_access, make_endpoint
):
    created = make_endpoint(owner_access)
    emit(org.pk, Event.SALE_RECORDED, {"sale_id": 1})
    delivery = WebhookDelivery.objects.get()
    from tenancy.roles import Role
    from tests.conftest import access_of

    intruder = access_of(other_org, make_member(other_org, role=Role.OWNER).user, Role.OWNER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(intruder).secret}")
    theirs = f"/api/v1/orgs/{other_org.slug}/webhooks/"
    mine = f"/api/v1/orgs/{org.slug}/webhooks/"
    assert client.get(theirs).json()["results"] == []
    assert client.get(f"{theirs}deliveries/").json()["results"] == []
    for method, path in [
        ("get", f"{theirs}{created.endpoint.pk}/"),
        ("patch", f"{theirs}{created.endpoint.pk}/"),
        ("delete", f"{theirs}{created.endpoint.pk}/"),
        ("post", f"{theirs}{created.endpoint.pk}/ping/"),
        ("post", f"{theirs}{created.endpoint.pk}/rotate-secret/"),
        ("get", f"{theirs}deliveries/{delivery.pk}/"),
        ("post", f"{theirs}deliveries/{delivery.pk}/resend/"),
        ("get", f"{mine}"),
        ("get", f"{mine}deliveries/"),
    ]:
        assert getattr(client, method)(path, {}, format="json").status_code == 404, (method, path)
    assert client.get(f"{theirs}deliveries/", {"endpoint": created.endpoint.pk}).status_code == 400
    assert WebhookDelivery.objects.get().attempt_count == 0
    assert WebhookEndpoint.objects.get().secret_ciphertext == created.endpoint.secret_ciphertext


def test_the_schema_describes_the_webhooks_api(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = [p for p in schema["paths"] if "/webhooks/" in p]
    assert "/api/v1/orgs/{org_slug}/webhooks/" in paths
    assert "/api/v1/orgs/{org_slug}/webhooks/{id}/rotate-secret/" in paths
    assert "/api/v1/orgs/{org_slug}/webhooks/deliveries/{id}/resend/" in paths
    assert "/api/guide/" in schema["info"]["description"]


def test_delete_keeps_other_endpoints(org, owner_access, make_endpoint):
    first = make_endpoint(owner_access).endpoint
    second = make_endpoint(owner_access, path="/other").endpoint
    services.endpoint_delete(access=owner_access, endpoint=first)
    assert list(WebhookEndpoint.objects.values_list("pk", flat=True)) == [second.pk]


def test_endpoint_list_queries_do_not_grow_with_endpoints(api, base, org, owner_access, make_endpoint):
    """2 and 12 endpoints are listed with the same number of queries."""
    api.get(base)  # the token's first use of the day is recorded once
    counts = []
    for n in (2, 10):
        for i in range(n):
            make_endpoint(
                owner_access, events=(Event.SALE_RECORDED, Event.LEAD_ATTRIBUTED), path=f"/h{len(counts)}-{i}"
            )
        with CaptureQueriesContext(connection) as captured:
            listed = api.get(base).json()
        assert {e["id"] for e in listed["results"]} == set(
            WebhookEndpoint.objects.for_organization(org).values_list("pk", flat=True)
        )
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 20


@pytest.mark.parametrize(
    "url",
    [
        "http://x.example.test/",
        "ftp://x.example.test/",
        "https://user:pw@x.example.test/",
        "https://x.example.test:99999/",
    ],
)
def test_the_schema_states_the_https_url_the_server_requires(api, base, dns, settings, url):
    """A URL outside the schema's pattern is refused (outside the development loopback setting)."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    dns["x.example.test"] = ["93.184.216.34"]
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    pattern = schema["components"]["schemas"]["WebhookEndpointRequest"]["properties"]["url"]["pattern"]
    assert re.search(pattern, "https://x.example.test/hooks?a=1")
    assert not re.search(pattern, url)
    response = api.post(base, {"url": url, "events": ["sale.recorded"]}, format="json")
    assert "url" in response.json()["error"]["fields"], response.json()


def test_a_change_that_keeps_the_address_does_not_resolve_it_again(api, base, make_endpoint, owner_access, dns):
    endpoint = make_endpoint(owner_access).endpoint
    dns.pop("receiver.test")  # the host no longer resolves: a send would be refused, an edit is not
    patched = api.patch(f"{base}{endpoint.pk}/", {}, format="json")
    assert patched.status_code == 200, patched.content
    described = api.patch(f"{base}{endpoint.pk}/", {"description": "CRM"}, format="json")
    assert described.status_code == 200, described.content
    moved = api.patch(f"{base}{endpoint.pk}/", {"url": "https://gone.test/hook"}, format="json")
    assert moved.status_code == 400
    assert "url" in moved.json()["error"]["fields"]


def test_the_twenty_first_endpoint_is_a_409_conflict(api, base, make_endpoint, owner_access, receiver):
    for index in range(services.MAX_ENDPOINTS):
        make_endpoint(owner_access, path=f"/hook{index}")
    refused = api.post(base, {"url": receiver_url(receiver, "/more"), "events": ["sale.recorded"]}, format="json")
    assert refused.status_code == 409, refused.content
    assert refused.json()["error"]["code"] == "conflict"
    assert WebhookEndpoint.objects.count() == services.MAX_ENDPOINTS
