"""Shared setup of the publishing tests: a scheduled post that is due, and a scripted platform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from content import services
from content.models import Post, Publication
from integrations.connectors.base import NotSupported, PublishResult
from tenancy.roles import Role
from tests.conftest import access_of
from tests.strategy.factories import approved_strategy
from tests.tenancy.factories import MembershipFactory, UserFactory


def strategy_this_year(org):
    today = timezone.localdate()
    return approved_strategy(org, start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=300))


def author_access(org):
    user = UserFactory(email=f"author@{org.slug}.test")
    MembershipFactory(organization=org, user=user, role=Role.MARKETER)
    return access_of(org, user, Role.MARKETER)


def due_post(org, *, accounts=None, text="Новый сезонный латте уже в меню", access=None, platform="vk") -> Post:
    """A post scheduled through the service (launch gate and all), then made due now."""
    _strategy, goal, pillar = strategy_this_year(org)
    access = access or author_access(org)
    post = services.post_create(
        access=access, title="Латте", text=text, platform=platform, objective="engagement", goal=goal, pillar=pillar
    )
    services.post_schedule(
        access=access, post=post, scheduled_at=timezone.now() + dt.timedelta(hours=1), accounts=accounts
    )
    make_due(post)
    return post


def make_due(post: Post, *, ago: dt.timedelta = dt.timedelta(seconds=1)) -> None:
    Publication.objects.filter(post=post, status=Publication.Status.SCHEDULED).update(
        next_attempt_at=timezone.now() - ago
    )


@dataclass
class FakePlatform:
    """A platform whose answers the test scripts: ``outcomes`` are consumed one per publish call
    (an exception to raise, or None for success); ``lands`` says whether a failing call still
    created the post (a timeout after the platform accepted it)."""

    outcomes: list[BaseException | None] = field(default_factory=list)
    lands: list[bool] = field(default_factory=list)
    can_check: bool = True
    posts: list[tuple[str, str]] = field(default_factory=list)  # (external id, text)
    publish_calls: int = 0
    check_calls: int = 0

    def factory(self) -> Callable[..., FakeConnector]:
        return lambda account, **_: FakeConnector(self)


class FakeConnector:
    def __init__(self, platform: FakePlatform) -> None:
        self.platform = platform

    def publish(self, text, *, media_urls=(), link=None, idempotency_key=None):
        state = self.platform
        state.publish_calls += 1
        outcome = state.outcomes.pop(0) if state.outcomes else None
        landed = state.lands.pop(0) if state.lands else outcome is None
        if landed:
            state.posts.append((f"p{len(state.posts) + 1}", text))
        if outcome is not None:
            raise outcome
        return PublishResult(external_id=state.posts[-1][0], permalink=f"https://example.test/{state.posts[-1][0]}")

    def find_published(self, text, since, *, idempotency_key=None):
        self.platform.check_calls += 1
        if not self.platform.can_check:
            raise NotSupported("fake", "this platform cannot list its posts")
        for external_id, posted in self.platform.posts:
            if posted == text:
                return PublishResult(external_id=external_id, permalink=f"https://example.test/{external_id}")
        return None

    def close(self) -> None:
        return None
