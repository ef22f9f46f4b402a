"""The team's work on inbox items: assign, tag, notes, escalate, hide, resolve, testimonial.

Every write takes ``access`` and re-reads the item in the organization (another organization's
item is ``NotFound``). A customer's comment is never deleted: the strongest action is hiding it,
only where the platform supports hiding, with a reason, logged as an ``InboxAction``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import Notification, Post, PostObjective
from content.services import post_create
from core.errors import Conflict, DomainError
from core.vocabulary import SocialPlatform
from integrations.account_state import connector_call
from integrations.connectors.base import Capability
from integrations.connectors.registry import get_connector_class
from tenancy.access import Access
from tenancy.models import Membership
from tenancy.roles import Perm, Role
from tenancy.scoping import get_for_organization

from .models import ActionKind, InboxAction, InboxItem, InboxNote, InboxStatus, InboxTag, ReplyServiceLevel
from .service_level import elapsed_seconds, hours_of


def access_item(access: Access, item: InboxItem | int, *, lock: bool = False) -> InboxItem:
    return get_for_organization(InboxItem, access.organization, item, lock=lock, message=_("Item not found."))


def _member(access: Access, user: User | int | None) -> User | None:
    if user is None:
        return None
    user_id = user if isinstance(user, int) else user.pk
    membership = (
        Membership.objects.for_organization(access.organization).filter(user_id=user_id).select_related("user").first()
    )
    if membership is None:
        raise DomainError(_("Choose a member of this organization."), field="assignee")
    return membership.user


def _log(access: Access, item: InboxItem, kind: str, reason: str = "", target: User | None = None) -> None:
    InboxAction.objects.create(
        organization=access.organization, item=item, actor=access.user, kind=kind, reason=reason, target=target
    )


@transaction.atomic
def item_assign(*, access: Access, item: InboxItem | int, assignee: User | int | None) -> InboxItem:
    access.require(Perm.WRITE)
    row = access_item(access, item, lock=True)
    row.assignee = _member(access, assignee)
    if row.status == InboxStatus.NEW and row.assignee is not None:
        row.status = InboxStatus.ASSIGNED
    row.save(update_fields=["assignee", "status", "updated_at"])
    _log(access, row, ActionKind.ASSIGN, target=row.assignee)
    return row


def _clean_tags(tags: Sequence[str]) -> list[str]:
    unknown = sorted(set(tags) - set(InboxTag.values))
    if unknown:
        raise DomainError(_("Unknown tag: %(tag)s") % {"tag": ", ".join(unknown)}, field="tags")
    return [t for t in InboxTag.values if t in set(tags)]


@transaction.atomic
def item_tag(*, access: Access, item: InboxItem | int, tags: Sequence[str], add: bool = False) -> InboxItem:
    """Set the tags (or add them to the present ones with ``add``)."""
    access.require(Perm.WRITE)
    row = access_item(access, item, lock=True)
    row.tags = _clean_tags([*(row.tags if add else []), *tags])
    row.save(update_fields=["tags", "updated_at"])
    return row


def note_add(*, access: Access, item: InboxItem | int, text: str) -> InboxNote:
    access.require(Perm.WRITE)
    if not text.strip():
        raise DomainError(_("Write the note."), field="text")
    row = access_item(access, item)
    return InboxNote.objects.create(organization=access.organization, item=row, author=access.user, text=text.strip())


def _owners_and_admins(access: Access) -> list[User]:
    members = Membership.objects.for_organization(access.organization).filter(role__in=[Role.OWNER, Role.ADMIN])
    return [m.user for m in members.select_related("user")]


@transaction.atomic
def item_escalate(*, access: Access, item: InboxItem | int, reason: str) -> InboxItem:
    """Hand the item to the owners and admins with a reason (each gets an in-app notification)."""
    access.require(Perm.WRITE)
    if not reason.strip():
        raise DomainError(_("Say why the item is escalated."), field="reason")
    row = access_item(access, item, lock=True)
    if row.status == InboxStatus.RESOLVED:
        raise Conflict(_("The item is already resolved."))
    row.status = InboxStatus.ESCALATED
    row.save(update_fields=["status", "updated_at"])
    _log(access, row, ActionKind.ESCALATE, reason.strip())
    title = _("Escalated: %(author)s") % {"author": row.author_name or row.external_id}
    Notification.objects.bulk_create(
        Notification(
            organization=access.organization,
            user=user,
            kind="inbox_escalated",
            title=title[:200],
            body=f"{reason.strip()}\n\n{row.text[:1000]}",
        )
        for user in _owners_and_admins(access)
    )
    return row


def item_hide(*, access: Access, item: InboxItem | int, reason: str) -> InboxItem:
    """Hide a comment on the platform (never delete it), where the platform can hide."""
    access.require(Perm.WRITE)
    if not reason.strip():
        raise DomainError(_("Say why the comment is hidden."), field="reason")
    row = access_item(access, item)
    if Capability.HIDE_COMMENTS not in getattr(get_connector_class(row.account.platform), "capabilities", ()):
        raise Conflict(_("This platform cannot hide a comment. Answer it or escalate it instead."))
    connector_call(account=row.account, call=lambda c: c.hide_comment(row.external_id, hidden=True))
    with transaction.atomic():
        row = access_item(access, row, lock=True)
        row.is_hidden = True
        row.save(update_fields=["is_hidden", "updated_at"])
        _log(access, row, ActionKind.HIDE, reason.strip())
    return row


def level_of(organization_id: int) -> ReplyServiceLevel | None:
    return ReplyServiceLevel.objects.for_organization(organization_id).first()


@transaction.atomic
def item_resolve(*, access: Access, item: InboxItem | int, resolution: str = "") -> InboxItem:
    access.require(Perm.WRITE)
    row = access_item(access, item, lock=True)
    if row.status == InboxStatus.RESOLVED:
        return row
    now = timezone.now()
    hours = hours_of(level_of(access.organization.pk), access.organization.tzinfo)
    row.status, row.resolved_at, row.resolution = InboxStatus.RESOLVED, now, resolution.strip()
    row.resolution_seconds = elapsed_seconds(row.created_at, now, hours)
    row.save(update_fields=["status", "resolved_at", "resolution", "resolution_seconds", "updated_at"])
    _log(access, row, ActionKind.RESOLVE, row.resolution)
    return row


@transaction.atomic
def item_wait(*, access: Access, item: InboxItem | int) -> InboxItem:
    """The team waits for the customer's answer (asked for an order number, say). The item leaves
    the service-level clock; a newer customer message in the thread puts it back (``sync_clear_waiting``)."""
    access.require(Perm.WRITE)
    row = access_item(access, item, lock=True)
    if row.status == InboxStatus.RESOLVED:
        raise Conflict(_("The item is already resolved."))
    if row.is_from_account:
        raise DomainError(_("This is the account's own message; nobody is waited for."))
    if row.status != InboxStatus.WAITING:
        row.status, row.waiting_since = InboxStatus.WAITING, timezone.now()
        row.save(update_fields=["status", "waiting_since", "updated_at"])
        _log(access, row, ActionKind.WAIT)
    return row


BULK_ACTIONS = ("assign", "tag", "resolve", "wait")


def items_bulk(*, access: Access, ids: Sequence[int], action: str, assignee: int | None = None, tag: str = "") -> int:
    """One action on many items of the organization (foreign or missing ids are skipped)."""
    access.require(Perm.WRITE)
    if action not in BULK_ACTIONS:
        raise DomainError(_("Unknown action."), field="action")
    rows = InboxItem.objects.for_organization(access.organization).filter(pk__in=ids)
    if action == "wait":  # nobody waits for a resolved item or for the account's own message
        rows = rows.exclude(status=InboxStatus.RESOLVED).exclude(is_from_account=True)
    own = list(rows.values_list("pk", flat=True))
    for pk in own:
        if action == "assign":
            item_assign(access=access, item=pk, assignee=assignee)
        elif action == "tag":
            item_tag(access=access, item=pk, tags=[tag], add=True)
        elif action == "resolve":
            item_resolve(access=access, item=pk)
        elif action == "wait":
            item_wait(access=access, item=pk)
        else:
            raise DomainError(_("Unknown action."), field="action")
    return len(own)


@transaction.atomic
def item_mark_testimonial(*, access: Access, item: InboxItem | int) -> Post:
    """A draft post (loyalty objective) quoting the comment with its author's name."""
    access.require(Perm.WRITE)
    row = access_item(access, item)
    if row.is_from_account or not row.text.strip():
        raise DomainError(_("Only a customer's written comment can become a testimonial."))
    platform = row.account.platform if row.account.platform in SocialPlatform.values else SocialPlatform.values[0]
    author = row.author_name or _("a customer")
    text = f"«{row.text.strip()}»\n\n— {author}"
    if row.url:
        text += f"\n{row.url}"
    post = post_create(
        access=access,
        title=(_("Testimonial: %(author)s") % {"author": author})[:200],
        platform=platform,
        objective=PostObjective.LOYALTY,
        text=text,
    )
    _log(access, row, ActionKind.TESTIMONIAL, reason=f"post:{post.pk}")
    return post
