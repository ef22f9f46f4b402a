"""Factories for connected accounts (credentials are encrypted through the model API)."""

import factory

from integrations.models import AccountStatus, Platform, SocialAccount
from tests.factories import OrganizationFactory


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
