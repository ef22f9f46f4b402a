from decimal import Decimal

import pytest
from django.core.cache import cache

from ads.models import AdCampaign, CampaignStatus
from content.models import Post
from tests.integrations.factories import SocialAccountFactory
from tests.strategy.factories import GoalFactory, StrategyFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """De-duplication keys and the redirect rate limit live in the cache: each test starts empty."""
    cache.clear()
    yield
    cache.clear()


def make_post(org, *, goal_title="Заявки на кофе для офиса", platform="vk", **kwargs):
    goal = None
    if goal_title is not None:
        goal = GoalFactory(strategy=StrategyFactory(organization=org), title=goal_title)
    return Post.objects.create(
        organization=org,
        title=kwargs.pop("title", "Кофе для офиса"),
        platform=platform,
        objective="lead_generation",
        goal=goal,
        strategy=goal.strategy if goal else None,
        **kwargs,
    )


def make_campaign(org, *, platform="vk_ads", name="Трафик — доставка", external_id="c-1"):
    return AdCampaign.objects.create(
        organization=org,
        account=SocialAccountFactory(organization=org, platform=platform),
        external_id=external_id,
        name=name,
        status=CampaignStatus.PAUSED,
        daily_budget=Decimal("700.00"),
        currency="RUB",
    )


@pytest.fixture
def post(org):
    return make_post(org)


@pytest.fixture
def campaign(org):
    return make_campaign(org)
