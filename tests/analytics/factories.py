"""Factories for the synced facts: platform posts and the daily account and post metrics."""

import datetime as dt

import factory
from django.utils import timezone

from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost
from tests.integrations.factories import SocialAccountFactory
from tests.tenancy.factories import OrganizationFactory


class SocialPostFactory(factory.django.DjangoModelFactory):
    """A post as a platform published it; the account belongs to the same organization."""

    class Meta:
        model = SocialPost

    organization = factory.SubFactory(OrganizationFactory)
    account = factory.SubFactory(SocialAccountFactory, organization=factory.SelfAttribute("..organization"))
    external_id = factory.Sequence(lambda n: f"p{n}")
    published_at = factory.LazyFunction(timezone.now)


class AccountMetricDailyFactory(factory.django.DjangoModelFactory):
    """One day of an account; every metric "not reported" unless given."""

    class Meta:
        model = AccountMetricDaily

    account = factory.SubFactory(SocialAccountFactory)
    organization = factory.SelfAttribute("account.organization")
    day = dt.date(2026, 6, 1)


class PostMetricDailyFactory(factory.django.DjangoModelFactory):
    """A post's lifetime totals seen on one day, in the post's organization and account."""

    class Meta:
        model = PostMetricDaily

    post = factory.SubFactory(SocialPostFactory)
    organization = factory.SelfAttribute("post.organization")
    account = factory.SelfAttribute("post.account")
    day = dt.date(2026, 6, 1)
