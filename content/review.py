"""The editor's side of a post: review (submit, approve, request changes, comment), duplicate,
move, and media. Approval follows the strategy's rule (tenancy/roles.py): owner, admin and client
hold `approve`; a marketer submits. Every step is a line of the post's history (PostEvent)."""

import datetime as dt
from typing import TypedDict, Unpack

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotFound
from strategy.models import ContentPillar, Goal
from tenancy.access import Access
from tenancy.roles import Perm
from tenancy.scoping import parse_id
from tenancy.services import audit_log_record

from . import hooks, rules, services
from .models import Post, PostEvent, PostMedia, Publication
from .selectors import access_post

_DRAFTS = (Post.Status.IDEA, Post.Status.DRAFT)


def _transition(access: Access, post: Post, to: str, action: str, comment: str = "") -> Post:
    before = post.status
    post.status = to
    post.save(update_fields=["status", "reviewer", "updated_at"])
    services.record_event(access, post, action, from_status=before, to_status=to, comment=comment)
    audit_log_record(access=access, action=f"post.{action}", obj=post, changes={"status": [before, to]})
    return post


@transaction.atomic
def post_submit(*, access: Access, post: Post | int, comment: str = "") -> Post:
    """Draft → in review: the post must be complete (goal, pillar, call to action, limits)."""
    access.require(Perm.WRITE)
    row = access_post(access, post, lock=True)
    if row.status not in _DRAFTS:
        raise Conflict(_("Only an idea or a draft can be submitted for review."))
    rules.ensure(rules.ready_errors(row, rules.stored_media(row)))
    return _transition(access, row, Post.Status.IN_REVIEW, PostEvent.Action.SUBMITTED, comment)


@transaction.atomic
def post_approve(*, access: Access, post: Post | int, comment: str = "") -> Post:
    """In review → approved, by a member who may approve (owner, admin, client)."""
    access.require(Perm.APPROVE)
    row = access_post(access, post, lock=True)
    if row.status != Post.Status.IN_REVIEW:
        raise Conflict(_("Only a post in review can be approved."))
    rules.ensure(rules.ready_errors(row, rules.stored_media(row)))
    row.reviewer = access.user
    return _transition(access, row, Post.Status.APPROVED, PostEvent.Action.APPROVED, comment)


@transaction.atomic
def post_request_changes(*, access: Access, post: Post | int, comment: str) -> Post:
    """In review or approved → draft, with the reviewer's comment saying what to change."""
    access.require(Perm.APPROVE)
    if not comment.strip():
        raise DomainError(_("Say what should change."), field="comment")
    row = access_post(access, post, lock=True)
    if row.status not in (Post.Status.IN_REVIEW, Post.Status.APPROVED):
        raise Conflict(_("Only a post in review or approved can be returned to the draft."))
    row.reviewer = access.user
    return _transition(access, row, Post.Status.DRAFT, PostEvent.Action.CHANGES_REQUESTED, comment)


@transaction.atomic
def post_comment(*, access: Access, post: Post | int, comment: str) -> PostEvent:
    """A comment in the history: by those who edit and by those who approve."""
    if not (access.can(Perm.WRITE) or access.can(Perm.APPROVE)):
        access.require(Perm.WRITE)
    if not comment.strip():
        raise DomainError(_("Write a comment."), field="comment")
    row = access_post(access, post)
    return services.record_event(access, row, PostEvent.Action.COMMENTED, comment=comment.strip())


_COPIED = (
    "platform",
    "text",
    "objective",
    "format",
    "goal",
    "pillar",
    "strategy",
    "funnel_stage",
    "texts",
    "target_accounts",
    "cta_type",
    "cta_url",
    "contest_rules",
)


@transaction.atomic
def post_duplicate(*, access: Access, post: Post | int) -> Post:
    """A new draft with the same content and media (its own tracked link and publications)."""
    access.require(Perm.WRITE)
    row = access_post(access, post)
    copy = Post(organization=access.organization, created_by=access.user, status=Post.Status.DRAFT)
    for name in _COPIED:
        setattr(copy, name, getattr(row, name))
    copy.title = (_("%(title)s (copy)") % {"title": row.title})[:200]
    copy.save()
    PostMedia.objects.bulk_create(
        PostMedia(
            organization=access.organization, post=copy, file=m.file.name, kind=m.kind, size=m.size, position=m.position
        )
        for m in row.media.all()
    )
    hooks.refresh_cta_link(copy)
    services.record_event(access, copy, PostEvent.Action.CREATED, to_status=copy.status, comment=f"#{row.pk}")
    return copy


class MoveData(TypedDict, total=False):
    scheduled_at: dt.datetime
    goal: Goal | int | None
    pillar: ContentPillar | int | None


@transaction.atomic
def post_move(*, access: Access, post: Post | int, **data: Unpack[MoveData]) -> Post:
    """Another date and/or goal and pillar. A scheduled post's pending publications move with it
    (the launch gate is asked for the new date); a draft just records the planned date."""
    access.require(Perm.WRITE)
    row = access_post(access, post, lock=True)
    if row.status in (Post.Status.PUBLISHING, Post.Status.PUBLISHED):
        raise Conflict(_("A published post cannot be moved."))
    refs = {k: v for k, v in data.items() if k in ("goal", "pillar")}
    if refs:
        if row.status == Post.Status.SCHEDULED:
            raise Conflict(_("Unschedule the post to change its goal or pillar."))
        row = services.post_update(access=access, post=row, **refs)  # type: ignore[arg-type]
    when = data.get("scheduled_at")
    if when is not None:
        when = services.aware_future(access, when)
        if row.status in (Post.Status.SCHEDULED, Post.Status.FAILED):
            pending = row.publications.filter(status__in=[Publication.Status.SCHEDULED, Publication.Status.FAILED])
            for pub in pending:
                services.publication_reschedule(access=access, publication=pub, scheduled_at=when)
            row.refresh_from_db()
        row.scheduled_at = when
        row.save(update_fields=["scheduled_at", "updated_at"])
    services.record_event(access, row, PostEvent.Action.MOVED, from_status=row.status, to_status=row.status)
    return row


@transaction.atomic
def post_media_add(*, access: Access, post: Post | int, file: UploadedFile) -> PostMedia:
    """Stores an upload through the default storage after checking it against every platform."""
    access.require(Perm.WRITE)
    row = access_post(access, post, lock=True)
    if row.status not in services.EDITABLE:
        raise Conflict(_("A scheduled or published post cannot be edited. Unschedule the post first."))
    name = file.name or "upload"
    kind = rules.media_kind(name)
    if kind is None:
        raise DomainError(_("Upload a photo (JPEG, PNG) or a video (MP4, MOV)."), field="file")
    media = [*rules.stored_media(row), rules.MediaInfo(name=name, kind=kind, size=file.size or 0)]
    errors = rules.media_errors(rules.post_platforms(row), media)
    if errors:
        raise DomainError(_("Fix the media."), fields={"file": errors})
    item = PostMedia(organization=access.organization, post=row, kind=kind, size=file.size or 0, position=len(media))
    item.file.save(name, file, save=False)
    item.save()
    services.record_event(access, row, PostEvent.Action.EDITED, from_status=row.status, to_status=row.status)
    return item


@transaction.atomic
def post_media_remove(*, access: Access, post: Post | int, media: PostMedia | int | str) -> Post:
    """Removes a photo or video from a post not yet scheduled, and its file from the storage once
    no other post (a duplicate shares its files) uses it. The rules run again on what remains: a
    post out of the draft must stay complete (Instagram needs a file), and with approval required
    a post in review or approved goes back to the draft, as after any edit."""
    access.require(Perm.WRITE)
    row = access_post(access, post, lock=True)
    if row.status not in services.EDITABLE:
        raise Conflict(_("A scheduled or published post cannot be edited. Unschedule the post first."))
    pk = parse_id(media.pk if isinstance(media, PostMedia) else media)
    item = PostMedia.objects.filter(organization=access.organization, post=row, pk=pk).first() if pk else None
    if item is None:
        raise NotFound(_("No such file on this post."))
    remaining = [
        rules.MediaInfo(name=m.file.name or "", kind=m.kind, size=m.size) for m in row.media.exclude(pk=item.pk)
    ]
    if row.status not in _DRAFTS:
        found = rules.ready_errors(row, remaining)
        if found:
            raise DomainError(_("This file cannot be removed: the post would be incomplete."), fields=found)
    name = item.file.name
    storage = item.file.storage
    item.delete()
    if name and not PostMedia.objects.filter(organization=access.organization, file=name).exists():
        transaction.on_commit(lambda: storage.delete(name))
    before = row.status
    if access.organization.posts_require_approval and before in (Post.Status.IN_REVIEW, Post.Status.APPROVED):
        row.status = Post.Status.DRAFT
        row.save(update_fields=["status", "updated_at"])
    services.record_event(
        access, row, PostEvent.Action.EDITED, from_status=before, to_status=row.status, comment=_("File removed.")
    )
    audit_log_record(access=access, action="post.media_remove", obj=row, changes={"file": name})
    return row
