"""Writes for posts. Scheduling passes the strategy launch gate, so the API and the UI obey it."""

import datetime as dt
from collections.abc import Sequence
from typing import Final, TypedDict, TypeVar, Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotFound
from core.services import fields_of, model_update
from core.vocabulary import SocialPlatform
from integrations.models import AccountStatus, Platform, SocialAccount
from strategy.launch_gate import ensure_launch_allowed
from strategy.models import ContentPillar, Goal, Strategy
from tenancy.access import Access
from tenancy.models import TenantModel
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

from . import hooks, publishing, rules
from .models import ErrorKind, Notification, Post, PostEvent, Publication
from .publishing import refresh_post_status
from .selectors import access_notification, access_post, access_publication

# Statuses the editor owns: a post in one of them may be scheduled (unless approval is required).
EDITABLE = (Post.Status.IDEA, Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.APPROVED)


class PostDetails(TypedDict, total=False):
    text: str
    format: str
    goal: Goal | int | None
    pillar: ContentPillar | int | None
    funnel_stage: str
    texts: dict[str, str]
    target_accounts: list[int]
    cta_type: str
    cta_url: str
    contest_rules: str


class PostData(PostDetails, total=False):
    """What a draft's author edits (the keyword arguments of `post_update`)."""

    title: str
    platform: str
    objective: str


POST_FIELDS: Final = fields_of(PostData)
T = TypeVar("T", bound=TenantModel)


def _post_get(access: Access, post: Post | int, *, lock: bool = False) -> Post:
    return access_post(access, post, lock=lock)


def _own(model: type[T], access: Access, value: T | int, field: str) -> T:
    try:
        return get_for_organization(model, access.organization, value)
    except NotFound as exc:
        raise DomainError(_("Choose one from your strategy."), field=field) from exc


def _resolve_refs(access: Access, data: PostData) -> PostData:
    """Goal/pillar/account ids or instances → rows of this organization (a field error otherwise)."""
    resolved = PostData(**data)
    goal, pillar = data.get("goal"), data.get("pillar")
    if goal is not None:
        resolved["goal"] = _own(Goal, access, goal, "goal")
    if pillar is not None:
        resolved["pillar"] = _own(ContentPillar, access, pillar, "pillar")
    if "target_accounts" in data:
        ids = sorted({int(a) for a in data["target_accounts"] or []})
        found = SocialAccount.objects.for_organization(access.organization).filter(pk__in=ids).count()
        if found != len(ids):
            raise DomainError(_("Choose accounts of your organization."), field="target_accounts")
        resolved["target_accounts"] = ids
    if "texts" in data:
        texts = data["texts"] or {}
        if not isinstance(texts, dict) or any(p not in SocialPlatform.values for p in texts):
            raise DomainError(_("Texts are given per platform: vk, telegram, instagram, facebook."), field="texts")
        resolved["texts"] = {p: str(t) for p, t in texts.items() if str(t).strip()}
    return resolved


def _validate_post(post: Post) -> None:
    if post.goal is not None and post.pillar is not None and post.goal.strategy_id != post.pillar.strategy_id:
        raise DomainError(_("The goal and the pillar must come from the same strategy."), field="pillar")
    post.strategy_id = post.goal.strategy_id if post.goal is not None else None
    media = [] if post._state.adding else rules.stored_media(post)
    errors = rules.draft_errors(post, media)
    if post.status not in (Post.Status.IDEA, Post.Status.DRAFT):
        errors = rules.ready_errors(post, media)  # a post out of the draft stays complete
    rules.ensure(errors)


def _post_save(access: Access, post: Post, data: PostData) -> Post:
    post, changed = model_update(
        instance=post,
        data=_resolve_refs(access, data),
        fields=POST_FIELDS,
        exclude=["organization", "strategy", "goal", "pillar", "created_by", "reviewer"],
        validate=_validate_post,
    )
    if changed:
        hooks.refresh_cta_link(post)
    return post


@transaction.atomic
def post_create(
    *,
    access: Access,
    title: str,
    platform: str,
    objective: str,
    status: str = Post.Status.DRAFT,
    **data: Unpack[PostDetails],
) -> Post:
    """A draft (or an idea). Goal, pillar and call to action may be chosen now or before review."""
    access.require(Perm.WRITE)
    if status not in (Post.Status.IDEA, Post.Status.DRAFT):
        raise DomainError(_("A new post is an idea or a draft."), field="status")
    post = Post(organization=access.organization, created_by=access.user, status=status)
    post = _post_save(access, post, PostData(**data, title=title, platform=platform, objective=objective))
    record_event(access, post, PostEvent.Action.CREATED, to_status=post.status)
    return post


@transaction.atomic
def post_update(*, access: Access, post: Post | int, **data: Unpack[PostData]) -> Post:
    """Edits a post not yet scheduled. A post in review or approved goes back to the draft when the
    organization requires approval: what was approved is not what will be published."""
    access.require(Perm.WRITE)
    row = _post_get(access, post, lock=True)
    if row.status not in EDITABLE:
        raise Conflict(_("A scheduled or published post cannot be edited. Unschedule the post first."))
    before = row.status
    row = _post_save(access, row, data)
    if access.organization.posts_require_approval and before in (Post.Status.IN_REVIEW, Post.Status.APPROVED):
        row.status = Post.Status.DRAFT
        row.save(update_fields=["status", "updated_at"])
    record_event(access, row, PostEvent.Action.EDITED, from_status=before, to_status=row.status)
    return row


def record_event(
    access: Access,
    post: Post,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
) -> PostEvent:
    """One line of the post's history."""
    return PostEvent.objects.create(
        organization=access.organization,
        post=post,
        user=access.user,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def aware_future(access: Access, when: dt.datetime | None) -> dt.datetime:
    if when is None:
        raise DomainError(_("Choose when to publish."), field="scheduled_at")
    if timezone.is_naive(when):
        when = timezone.make_aware(when, access.organization.tzinfo)
    if when <= timezone.now():
        raise DomainError(_("Choose a time in the future."), field="scheduled_at")
    return when


def _gate(access: Access, post: Post, on: dt.datetime) -> Strategy:
    return ensure_launch_allowed(
        organization=access.organization,
        goal=post.goal_id,
        pillar=post.pillar_id,
        on=on,
        require_goal=True,
        require_pillar=True,
    )


def _target_accounts(access: Access, post: Post, accounts: Sequence[SocialAccount | int] | None) -> list[SocialAccount]:
    """The chosen accounts (or every connected account of the post's platform). The simulated demo
    account stands in for every platform, so the demo organization's plan publishes too."""
    usable = SocialAccount.objects.for_organization(access.organization).filter(
        platform__in=[*rules.post_platforms(post), Platform.DEMO], status=AccountStatus.ACTIVE
    )
    if accounts is None and post.target_accounts:
        accounts = list(post.target_accounts)
    if accounts is None:
        chosen = list(usable.order_by("pk"))
    else:
        ids = {a.pk if isinstance(a, SocialAccount) else a for a in accounts}
        chosen = list(usable.filter(pk__in=ids).order_by("pk"))
        if len(chosen) != len(ids):
            raise DomainError(
                _("Choose connected accounts of this post's platform."),
                field="accounts",
            )
    if not chosen:
        raise DomainError(
            _("Connect a %(platform)s account before scheduling this post.")
            % {"platform": SocialPlatform(post.platform).label},
            field="accounts",
        )
    if accounts is None:
        # Every platform the post has a text for must have somewhere to go: a platform with no
        # connected account is refused rather than silently left out.
        covered = {a.platform for a in chosen}
        missing = [p for p in rules.post_platforms(post) if p not in covered and Platform.DEMO not in covered]
        if missing:
            raise DomainError(
                _("No connected %(platforms)s account: connect one, or remove that platform's text.")
                % {"platforms": ", ".join(str(SocialPlatform(p).label) for p in missing)},
                field="accounts",
            )
    return chosen


@transaction.atomic
def post_schedule(
    *,
    access: Access,
    post: Post | int,
    scheduled_at: dt.datetime,
    accounts: Sequence[SocialAccount | int] | None = None,
) -> Post:
    """Schedules a post to one publication per account. Refused (LaunchBlocked, HTTP 400) unless an
    approved strategy covers the publication date and the post serves one of its goals through one
    of its pillars; refused without a connected account of the platform, and before approval where
    the organization requires it."""
    access.require(Perm.WRITE)
    post = _post_get(access, post, lock=True)
    schedulable = [Post.Status.APPROVED] if access.organization.posts_require_approval else list(EDITABLE)
    if post.status not in schedulable:
        if access.organization.posts_require_approval and post.status in EDITABLE:
            raise Conflict(_("This organization requires approval: submit the post for review first."))
        raise Conflict(_("Only a draft or approved post can be scheduled."))
    scheduled_at = aware_future(access, scheduled_at)
    post.strategy = _gate(access, post, scheduled_at)
    rules.ensure(rules.content_errors(post, rules.stored_media(post)))
    targets = _target_accounts(access, post, accounts)
    before = post.status
    for account in targets:
        Publication.objects.create(
            organization=access.organization,
            post=post,
            account=account,
            scheduled_at=scheduled_at,
            next_attempt_at=scheduled_at,
        )
    post.status = Post.Status.SCHEDULED
    post.scheduled_at = scheduled_at
    post.save(update_fields=["strategy", "status", "scheduled_at", "updated_at"])
    audit_log_record(
        access=access,
        action="post.schedule",
        obj=post,
        changes={"scheduled_at": scheduled_at.isoformat(), "accounts": [a.pk for a in targets]},
    )
    record_event(access, post, PostEvent.Action.SCHEDULED, from_status=before, to_status=post.status)
    return post


@transaction.atomic
def post_unschedule(*, access: Access, post: Post | int) -> Post:
    """Cancels the publications not yet out; refused while one is being published."""
    access.require(Perm.WRITE)
    post = _post_get(access, post, lock=True)
    live = post.publications.select_for_update().exclude(status=Publication.Status.CANCELLED)
    if live.filter(status=Publication.Status.PUBLISHING).exists():
        raise Conflict(_("The post is being published right now; wait a minute and try again."))
    pending = live.filter(status__in=[Publication.Status.SCHEDULED, Publication.Status.FAILED])
    if not pending.exists():
        raise Conflict(_("Only a scheduled post can be unscheduled."))
    cancelled = pending.update(status=Publication.Status.CANCELLED, updated_at=timezone.now())
    if live.filter(status=Publication.Status.PUBLISHED).exists():
        refresh_post_status(post.pk)
        post.refresh_from_db()
    else:
        post.status = Post.Status.APPROVED if access.organization.posts_require_approval else Post.Status.DRAFT
        post.save(update_fields=["status", "updated_at"])
    audit_log_record(access=access, action="post.unschedule", obj=post, changes={"cancelled": cancelled})
    record_event(access, post, PostEvent.Action.UNSCHEDULED, from_status=Post.Status.SCHEDULED, to_status=post.status)
    return post


def _publication_get(access: Access, publication: Publication | int) -> Publication:
    return access_publication(access, publication, lock=True)


@transaction.atomic
def publication_retry(*, access: Access, publication: Publication | int) -> Publication:
    """A failed publication again, now (the launch gate is asked again)."""
    access.require(Perm.WRITE)
    pub = _publication_get(access, publication)
    if pub.status != Publication.Status.FAILED:
        raise Conflict(_("Only a failed publication can be retried."))
    now = timezone.now()
    post = _post_get(access, pub.post_id, lock=True)
    _gate(access, post, now)
    _requeue(pub, when=now)
    audit_log_record(access=access, action="publication.retry", obj=pub)
    return pub


@transaction.atomic
def publication_reschedule(*, access: Access, publication: Publication | int, scheduled_at: dt.datetime) -> Publication:
    """A scheduled or failed publication at another time (the launch gate is asked for that date)."""
    access.require(Perm.WRITE)
    pub = _publication_get(access, publication)
    if pub.status not in (Publication.Status.SCHEDULED, Publication.Status.FAILED):
        raise Conflict(_("Only a scheduled or failed publication can be rescheduled."))
    scheduled_at = aware_future(access, scheduled_at)
    post = _post_get(access, pub.post_id, lock=True)
    _gate(access, post, scheduled_at)
    old = pub.scheduled_at
    pub.scheduled_at = scheduled_at
    _requeue(pub, when=scheduled_at)
    audit_log_record(
        access=access,
        action="publication.reschedule",
        obj=pub,
        changes={"scheduled_at": [old.isoformat(), scheduled_at.isoformat()]},
    )
    return pub


def _requeue(pub: Publication, *, when: dt.datetime) -> None:
    if pub.error_kind == ErrorKind.NEEDS_ACTION:
        # The failure asked the author to look on the platform before retrying: earlier attempts
        # of unknown outcome are settled. Otherwise they are still checked before a re-send.
        pub.verified_through = timezone.now()
    pub.status = Publication.Status.SCHEDULED
    pub.next_attempt_at = when
    pub.attempts = 0
    pub.error_kind = pub.error_code = pub.error_message = ""
    pub.overdue_flagged_at = None
    pub.save()
    refresh_post_status(pub.post_id)


def ensure_publish_allowed(*, post: Post) -> None:
    """For the publisher: re-checks the gate at publication time (the strategy may have changed)."""
    publishing.ensure_publish_allowed(post=post)


@transaction.atomic
def post_delete(*, access: Access, post: Post | int) -> None:
    access.require(Perm.WRITE)
    post = _post_get(access, post, lock=True)
    out = post.publications.filter(status__in=[Publication.Status.PUBLISHING, Publication.Status.PUBLISHED])
    if post.status == Post.Status.PUBLISHED or out.exists():
        raise Conflict(_("A published post is kept for analytics and cannot be deleted."))
    # Cancelled publications (and their attempts) go with the post; scheduled ones are cancelled first.
    if post.publications.filter(status=Publication.Status.SCHEDULED).exists():
        raise Conflict(_("Unschedule the post before deleting it."))
    post.delete()


@transaction.atomic
def notification_mark_read(*, access: Access, notification: Notification | int) -> Notification:
    """Marks one of the member's own notifications read (reading is idempotent)."""
    row = access_notification(access, notification, lock=True)
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row


@transaction.atomic
def notifications_mark_all_read(*, access: Access) -> int:
    """Marks every unread notification of the member in this organization read; returns how many."""
    return Notification.objects.filter(
        organization=access.organization, user_id=getattr(access.user, "pk", None) or 0, read_at__isnull=True
    ).update(read_at=timezone.now())
