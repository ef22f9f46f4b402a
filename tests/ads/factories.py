"""Factories for ad campaigns and their daily statistics."""

import datetime as dt

import factory

from ads.models import AdCampaign, AdStatDaily, CampaignStatus
from tests.integrations.factories import SocialAccountFactory
from tests.tenancy.factories import OrganizationFactory


class AdCampaignFactory(factory.django.DjangoModelFactory):
    """A running campaign; the account belongs to the same organization."""

    class Meta:
        model = AdCampaign

    organization = factory.SubFactory(OrganizationFactory)
    account = factory.SubFactory(SocialAccountFactory, organization=factory.SelfAttribute("..organization"))
    external_id = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"Кампания {n}")
    status = CampaignStatus.ACTIVE


class AdStatDailyFactory(factory.django.DjangoModelFactory):
    """One day of a campaign, in its organization and account; every metric "not reported" unless given."""

    class Meta:
        model = AdStatDaily

    campaign = factory.SubFactory(AdCampaignFactory)
    organization = factory.SelfAttribute("campaign.organization")
    account = factory.SelfAttribute("campaign.account")
    day = dt.date(2026, 6, 1)
