"""Writes for posts. Scheduling passes the strategy launch gate, so the API and the UI obey it."""

import datetime as dt
from typing import Final, TypedDict, TypeVar, Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotFound
from core.services import fields_of, model_update
from strategy.launch_gate import ensure_launch_allowed
from strategy.models import ContentPillar, Goal
from tenancy.access import Access
from tenancy.models import TenantModel
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization

from .models import Post
from .selectors import access_post


class PostDetails(TypedDict, total=False):
    text: str
    format: str
    goal: Goal | int | None
    pillar: ContentPillar | int | None


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
    """Goal/pillar ids or instances → rows of this organization (404-like error otherwise)."""
    resolved = PostData(**data)
    goal, pillar = data.get("goal"), data.get("pillar")
    if goal is not None:
        resolved["goal"] = _own(Goal, access, goal, "goal")
    if pillar is not None:
        resolved["pillar"] = _own(ContentPillar, access, pillar, "pillar")
    return resolved


def _validate_post(post: Post) -> None:
    if post.goal is not None and post.pillar is not None and post.goal.strategy_id != post.pillar.strategy_id:
        raise DomainError(_("The goal and the pillar must come from the same strategy."), field="pillar")
    post.strategy_id = post.goal.strategy_id if post.goal is not None else None


def _post_save(access: Access, post: Post, data: PostData) -> Post:
    return model_update(
        instance=post,
        data=_resolve_refs(access, data),
        fields=POST_FIELDS,
        exclude=["organization", "strategy", "goal", "pillar", "created_by"],
        validate=_validate_post,
    )[0]


@transaction.atomic
def post_create(*, access: Access, title: str, platform: str, objective: str, **data: Unpack[PostDetails]) -> Post:
    """A draft post. Goal and pillar may be chosen now or when scheduling."""
    access.require(Perm.WRITE)
    post = Post(organization=access.organization, created_by=access.user)
    return _post_save(access, post, PostData(**data, title=title, platform=platform, objective=objective))


@transaction.atomic
def post_update(*, access: Access, post: Post | int, **data: Unpack[PostData]) -> Post:
    access.require(Perm.WRITE)
    row = _post_get(access, post, lock=True)
    if row.status != Post.Status.DRAFT:
        raise Conflict(_("Only a draft can be edited. Unschedule the post first."))
    return _post_save(access, row, data)


@transaction.atomic
def post_schedule(*, access: Access, post: Post | int, scheduled_at: dt.datetime) -> Post:
    """Schedules a draft. Refused (LaunchBlocked, HTTP 400) unless an approved strategy covers the
    publication date and the post serves one of its goals through one of its pillars."""
    access.require(Perm.WRITE)
    post = _post_get(access, post, lock=True)
    if post.status not in (Post.Status.DRAFT, Post.Status.FAILED):
        raise Conflict(_("Only a draft can be scheduled."))
    if scheduled_at is None:
        raise DomainError(_("Choose when to publish."), field="scheduled_at")
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at, access.organization.tzinfo)
    if scheduled_at <= timezone.now():
        raise DomainError(_("Choose a time in the future."), field="scheduled_at")
    strategy = ensure_launch_allowed(
        organization=access.organization,
        goal=post.goal_id,
        pillar=post.pillar_id,
        on=scheduled_at,
        require_goal=True,
        require_pillar=True,
    )
    post.strategy = strategy
    post.status = Post.Status.SCHEDULED
    post.scheduled_at = scheduled_at
    post.save(update_fields=["strategy", "status", "scheduled_at", "updated_at"])
    return post


@transaction.atomic
def post_unschedule(*, access: Access, post: Post | int) -> Post:
    access.require(Perm.WRITE)
    post = _post_get(access, post, lock=True)
    if post.status != Post.Status.SCHEDULED:
        raise Conflict(_("Only a scheduled post can be unscheduled."))
    post.status = Post.Status.DRAFT
    post.save(update_fields=["status", "updated_at"])
    return post


def ensure_publish_allowed(*, post: Post) -> None:
    """For the publisher: re-checks the gate at publication time (the strategy may have changed)."""
    ensure_launch_allowed(
        organization=post.organization,
        goal=post.goal_id,
        pillar=post.pillar_id,
        require_goal=True,
        require_pillar=True,
    )


@transaction.atomic
def post_delete(*, access: Access, post: Post | int) -> None:
    access.require(Perm.WRITE)
    post = _post_get(access, post, lock=True)
    if post.status == Post.Status.PUBLISHED:
        raise Conflict(_("A published post is kept for analytics and cannot be deleted."))
    post.delete()
