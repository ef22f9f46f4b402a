"""Every navigation page of a demo-like organization, as its owner, in at most 20 queries, and the
same number of queries after the organization's data has grown (pages, not timings: speed targets
live in bench/). The pages are the navigation's links as the dashboard renders them, plus the
fragments a page loads after itself (the dashboard's month lines, the analytics table's business
and community rows, the unread count)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.models import AccountMetricDaily, SocialPost
from crm.models import Lead
from moderation.models import InboxItem, InboxStatus
from tenancy.models import Organization
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20
NAV = re.compile(r'<nav class="mainnav".*?</nav>', re.S)
LINK = re.compile(r'href="(/o/zerno/[^"#?]*)"')
FRAGMENTS = [
    "/o/zerno/month/",
    "/o/zerno/analytics/kpis/results/",
    "/o/zerno/analytics/kpis/community/",
    "/o/zerno/content/notifications/unread/",
]


@pytest.fixture
def demo(client):
    call_command("seed_demo", password="zerno-demo-2026", verbosity=0)
    owner = get_user_model().objects.get(username="owner@zerno.demo")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return Organization.objects.get(slug="zerno")


def _pages(client) -> list[str]:
    dashboard = client.get("/o/zerno/").content.decode()
    links = LINK.findall(NAV.search(dashboard).group(0))
    assert len(links) >= 12, links
    return list(dict.fromkeys(links)) + FRAGMENTS


def _counts(client, pages) -> dict[str, int]:
    counts = {}
    for url in pages:
        client.get(url)  # the first page of an organization remembers it in the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, HTTP_HX_REQUEST="true" if url in FRAGMENTS else None)
        assert response.status_code == 200, url
        counts[url] = len(captured)
    return counts


def _grow(org) -> None:
    """More of everything the pages read: an account with two months of daily metrics and posts,
    inbox items in every status, CRM leads in this month and the last."""
    now = timezone.now()
    today = org.today()
    account = SocialAccountFactory(organization=org, platform="vk", external_id="grown")
    AccountMetricDaily.objects.bulk_create(
        AccountMetricDaily(
            organization=org,
            account=account,
            day=today - dt.timedelta(days=d),
            reach=100 + d,
            views=200 + d,
            interactions=10,
            link_clicks=3,
            followers=1000 + d,
        )
        for d in range(60)
    )
    SocialPost.objects.bulk_create(
        SocialPost(
            organization=org, account=account, external_id=f"grown-{n}", published_at=now - dt.timedelta(hours=n)
        )
        for n in range(40)
    )
    statuses = list(InboxStatus.values)
    InboxItem.objects.bulk_create(
        InboxItem(
            organization=org,
            account=account,
            kind="comment",
            external_id=f"grown-{n}",
            author_external_id=f"a{n % 7}",
            text=f"Вопрос {n}",
            status=statuses[n % len(statuses)],
            created_at=now - dt.timedelta(hours=n),
        )
        for n in range(80)
    )
    Lead.objects.bulk_create(
        Lead(organization=org, external_id=f"grown-{n}", created=now - dt.timedelta(days=n % 45), value=Decimal(900))
        for n in range(60)
    )


def test_every_navigation_page_stays_within_the_query_budget_as_data_grows(client, demo):
    pages = _pages(client)
    before = _counts(client, pages)
    _grow(demo)
    after = _counts(client, pages)
    over = {url: n for url, n in after.items() if n > MAX_QUERIES}
    assert not over, f"pages over {MAX_QUERIES} queries: {over}"
    if demo.today().day <= 3:
        # In a month's first days the demo has no row in the month yet, and the owner's month lines
        # read one more query once the month has rows (_grow adds some): empty vs some, not growth.
        before.pop("/o/zerno/month/")
        after.pop("/o/zerno/month/")
    assert before == after, "a page's query count changed with the amount of data"
