"""Inbox work for «Зерно»: a service level with business hours, saved replies in the brand's
voice, and on the synced comments a note, a sent reply, an escalation and a resolution, so the
inbox shows every state; brand keywords for the mention search. Idempotent: rows are found by their natural keys."""

from django.utils import timezone

from core import facts
from integrations.models import SocialAccount

from .models import (
    ActionKind,
    BrandKeyword,
    InboxAction,
    InboxItem,
    InboxKind,
    InboxNote,
    InboxReply,
    InboxStatus,
    ReplyServiceLevel,
    ReplyStatus,
    SavedReply,
)

SAVED = [
    ("Спасибо за отзыв", "{author}, спасибо! Рады, что вам понравилось — ждём вас снова в {brand}."),
    ("Уточнить заказ", "{author}, извините за неудобство. Напишите, пожалуйста, номер заказа в личные сообщения."),
    ("Часы работы", "{author}, мы открыты ежедневно с 8:00 до 22:00."),
]


KEYWORDS = [("Зерно кофейня", ["зерно пшеницы", "кофейное зерно оптом"]), ("Зерно Казань", [])]


def seed(*, organization, users: dict) -> None:
    for phrase, exclusions in KEYWORDS:
        BrandKeyword.objects.get_or_create(
            organization=organization, phrase=phrase, defaults={"exclusions": exclusions}
        )
    ReplyServiceLevel.objects.get_or_create(
        organization=organization, defaults={"first_response_minutes": 60, "business_hours": True}
    )
    for title, text in SAVED:
        SavedReply.objects.get_or_create(organization=organization, title=title, defaults={"text": text})
    items = list(InboxItem.objects.for_organization(organization).filter(is_from_account=False).order_by("pk")[:3])
    if not items:
        account = SocialAccount.objects.for_organization(organization).order_by("pk").first()
        if account is None:
            return
        item, _created = InboxItem.objects.get_or_create(
            organization=organization,
            account=account,
            kind=InboxKind.COMMENT,
            external_id="demo-inbox-1",
            defaults={"author_name": "Анна", "text": "Капучино был холодный :(", "created_at": timezone.now()},
        )
        items = [item]
    owner = users.get("owner")
    first = items[0]
    InboxNote.objects.get_or_create(
        organization=organization, item=first, text="Проверить смену бариста", defaults={"author": owner}
    )
    InboxReply.objects.get_or_create(
        organization=organization,
        idempotency_key="demo-reply-1",
        defaults={
            "item": first,
            "author": owner,
            "text": "Анна, простите! Напишите нам в личные сообщения — угостим кофе.",
            "status": ReplyStatus.SENT,
            "external_id": "demo-reply-1",
            "sent_at": timezone.now(),
        },
    )
    InboxAction.objects.get_or_create(
        organization=organization, item=first, kind=ActionKind.ESCALATE, defaults={"reason": "Жалоба на качество"}
    )
    if len(items) > 1:
        InboxItem.objects.for_organization(organization).filter(pk=items[1].pk).update(status=InboxStatus.RESOLVED)
        facts.facts_changed(InboxItem, organization.pk, [items[1].created_at])  # the daily rollups
    if len(items) > 2:  # asked the customer for the order number
        InboxItem.objects.for_organization(organization).filter(pk=items[2].pk, status=InboxStatus.NEW).update(
            status=InboxStatus.WAITING, waiting_since=timezone.now()
        )
