"""Factories for connected accounts (credentials are encrypted through the model API), sync steps and OAuth states."""

import factory

from integrations.models import AccountStatus, OAuthState, Platform, SocialAccount, SyncKind, SyncRun
from tests.tenancy.factories import OrganizationFactory, UserFactory


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    platform = Platform.DEMO
    external_id = factory.Sequence(lambda n: f"demo-{n}")
    display_name = factory.Sequence(lambda n: f"Account {n}")
    status = AccountStatus.ACTIVE

    @factory.post_generation
    def credentials(obj, create, extracted, **kwargs):
        values = extracted if extracted is not None else {"access_token": "demo-token"}
        obj.set_credentials(values)
        if create:
            obj.save(update_fields=["credentials_ciphertext"])


class SyncRunFactory(factory.django.DjangoModelFactory):
    """A running posts step of an account, in the account's organization."""

    class Meta:
        model = SyncRun

    account = factory.SubFactory(SocialAccountFactory)
    organization = factory.SelfAttribute("account.organization")
    kind = SyncKind.POSTS


class OAuthStateFactory(factory.django.DjangoModelFactory):
    """A pending VK authorization request started by a user."""

    class Meta:
        model = OAuthState

    organization = factory.SubFactory(OrganizationFactory)
    platform = Platform.VK
    state = factory.Sequence(lambda n: f"state-{n}")
    user = factory.SubFactory(UserFactory)
