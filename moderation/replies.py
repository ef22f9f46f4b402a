"""Replies written in the product, sent through the account's connector exactly once.

``reply_create`` stores the reply (``queued``) under an idempotency key — the same key submitted
again returns the same reply — and queues ``moderation.tasks.send_reply`` after commit.
``reply_send`` moves ``queued → sending`` under a row lock and commits before calling the
platform: a concurrent or repeated task finds ``sending``/``sent`` and does nothing. A reply left in
``sending`` (worker killed mid-call) is not re-sent automatically — its outcome is unknown — and
is shown as failed for a person to check and retry.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from integrations.connectors.base import ConnectorError
from integrations.credentials import connector_for
from tenancy.access import Access
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization

from .models import OPEN_STATUSES, InboxItem, InboxReply, InboxStatus, ReplyStatus
from .service_level import elapsed_seconds, hours_of
from .workflow import access_item, level_of

MAX_REPLY = 4000


def reply_create(*, access: Access, item: InboxItem | int, text: str, idempotency_key: str = "") -> InboxReply:
    access.require(Perm.WRITE)
    text = text.strip()
    if not text:
        raise DomainError(_("Write the reply."), field="text")
    if len(text) > MAX_REPLY:
        raise DomainError(_("The reply is too long."), field="text")
    row = access_item(access, item)
    if row.kind == "mention":
        raise Conflict(_("A mention cannot be answered from here; open it on the platform."))
    key = (idempotency_key or uuid.uuid4().hex)[:64]
    existing = InboxReply.objects.for_organization(access.organization).filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            reply = InboxReply.objects.create(
                organization=access.organization, item=row, author=access.user, text=text, idempotency_key=key
            )
    except IntegrityError:  # the same key raced in from a second submit
        return InboxReply.objects.for_organization(access.organization).get(idempotency_key=key)
    _queue(reply)
    return reply


def _queue(reply: InboxReply) -> None:
    # tasks imports this module: the task is looked up at call time (a real cycle).
    from .tasks import send_reply

    transaction.on_commit(lambda: send_reply.delay(reply.organization_id, reply.pk))


def reply_retry(*, access: Access, reply: InboxReply | int) -> InboxReply:
    """Queue a failed reply again (the same row and key: it cannot be sent twice)."""
    access.require(Perm.WRITE)
    with transaction.atomic():
        row = get_for_organization(InboxReply, access.organization, reply, lock=True, message=_("Reply not found."))
        if row.status != ReplyStatus.FAILED:
            raise Conflict(_("Only a failed reply can be retried."))
        if row.external_id:
            raise Conflict(_("The platform already has this reply."))
        row.status, row.error = ReplyStatus.QUEUED, ""
        row.save(update_fields=["status", "error"])
    _queue(row)
    return row


def _claim(organization_id: int, reply_id: int) -> InboxReply | None:
    with transaction.atomic():
        row = (
            InboxReply.objects.for_organization(organization_id)
            .select_for_update()
            .select_related("item__account", "organization")
            .filter(pk=reply_id)
            .first()
        )
        if row is None or row.status != ReplyStatus.QUEUED:
            return None
        row.status, row.attempts, row.claimed_at = ReplyStatus.SENDING, row.attempts + 1, timezone.now()
        row.save(update_fields=["status", "attempts", "claimed_at"])
    return row


def reply_send(*, organization_id: int, reply_id: int) -> str:
    """Send one queued reply; returns the reply's status afterwards (or "skipped")."""
    row = _claim(organization_id, reply_id)
    if row is None:
        return "skipped"
    item = row.item
    connector = connector_for(item.account)
    try:
        result = connector.reply(item.external_id, row.text, post_external_id=item.post_external_id or None)
    except ConnectorError as exc:
        return _fail(organization_id, row, exc.user_message)
    except ValueError:  # the connector cannot address this item (e.g. no post id): nothing was sent
        return _fail(organization_id, row, _("This item cannot be answered from here; answer it on the platform."))
    finally:
        connector.close()
    now = timezone.now()
    with transaction.atomic():
        InboxReply.objects.for_organization(organization_id).filter(pk=row.pk).update(
            status=ReplyStatus.SENT, external_id=result.external_id[:150], sent_at=now, error=""
        )
        _mark_replied(item, now)
    return ReplyStatus.SENT


def _fail(organization_id: int, row: InboxReply, message: str) -> str:
    InboxReply.objects.for_organization(organization_id).filter(pk=row.pk).update(
        status=ReplyStatus.FAILED, error=message[:2000]
    )
    return ReplyStatus.FAILED


def _mark_replied(item: InboxItem, when: dt.datetime) -> None:
    """The first reply sets the first-response time (in business hours when the level has them)."""
    row = InboxItem.objects.for_organization(item.organization_id).select_for_update().get(pk=item.pk)
    fields = ["updated_at"]
    if row.answered_at is None:
        hours = hours_of(level_of(row.organization_id), item.organization.tzinfo)
        row.answered_at, row.first_response_seconds = when, elapsed_seconds(row.created_at, when, hours)
        fields += ["answered_at", "first_response_seconds"]
    if row.status in OPEN_STATUSES or row.status == InboxStatus.WAITING:
        row.status = InboxStatus.REPLIED
        fields.append("status")
    row.save(update_fields=fields)


def release_stuck(*, older_than: dt.timedelta) -> int:
    """Replies whose worker died mid-call: marked failed (outcome unknown), never re-sent blindly."""
    cutoff = timezone.now() - older_than
    return (
        InboxReply.objects.unscoped()  # beat task over every organization
        .filter(status=ReplyStatus.SENDING, claimed_at__lt=cutoff, external_id="")
        .update(
            status=ReplyStatus.FAILED,
            error=_("The platform did not confirm the reply. Check the comment on the platform before retrying."),
        )
    )
