"""Synced platform posts linked to the plan (by external id, or by account + time + text), a planned
post's result, and "published outside the plan"."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import ingest, plan_links
from analytics.models import SocialPost
from analytics.plan_results import outside_plan, post_results
from content.models import Post, Publication
from crm.models import Lead
from integrations.connectors.base import RemotePost
from integrations.models import Platform
from integrations.steps import SyncWindow
from links.models import TrackedLink
from tests.content.factories import PostFactory, PublicationFactory
from tests.integrations.factories import SocialAccountFactory

from .factories import PostMetricDailyFactory, SocialPostFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def vk(org):
    return SocialAccountFactory(organization=org, platform=Platform.VK, external_id="club1")


def published(org, account, external_id="777", text="Флэт уайт за 15 секунд"):
    post = PostFactory(organization=org, text=text, status=Post.Status.PUBLISHED, scheduled_at=NOW)
    return PublicationFactory(
        organization=org,
        post=post,
        account=account,
        status=Publication.Status.PUBLISHED,
        external_id=external_id,
        published_at=NOW,
        scheduled_at=NOW,
    )


def test_linked_by_external_id(org, vk):
    pub = published(org, vk)
    social = SocialPostFactory(organization=org, account=vk, external_id="777", text="совсем другой текст")
    other = SocialPostFactory(organization=org, account=vk, external_id="778")
    assert plan_links.link_account_posts(account=vk, external_ids=["777", "778"]) == 1
    social.refresh_from_db()
    assert (social.publication_id, social.planned_post_id, social.plan_match) == (pub.pk, pub.post_id, "external_id")
    assert list(outside_plan(organization=org)) == [other]


def test_same_id_on_another_account_is_not_the_post(org, vk):
    published(org, vk)
    elsewhere = SocialAccountFactory(organization=org, platform=Platform.VK, external_id="club2")
    social = SocialPostFactory(organization=org, account=elsewhere, external_id="777", text="x")
    plan_links.link_account_posts(account=elsewhere, external_ids=["777"])
    social.refresh_from_db()
    assert social.planned_post_id is None


def test_linked_by_account_time_and_text_when_published_outside_the_product(org, vk):
    planned = PostFactory(
        organization=org,
        platform="vk",
        text="Новый сезонный латте с тыквой уже в меню «Зерна»",
        status=Post.Status.APPROVED,
        scheduled_at=NOW,
    )
    PostFactory(organization=org, platform="vk", text="Совсем о другом: вакансия бариста", scheduled_at=NOW)
    social = SocialPostFactory(
        organization=org,
        account=vk,
        published_at=NOW + dt.timedelta(minutes=40),
        text="Новый сезонный латте с тыквой уже в меню «Зерна»! https://zerno.example/menu",
    )
    far = SocialPostFactory(
        organization=org,
        account=vk,
        published_at=NOW + dt.timedelta(days=2),
        text="Новый сезонный латте с тыквой уже в меню «Зерна»",
    )
    plan_links.link_account_posts(account=vk, external_ids=[social.external_id, far.external_id])
    social.refresh_from_db()
    far.refresh_from_db()
    assert (social.planned_post_id, social.plan_match) == (planned.pk, "text")
    assert far.planned_post_id is None  # outside the time window


def test_dissimilar_text_stays_outside_the_plan(org, vk):
    PostFactory(organization=org, platform="vk", text="Флэт уайт за 15 секунд", scheduled_at=NOW)
    social = SocialPostFactory(organization=org, account=vk, published_at=NOW, text="Мы открыли вторую кофейню")
    plan_links.link_account_posts(account=vk, external_ids=[social.external_id])
    assert list(outside_plan(organization=org)) == [social]


class OnePost:
    capabilities = frozenset()

    def fetch_posts(self, since):
        return [RemotePost(external_id="777", published_at=NOW, text="Флэт уайт за 15 секунд", format="text")]


def test_the_posts_sync_step_links_what_it_ingests(org, vk):
    pub = published(org, vk)
    window = SyncWindow(now=NOW, since=NOW.date(), until=NOW.date(), posts_since=NOW - dt.timedelta(days=2))
    ingest.posts_sync(account=vk, connector=OnePost(), window=window)
    assert SocialPost.objects.get(organization=org, external_id="777").publication_id == pub.pk


def test_a_planned_post_shows_reach_er_clicks_and_leads(org, vk):
    pub = published(org, vk)
    social = SocialPostFactory(organization=org, account=vk, external_id="777")
    PostMetricDailyFactory(post=social, day=dt.date(2026, 6, 1), reach=100, likes=1)
    PostMetricDailyFactory(post=social, day=dt.date(2026, 6, 2), reach=200, likes=8, comments=2, link_clicks=None)
    TrackedLink.objects.create(
        organization=org, code="AbCdEf1", target_url="https://x.example/", post=pub.post, clicks=7
    )
    Lead.objects.create(organization=org, external_id="L1", post=pub.post)
    Lead.objects.create(organization=org, external_id="L2", post=pub.post)
    plan_links.link_account_posts(account=vk, external_ids=["777"])
    result = post_results(organization=org, post_ids=[pub.post_id])[pub.post_id]
    assert (result.reach, result.interactions, result.clicks, result.leads) == (200, 10, 7, 2)
    assert result.engagement_rate == Decimal("5.00")


def test_content_page_queries_do_not_grow_with_posts(owner_web, org, vk):
    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert owner_web.get(f"/o/{org.slug}/content/").status_code == 200
        return len(ctx)

    for n in range(2):
        published(org, vk, external_id=f"a{n}")
        SocialPostFactory(organization=org, account=vk, external_id=f"a{n}")
    plan_links.link_account_posts(account=vk, external_ids=["a0", "a1"])
    owner_web.get(f"/o/{org.slug}/content/")  # the first page of an organization remembers it in the session
    few = page_queries()
    for n in range(8):
        pub = published(org, vk, external_id=f"b{n}")
        social = SocialPostFactory(organization=org, account=vk, external_id=f"b{n}")
        PostMetricDailyFactory(post=social, reach=10)
        Lead.objects.create(organization=org, external_id=f"L{n}", post=pub.post)
        SocialPostFactory(organization=org, account=vk, external_id=f"outside{n}")
    plan_links.link_account_posts(account=vk, external_ids=[f"b{n}" for n in range(8)])
    assert page_queries() == few
