"""Factories for the content plan (content.Post, a post we plan; analytics.SocialPost is what a platform published)."""

import factory

from content.models import Post, PostObjective
from tests.tenancy.factories import OrganizationFactory


class PostFactory(factory.django.DjangoModelFactory):
    """A draft post serving no goal yet (a scheduled one needs a strategy, goal, pillar and time)."""

    class Meta:
        model = Post

    organization = factory.SubFactory(OrganizationFactory)
    platform = "vk"
    title = factory.Sequence(lambda n: f"Пост {n}")
    objective = PostObjective.ENGAGEMENT
