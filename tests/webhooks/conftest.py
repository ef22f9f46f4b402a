"""Webhook test helpers: a fake DNS (tests choose what a host name resolves to), a local receiver
(pytest-httpserver on 127.0.0.1, reachable only because these tests turn loopback on), endpoints
and an independent signature verifier written from the Standard Webhooks specification."""

import base64
import hashlib
import hmac

import pytest

from core.events import Event
from webhooks import safety, services


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def dns(monkeypatch):
    """host → list of addresses, or a callable returning one per lookup; records every lookup."""
    table: dict = {}
    lookups: list[str] = []

    def resolve(host, port):
        lookups.append(host)
        if host not in table:
            raise OSError("Name or service not known")
        value = table[host]
        return list(value() if callable(value) else value)

    monkeypatch.setattr(safety, "resolve", resolve)
    table["__lookups__"] = lookups
    return table


@pytest.fixture
def receiver(httpserver, settings, dns):
    """The local receiver, known as receiver.test (resolved to 127.0.0.1 by the fake DNS)."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    dns["receiver.test"] = ["127.0.0.1"]
    return httpserver


def receiver_url(httpserver, path="/hook") -> str:
    return f"http://receiver.test:{httpserver.port}{path}"


@pytest.fixture
def make_endpoint(receiver):
    def make(access, events=(Event.SALE_RECORDED,), path="/hook", **kwargs):
        return services.endpoint_create(access=access, url=receiver_url(receiver, path), events=list(events), **kwargs)

    return make


def verify(secret: str, headers, body: str) -> bool:
    """Standard Webhooks, section "Verifying": HMAC-SHA256 keyed with the base64-decoded part of
    `whsec_…` over `{webhook-id}.{webhook-timestamp}.{body}`, base64, compared with each `v1,`
    entry of the space-separated `webhook-signature` header (written independently of the app)."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in headers["webhook-signature"].split(" "):
        version, _, value = entry.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False
