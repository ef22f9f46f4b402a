"""The integrator guide is served and linked from /api/docs/, and its signature-verification
snippet verifies a real delivery."""

import re
import time

import pytest
from django.utils import timezone

from core.events import Event, emit
from tests.paths import REPO_ROOT
from webhooks import services
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

GUIDE = REPO_ROOT / "docs" / "api.md"


def _snippet_verify():
    text = GUIDE.read_text(encoding="utf-8")
    [code] = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify" in block]
    namespace: dict = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)  # noqa: S102 - the documented snippet itself
    return namespace["verify"]


def test_the_documented_snippet_verifies_a_delivery(org, owner_access, make_endpoint, receiver):
    verify = _snippet_verify()
    created = make_endpoint(owner_access, events=[Event.LEAD_ATTRIBUTED])
    receiver.expect_request("/hook").respond_with_data("ok")
    emit(org.pk, Event.LEAD_ATTRIBUTED, {"lead_id": 1, "platform": "vk"})
    services.attempt_delivery(organization_id=org.pk, delivery_id=WebhookDelivery.objects.get().pk)
    [(request, _response)] = receiver.log
    headers = {k.lower(): v for k, v in request.headers.items()}
    body = request.get_data()
    assert verify(created.secret, headers, body)
    assert not verify(created.secret, headers, body + b" ")
    assert not verify(services.signing.new_secret(), headers, body)
    old = dict(headers, **{"webhook-timestamp": str(int(time.time()) - 3600)})
    assert not verify(created.secret, old, body)


def test_the_guide_is_served_and_linked_from_the_api_docs(client):
    response = client.get("/api/guide/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    assert "## English" in text
    assert "## Русский" in text
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/guide/" in schema["info"]["description"]


def test_the_guide_names_every_event_and_the_retry_schedule():
    text = GUIDE.read_text(encoding="utf-8")
    for event in Event.values:
        assert f"`{event}`" in text, event
    assert len(services.RETRY_DELAYS) + 1 == services.MAX_ATTEMPTS == 8
    total = sum(services.RETRY_DELAYS, timezone.timedelta())
    assert 18 * 3600 < total.total_seconds() < 20 * 3600  # "about 19 hours"
