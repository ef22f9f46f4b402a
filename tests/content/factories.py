"""Factories for the content plan (content.Post, a post we plan; analytics.SocialPost is what a platform published)."""

import datetime as dt

import factory
from django.utils import timezone

from content.models import PlannedSlot, Post, PostObjective, Publication, PublishAttempt
from tests.integrations.factories import SocialAccountFactory
from tests.tenancy.factories import OrganizationFactory


class PostFactory(factory.django.DjangoModelFactory):
    """A draft post serving no goal yet (a scheduled one needs a strategy, goal, pillar and time)."""

    class Meta:
        model = Post

    organization = factory.SubFactory(OrganizationFactory)
    platform = "vk"
    title = factory.Sequence(lambda n: f"Пост {n}")
    objective = PostObjective.ENGAGEMENT


class PublicationFactory(factory.django.DjangoModelFactory):
    """A scheduled publication of a draft post on a demo account, due in an hour (set the post's
    goal and pillar, or use `scheduled_post`, where the launch gate must pass)."""

    class Meta:
        model = Publication

    organization = factory.SubFactory(OrganizationFactory)
    post = factory.SubFactory(PostFactory, organization=factory.SelfAttribute("..organization"))
    account = factory.SubFactory(SocialAccountFactory, organization=factory.SelfAttribute("..organization"))
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=1))
    next_attempt_at = factory.SelfAttribute("scheduled_at")


class PublishAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishAttempt

    publication = factory.SubFactory(PublicationFactory)
    organization = factory.SelfAttribute("publication.organization")
    started_at = factory.LazyFunction(timezone.now)
    result = PublishAttempt.Result.SUCCESS


class PlannedSlotFactory(factory.django.DjangoModelFactory):
    """Where a post not yet scheduled sits on the calendar."""

    class Meta:
        model = PlannedSlot

    post = factory.SubFactory(PostFactory)
    organization = factory.SelfAttribute("post.organization")
    planned_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
