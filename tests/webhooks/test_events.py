"""Each app emits its events where the thing happens (core.events), and the webhooks sink turns
them into deliveries for the subscribed endpoints only."""

import datetime as dt
import json

import pytest

from content import publishing
from core import events
from core.events import Event
from crm.services import upsert_leads, upsert_sales
from integrations.connectors.base import InvalidRequest
from integrations.models import Platform
from integrations.sync import account_sync
from moderation import services as moderation_services
from moderation.models import Sentiment
from reports.services import report_generate
from tests.content.publishing_support import due_post
from tests.integrations.factories import SocialAccountFactory
from tests.integrations.sync_support import Scripted, vk_account
from tests.moderation.factories import InboxItemFactory
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def emitted(monkeypatch):
    """Every event emitted during the test: (organization id, event, data)."""
    seen: list[tuple[int, str, dict]] = []

    def sink(organization_id, event, payloads):
        seen.extend((organization_id, event, dict(p)) for p in payloads)

    monkeypatch.setattr(events, "_sinks", [*events._sinks, sink])
    return seen


def _of(emitted, event):
    return [data for _org, name, data in emitted if name == event]


def test_leads_attributed_and_sales_recorded_become_deliveries(org, owner_access, make_endpoint, emitted):
    make_endpoint(owner_access, events=[Event.LEAD_ATTRIBUTED, Event.SALE_RECORDED])
    upsert_leads(organization=org, items=[{"external_id": "L1", "platform": "vk"}, {"external_id": "L2"}])
    [lead] = _of(emitted, "lead.attributed")
    assert (lead["external_id"], lead["platform"]) == ("L1", "vk")
    # The same lead sent again changes nothing: no second event.
    upsert_leads(organization=org, items=[{"external_id": "L1", "platform": "vk"}])
    assert len(_of(emitted, "lead.attributed")) == 1

    upsert_sales(
        organization=org,
        items=[
            {
                "external_id": "S1",
                "amount": "990.00",
                "currency": "RUB",
                "sold_at": "2026-03-02T10:00:00Z",
                "lead_external_id": "L1",
            }
        ],
    )
    [sale] = _of(emitted, "sale.recorded")
    assert (sale["external_id"], sale["amount"], sale["lead_external_id"]) == ("S1", "990.00", "L1")
    upsert_sales(
        organization=org,
        items=[{"external_id": "S1", "amount": "990.00", "currency": "RUB", "sold_at": "2026-03-02T10:00:00Z"}],
    )
    assert len(_of(emitted, "sale.recorded")) == 1
    bodies = [json.loads(d.body) for d in WebhookDelivery.objects.order_by("id")]
    assert [b["type"] for b in bodies] == ["lead.attributed", "sale.recorded"]
    assert bodies[1]["data"]["sale_id"] == sale["sale_id"]


def test_a_negative_tone_emits_inbox_negative_once(org, owner_access, emitted):
    item = InboxItemFactory(organization=org, text="Ужасный сервис, верните деньги")
    moderation_services.tone_correct(access=owner_access, item=item, sentiment=Sentiment.NEGATIVE)
    moderation_services.tone_correct(access=owner_access, item=item, sentiment=Sentiment.NEGATIVE)
    [data] = _of(emitted, "inbox.negative")
    assert data["inbox_item_id"] == item.pk
    assert data["text"].startswith("Ужасный")


def test_the_classifier_emits_inbox_negative_for_negative_items(org, emitted, monkeypatch):
    from moderation import tone

    bad = InboxItemFactory(organization=org, text="плохо")
    InboxItemFactory(organization=org, text="хорошо", account=bad.account)
    monkeypatch.setattr(
        tone, "classify_scored", lambda texts: [("negative" if t == "плохо" else "positive", 0.9) for t in texts]
    )
    assert moderation_services.tone_classify_pending(organization_id=org.pk) == 2
    assert [d["inbox_item_id"] for d in _of(emitted, "inbox.negative")] == [bad.pk]


def test_a_failed_sync_emits_sync_failed(org, emitted):
    account = vk_account(org)
    connector = Scripted({"comments": InvalidRequest("vk", 100, "One of the parameters specified was missing")})
    account_sync(account_id=account.pk, plan="full", connector=connector)
    [data] = _of(emitted, "sync.failed")
    assert data["account_id"] == account.pk
    assert data["kind"] == "comments"
    assert data["error_code"] == "100"


def test_a_failed_publication_emits_publication_failed(org, emitted):
    demo = SocialAccountFactory(
        organization=org, platform=Platform.DEMO, options={"connector": {"publish_failure": "permission_denied"}}
    )
    due_post(org, accounts=[demo])
    [(pk, token)] = publishing.claim_due()
    assert publishing.publish_one(pk, token) == "failed"
    [data] = _of(emitted, "publication.failed")
    assert data["publication_id"] == pk
    assert data["account_id"] == demo.pk
    assert data["error_kind"] == "permanent"


def test_a_new_report_emits_report_ready_once(org, emitted):
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    report, created = report_generate(organization=org, start=start, end=end)
    report_generate(organization=org, start=start, end=end)
    [data] = _of(emitted, "report.ready")
    assert created
    assert data["report_id"] == report.pk
    assert data["period_end"] == "2026-03-31"
