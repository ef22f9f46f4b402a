"""Saved replies: prepared answers in the brand's voice, with ``{author}`` and ``{brand}`` variables."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, Unpack

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.services import fields_of, model_update
from strategy.models import Strategy
from tenancy.access import Access
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization

from .models import InboxItem, SavedReply
from .workflow import access_item

VARIABLES = ("{author}", "{brand}")


class SavedReplyData(TypedDict, total=False):
    title: str
    text: str


SAVED_REPLY_FIELDS = fields_of(SavedReplyData)


def _avoided_words(access: Access) -> list[str]:
    raw = brand_voice(access=access)["avoid"]
    return [w.strip().lower() for w in raw.replace("\n", ",").replace(";", ",").split(",") if w.strip()]


def _validator(access: Access) -> Callable[[SavedReply], None]:
    avoid = _avoided_words(access)

    def validate(saved: SavedReply) -> None:
        if not saved.text.strip():
            raise DomainError(_("Write the reply."), field="text")
        used = [w for w in avoid if w in saved.text.lower()]
        if used:
            raise DomainError(
                _("The brand's tone of voice avoids: %(words)s") % {"words": ", ".join(used)}, field="text"
            )

    return validate


def saved_reply_create(*, access: Access, **data: Unpack[SavedReplyData]) -> SavedReply:
    access.require(Perm.WRITE)
    saved = SavedReply(organization=access.organization)
    return model_update(
        instance=saved, data=data, fields=SAVED_REPLY_FIELDS, exclude=["organization"], validate=_validator(access)
    )[0]


@transaction.atomic
def saved_reply_update(*, access: Access, saved: SavedReply | int, **data: Unpack[SavedReplyData]) -> SavedReply:
    access.require(Perm.WRITE)
    row = get_for_organization(SavedReply, access.organization, saved, lock=True, message=_("Saved reply not found."))
    return model_update(
        instance=row, data=data, fields=SAVED_REPLY_FIELDS, exclude=["organization"], validate=_validator(access)
    )[0]


def saved_reply_delete(*, access: Access, saved: SavedReply | int) -> None:
    access.require(Perm.WRITE)
    get_for_organization(SavedReply, access.organization, saved, message=_("Saved reply not found.")).delete()


def saved_reply_search(*, access: Access, query: str = "") -> list[SavedReply]:
    qs = SavedReply.objects.for_organization(access.organization)
    if query.strip():
        qs = qs.filter(Q(title__icontains=query.strip()) | Q(text__icontains=query.strip()))
    return list(qs.order_by("title", "id")[:50])


def saved_reply_render(*, access: Access, saved: SavedReply | int, item: InboxItem | int) -> str:
    """The saved reply's text with ``{author}`` and ``{brand}`` filled in for the item."""
    row = get_for_organization(SavedReply, access.organization, saved, message=_("Saved reply not found."))
    target = access_item(access, item)
    values = {"{author}": target.author_name or _("friend"), "{brand}": access.organization.name}
    text = row.text
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def brand_voice(*, access: Access) -> dict[str, str]:
    """The approved (else the latest) strategy's tone of voice, shown beside saved replies."""
    strategies = Strategy.objects.for_organization(access.organization)
    strategy = strategies.filter(status=Strategy.Status.APPROVED).order_by("-version").first() or (
        strategies.order_by("-id").first()
    )
    if strategy is None:
        return {"tone": "", "use": "", "avoid": ""}
    return {"tone": strategy.tone_guidelines, "use": strategy.words_to_use, "avoid": strategy.words_to_avoid}
