"""Writes of the plan around the posts: moving a post on the calendar, the secret iCal feed, and
the organization's dates (its own, and the shipped ones it hides). Keyword-only, one transaction
each, like ``content.services``."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import check_date_in_range
from core.errors import Conflict, DomainError
from tenancy.access import Access
from tenancy.rls import unscoped_context
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

from . import services
from .holidays import shipped_keys
from .models import Post, Publication
from .plan_models import CalendarDate, CalendarFeed, DateKind, HiddenDate, PlannedSlot, new_feed_secret
from .selectors import access_post

# Statuses whose place on the calendar is a planned slot (not yet going to a platform).
UNSCHEDULED = (Post.Status.IDEA, Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.APPROVED)


def _aware(access: Access, when: dt.datetime) -> dt.datetime:
    return timezone.make_aware(when, access.organization.tzinfo) if timezone.is_naive(when) else when


@transaction.atomic
def post_move(*, access: Access, post: Post | int, to: dt.datetime) -> Post:
    """Moves a post on the calendar. A scheduled (or failed) post's pending publications are
    rescheduled through the launch gate; a post not yet scheduled gets its planned slot moved."""
    access.require(Perm.WRITE)
    row = access_post(access, post, lock=True)
    check_date_in_range(to, field="planned_at")
    when = _aware(access, to)
    if row.status in UNSCHEDULED:
        PlannedSlot.objects.update_or_create(organization=access.organization, post=row, defaults={"planned_at": when})
        audit_log_record(access=access, action="post.plan", obj=row, changes={"planned_at": when.isoformat()})
        return row
    pending = list(
        Publication.objects.filter(
            organization=access.organization,
            post=row,
            status__in=[Publication.Status.SCHEDULED, Publication.Status.FAILED],
        ).order_by("pk")
    )
    if row.status not in (Post.Status.SCHEDULED, Post.Status.FAILED) or not pending:
        raise Conflict(_("A post that is being published or already published cannot be moved."))
    for pub in pending:
        services.publication_reschedule(access=access, publication=pub, scheduled_at=when)
    row.scheduled_at = when
    row.save(update_fields=["scheduled_at", "updated_at"])
    return row


def plan_slot_set(*, access: Access, post: Post, planned_at: dt.datetime) -> PlannedSlot:
    """The planned slot of a new or imported draft (no status check: the caller just created it)."""
    access.require(Perm.WRITE)
    check_date_in_range(planned_at, field="planned_at")
    slot, _created = PlannedSlot.objects.update_or_create(
        organization=access.organization, post=post, defaults={"planned_at": _aware(access, planned_at)}
    )
    return slot


def feed_get(*, access: Access) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(organization=access.organization)
    return feed


@transaction.atomic
def feed_regenerate(*, access: Access) -> CalendarFeed:
    """A new secret: the old feed URL stops working at once."""
    access.require(Perm.WRITE)
    feed, created = (
        CalendarFeed.objects.for_organization(access.organization)
        .select_for_update()
        .get_or_create(organization=access.organization)
    )
    if not created:
        feed.secret = new_feed_secret()
        feed.save(update_fields=["secret", "created_at"])
    audit_log_record(access=access, action="calendar_feed.regenerate", obj=feed)
    return feed


@transaction.atomic
def date_add(
    *, access: Access, day: dt.date, title: str, kind: str = DateKind.NEWS_HOOK, note: str = ""
) -> CalendarDate:
    access.require(Perm.WRITE)
    check_date_in_range(day, field="day")
    if not title.strip():
        raise DomainError(_("Name the date."), field="title")
    if kind not in DateKind.values:
        raise DomainError(_("Choose a kind of date."), field="kind")
    row = CalendarDate.objects.create(
        organization=access.organization, day=day, title=title.strip(), kind=kind, note=note
    )
    audit_log_record(access=access, action="calendar_date.add", obj=row)
    return row


@transaction.atomic
def date_remove(*, access: Access, date: CalendarDate | int) -> None:
    access.require(Perm.WRITE)
    row = get_for_organization(CalendarDate, access.organization, date, message=_("Date not found."))
    audit_log_record(access=access, action="calendar_date.remove", obj=row)
    row.delete()


@transaction.atomic
def shipped_date_hide(*, access: Access, key: str, hidden: bool = True) -> None:
    """Hides (or shows again) a shipped holiday or retail date for this organization."""
    access.require(Perm.WRITE)
    if key not in shipped_keys():
        raise DomainError(_("Unknown date."), field="key")
    if hidden:
        HiddenDate.objects.get_or_create(organization=access.organization, key=key)
    else:
        HiddenDate.objects.filter(organization=access.organization, key=key).delete()
    audit_log_record(
        access=access, action="calendar_date.hide" if hidden else "calendar_date.show", changes={"key": key}
    )


def feed_by_secret(secret: str) -> CalendarFeed | None:
    """The feed whose secret this is, looked up across organizations (the secret names the tenant)."""
    if not secret or len(secret) > 64:
        return None
    with unscoped_context("an iCal feed is identified by its secret"):
        return CalendarFeed.objects.unscoped().select_related("organization").filter(secret=secret).first()
