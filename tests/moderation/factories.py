"""Factories for the inbox (comments, messages and mentions synced from a connected account)."""

import factory
from django.utils import timezone

from moderation.models import InboxItem, InboxKind
from tests.integrations.factories import SocialAccountFactory
from tests.tenancy.factories import OrganizationFactory


class InboxItemFactory(factory.django.DjangoModelFactory):
    """A new comment; the account belongs to the same organization."""

    class Meta:
        model = InboxItem

    organization = factory.SubFactory(OrganizationFactory)
    account = factory.SubFactory(SocialAccountFactory, organization=factory.SelfAttribute("..organization"))
    kind = InboxKind.COMMENT
    external_id = factory.Sequence(lambda n: f"e{n}")
    text = factory.Sequence(lambda n: f"Комментарий {n}")
    created_at = factory.LazyFunction(timezone.now)
