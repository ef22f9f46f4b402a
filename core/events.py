"""Business events that other systems may subscribe to (outbound webhooks, docs/webhooks.md).

An app emits an event where the thing happens (a lead attributed, a sale recorded, a report ready,
a publication failed, a negative comment, a sync failed) without knowing who listens: `emit`
hands it to every registered sink. Apps above core register sinks in their `AppConfig.ready()`
(the `webhooks` app turns each event into signed deliveries), so no emitting app imports them.

Sinks run inside the caller's transaction, so an event is recorded only if the change that caused
it commits; they must be cheap (a sink queues its network work after the commit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    LEAD_ATTRIBUTED = "lead.attributed", _("A lead was attributed to a post, campaign, goal or platform")
    SALE_RECORDED = "sale.recorded", _("A sale was recorded")
    REPORT_READY = "report.ready", _("A report is ready")
    PUBLICATION_FAILED = "publication.failed", _("A publication failed")
    INBOX_NEGATIVE = "inbox.negative", _("A negative comment or message arrived")
    RULE_FIRED = "rule.fired", _("An ads rule fired")
    SYNC_FAILED = "sync.failed", _("A sync of an account failed")


# sink(organization_id, event, payloads): one call per batch of events of one kind.
EventSink = Callable[[int, str, Sequence[Mapping[str, Any]]], None]
_sinks: list[EventSink] = []


def register_event_sink(sink: EventSink) -> None:
    """Adds `sink` (once); it receives every event emitted from then on."""
    if sink not in _sinks:
        _sinks.append(sink)


def emit_many(organization_id: int, event: str, payloads: Sequence[Mapping[str, Any]]) -> None:
    """Emits one event per payload (the event's `data`: JSON-serialisable, ids and plain values)."""
    if event not in Event.values:
        raise ValueError(f"unknown event {event!r}")
    if not payloads:
        return
    for sink in _sinks:
        sink(organization_id, event, payloads)


def emit(organization_id: int, event: str, payload: Mapping[str, Any]) -> None:
    """Emits one event of `organization_id`: see `emit_many`."""
    emit_many(organization_id, event, [payload])


def emit_rule_fired(
    organization_id: int, *, rule_id: int, rule_name: str, campaign_id: int | None, action: str, reason: str
) -> None:
    """For the ads rules engine: a rule fired (`action` taken, e.g. "pause", on the campaign)."""
    emit(
        organization_id,
        Event.RULE_FIRED,
        {"rule_id": rule_id, "rule_name": rule_name, "campaign_id": campaign_id, "action": action, "reason": reason},
    )
