"""Mentions and reputation: brand keywords with exclusions drive the VK ``newsfeed.search``
(recorded fixtures), each mention enters the inbox once and gets a tone right after the sync, the
reputation page's figures match pandas over the raw rows, and the negative-mention spike alert
fires exactly at its boundaries."""

import datetime as dt

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.rollup_hooks import is_refresh
from content.models import Notification
from integrations.connectors.base import AuthExpired, RateLimited
from moderation import reputation, services, tone
from moderation.models import BrandKeyword, InboxItem, InboxKind, Sentiment, ToneSource
from tests.integrations.connectors import vk_support
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory

pytestmark = pytest.mark.django_db

SEARCH = "/method/newsfeed.search"
WINDOW = services.SyncWindow.trailing(days=1, posts_days=7, now=vk_support.NOW)


def route_search(platform_api):
    platform_api.route("POST", SEARCH, "vk/newsfeed.search.page2.json", form={"start_from": "2/-193004512_78214"})
    platform_api.route("POST", SEARCH, "vk/newsfeed.search.json", absent=("start_from",))


@pytest.fixture
def vk_account(org):
    return SocialAccountFactory(organization=org, platform="vk", external_id=vk_support.GROUP)


def mentions(org):
    return sorted(
        InboxItem.objects.for_organization(org).filter(kind=InboxKind.MENTION).values_list("external_id", flat=True)
    )


def test_keywords_with_exclusions_enter_each_mention_once(org, vk_account, vk, platform_api):
    route_search(platform_api)
    BrandKeyword.objects.create(organization=org, phrase="Зерно кофейня", exclusions=["подборка"])

    result = services.mentions_sync(account=vk_account, connector=vk, window=WINDOW)
    assert mentions(org) == ["287430112_3391", "405118723_1120"]  # the "Подборка" post is skipped
    assert result.fetched == 2
    assert {r.form["q"] for r in platform_api.requests_to(SEARCH)} == {"Зерно кофейня"}

    # A second keyword finds the same posts again: still one inbox item per post.
    BrandKeyword.objects.create(organization=org, phrase="Зерно Казань")
    services.mentions_sync(account=vk_account, connector=vk, window=WINDOW)
    services.mentions_sync(account=vk_account, connector=vk, window=WINDOW)
    assert mentions(org) == ["-193004512_78214", "287430112_3391", "405118723_1120"]
    assert InboxItem.objects.for_organization(org).count() == 3
    assert {r.form["q"] for r in platform_api.requests_to(SEARCH)} == {"Зерно кофейня", "Зерно Казань"}


def test_inactive_keywords_are_not_searched_and_without_keywords_the_account_option_is(
    org,
    vk_account,
    vk,
    platform_api,
):
    route_search(platform_api)
    BrandKeyword.objects.create(organization=org, phrase="Старое название", is_active=False)
    vk_account.options = {"mention_query": "Зерно"}
    vk_account.save()
    services.mentions_sync(account=vk_account, connector=vk, window=WINDOW)
    assert {r.form["q"] for r in platform_api.requests_to(SEARCH)} == {"Зерно"}
    assert len(mentions(org)) == 3


@pytest.mark.parametrize(
    ("fixture", "error"),
    [("vk/error.too_many_requests.json", RateLimited), ("vk/error.invalid_token.json", AuthExpired)],
)
def test_a_platform_error_writes_nothing(org, vk_account, vk, platform_api, fixture, error):
    platform_api.route("POST", SEARCH, fixture)
    BrandKeyword.objects.create(organization=org, phrase="Зерно")
    with pytest.raises(error):
        services.mentions_sync(account=vk_account, connector=vk, window=WINDOW)
    assert mentions(org) == []


def test_mentions_get_their_tone_and_model_version_right_after_the_sync(
    org,
    vk_account,
    vk,
    platform_api,
    django_capture_on_commit_callbacks,
):
    route_search(platform_api)
    BrandKeyword.objects.create(organization=org, phrase="Зерно")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.mentions_sync(account=vk_account, connector=vk, window=WINDOW)
    assert len([c for c in callbacks if not is_refresh(c)]) == 1  # one classify_tone batch for the organization
    rows = InboxItem.objects.for_organization(org).filter(kind=InboxKind.MENTION)
    assert all(r.sentiment in Sentiment.values for r in rows)
    assert {(r.tone_source, r.tone_model_version) for r in rows} == {(ToneSource.MODEL, tone.model_version())}
    assert [r.sentiment for r in rows] == tone.classify([r.text for r in rows])  # the shipped model's labels


# --------------------------------------------------------------------------- spike alert

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


def negatives(org, account, *, hours_ago, n, kind=InboxKind.MENTION, sentiment=Sentiment.NEGATIVE):
    for _ in range(n):
        InboxItemFactory(
            organization=org,
            account=account,
            kind=kind,
            sentiment=sentiment,
            created_at=NOW - dt.timedelta(hours=hours_ago),
        )


@pytest.mark.parametrize(
    ("recent", "trailing", "fires"),
    [
        (4, 0, False),  # below the minimum count, however quiet the week was
        (5, 0, True),  # the minimum count on a quiet week
        (5, 21, False),  # 3 a day usual: 5 < 2 × 3
        (6, 21, True),  # exactly twice the baseline
        (11, 42, False),  # 6 a day usual: 11 < 12
        (12, 42, True),  # 12 = 2 × 6
    ],
)
def test_spike_rule_boundaries(org, recent, trailing, fires):
    account = SocialAccountFactory(organization=org)
    negatives(org, account, hours_ago=1, n=recent)
    negatives(org, account, hours_ago=48, n=trailing)
    spike = reputation.spike_measure(organization_id=org.pk, now=NOW)
    assert (spike.recent, spike.trailing, spike.fires) == (recent, trailing, fires)


def test_spike_window_edges_and_what_does_not_count(org):
    account = SocialAccountFactory(organization=org)
    negatives(org, account, hours_ago=24, n=5)  # exactly 24 h ago: the baseline, not the last 24 h
    negatives(org, account, hours_ago=24 * 8 + 1, n=50)  # before the baseline week: ignored
    negatives(org, account, hours_ago=1, n=4)
    negatives(org, account, hours_ago=1, n=9, kind=InboxKind.COMMENT)  # comments are not mentions
    negatives(org, account, hours_ago=1, n=9, sentiment=Sentiment.NEUTRAL)
    spike = reputation.spike_measure(organization_id=org.pk, now=NOW)
    assert (spike.recent, spike.trailing, spike.fires) == (4, 5, False)
    negatives(org, account, hours_ago=0, n=1)  # now itself is inside the last 24 h
    spike = reputation.spike_measure(organization_id=org.pk, now=NOW)
    assert (spike.recent, spike.trailing, spike.fires) == (5, 5, True)  # 5 ≥ 5 and 5 ≥ 2 × 5 / 7


def test_spike_alert_notifies_owners_and_admins_once(org, owner, marketer, other_org):
    now = timezone.now()
    account = SocialAccountFactory(organization=org)
    for _ in range(5):
        InboxItemFactory(organization=org, account=account, kind="mention", sentiment="negative", created_at=now)
    assert reputation.spike_check(organization_id=org.pk, now=now) is True
    assert reputation.spike_check(organization_id=org.pk, now=now) is False  # once per 24 h
    sent = Notification.objects.for_organization(org).filter(kind=reputation.SPIKE_KIND)
    assert [n.user_id for n in sent] == [owner.pk]
    assert "5" in sent[0].title
    assert not Notification.objects.for_organization(other_org).exists()
    assert reputation.spike_check(organization_id=other_org.pk, now=now) is False


# --------------------------------------------------------------------------- reputation page


def test_reputation_page_matches_pandas_and_keeps_its_query_count(
    owner_web, org, other_org, django_assert_max_num_queries
):
    account = SocialAccountFactory(organization=org)
    today = org.today()
    tz = org.tzinfo
    tones = [None, "negative", "neutral", "positive"]
    for n in range(40):
        day = today - dt.timedelta(days=n % 9)
        at = dt.datetime.combine(day, dt.time(hour=(n * 5) % 24, minute=n % 60), tz)
        InboxItemFactory(organization=org, account=account, kind="mention", sentiment=tones[n % 4], created_at=at)
    InboxItemFactory(organization=org, account=account, kind="comment", sentiment="negative")
    InboxItemFactory(organization=other_org, kind="mention", sentiment="negative")

    with django_assert_max_num_queries(20):
        response = owner_web.get(f"/o/{org.slug}/moderation/reputation/?days=7")
    assert response.status_code == 200
    series = response.context["series"]

    raw = pd.DataFrame.from_records(
        list(InboxItem.objects.unscoped().filter(organization=org, kind="mention").values("created_at", "sentiment"))
    )
    raw["day"] = raw["created_at"].dt.tz_convert(str(tz)).dt.date
    raw["tone"] = raw["sentiment"].fillna("unrated")
    since = today - dt.timedelta(days=6)
    expected = (
        raw[raw["day"] >= since]
        .pivot_table(index="day", columns="tone", values="created_at", aggfunc="count", fill_value=0)
        .reindex(pd.Index([since + dt.timedelta(days=i) for i in range(7)]), fill_value=0)
    )
    for d in series:
        assert (d.negative, d.neutral, d.positive, d.unrated) == tuple(
            int(expected.loc[d.day].get(k, 0)) for k in ("negative", "neutral", "positive", "unrated")
        )
    html = response.content.decode()
    assert 'data-plotly-figure="reputation-data"' in html
    assert f'data-day="{today.isoformat()}"' in html
    assert "<caption>" in html
    assert response.context["totals"]["total"] == int(expected.to_numpy().sum())

    with django_assert_max_num_queries(20):
        assert len(owner_web.get(f"/o/{org.slug}/moderation/reputation/?days=90").context["series"]) == 90
    assert len(owner_web.get(f"/o/{org.slug}/moderation/reputation/?days=abc").context["series"]) == 30
    assert owner_web.get(f"/o/{other_org.slug}/moderation/reputation/").status_code == 404


# --------------------------------------------------------------------------- keywords API and page


def test_keywords_api(owner_client, org, other_org, marketer):
    url = f"/api/v1/orgs/{org.slug}/inbox/keywords/"
    r = owner_client.post(
        url, {"phrase": "  Зерно   кофейня ", "exclusions": [" зерно  пшеницы ", "зерно пшеницы"]}, format="json"
    )
    assert r.status_code == 201, r.content
    assert (r.json()["phrase"], r.json()["exclusions"]) == ("Зерно кофейня", ["зерно пшеницы"])
    dup = owner_client.post(url, {"phrase": "зерно кофейня"}, format="json")
    assert dup.status_code == 400
    assert "phrase" in dup.json()["error"]["fields"]
    bad = owner_client.post(url, {"phrase": "  "}, format="json")
    assert bad.status_code == 400
    assert "phrase" in bad.json()["error"]["fields"]
    assert owner_client.post(url, {"phrase": "x", "exclusions": "not a list"}, format="json").status_code == 400
    assert [k["phrase"] for k in owner_client.get(url).json()["results"]] == ["Зерно кофейня"]
    pk = r.json()["id"]
    r = owner_client.patch(f"{url}{pk}/", {"is_active": False}, format="json")
    assert r.json()["is_active"] is False
    foreign = BrandKeyword.objects.create(organization=other_org, phrase="Чужое")
    assert owner_client.get(f"{url}{foreign.pk}/").status_code == 404
    assert owner_client.delete(f"{url}{foreign.pk}/").status_code == 404
    assert owner_client.delete(f"{url}{pk}/").status_code == 204
    assert BrandKeyword.objects.for_organization(other_org).count() == 1


def test_keywords_need_the_manage_permission(org, marketer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(marketer)
    url = f"/api/v1/orgs/{org.slug}/inbox/keywords/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"phrase": "Зерно"}, format="json").status_code == 403


def test_keywords_page_adds_and_removes(owner_web, org, other_org):
    page = f"/o/{org.slug}/moderation/keywords/"
    r = owner_web.post(f"{page}add/", {"phrase": "Зерно", "exclusions": "пшеница, рожь\nовёс"}, follow=True)
    keyword = BrandKeyword.objects.for_organization(org).get()
    assert keyword.exclusions == ["пшеница", "рожь", "овёс"]
    assert "Зерно" in r.content.decode()
    r = owner_web.post(f"{page}add/", {"phrase": "Зерно"}, follow=True)
    assert BrandKeyword.objects.for_organization(org).count() == 1
    assert r.status_code == 200
    r = owner_web.post(f"{page}add/", {"phrase": ""}, follow=True)
    assert r.status_code == 200
    assert BrandKeyword.objects.for_organization(org).count() == 1
    foreign = BrandKeyword.objects.create(organization=other_org, phrase="Чужое")
    assert owner_web.post(f"{page}{foreign.pk}/delete/").status_code == 404
    owner_web.post(f"{page}{keyword.pk}/delete/")
    assert not BrandKeyword.objects.for_organization(org).exists()
    assert owner_web.get(f"/o/{other_org.slug}/moderation/keywords/").status_code == 404


def _keywords(org, start, n):
    return [
        BrandKeyword.objects.create(organization=org, phrase=f"Зерно {i}", exclusions=[f"пшеница {i}"])
        for i in range(start, start + n)
    ]


def test_keywords_page_and_api_queries_do_not_grow_with_keywords(owner_web, owner_client, org, other_org):
    """Two sizes of the same list: 2 and 30 keywords, each read with the same (small) number of queries."""
    page, api = f"/o/{org.slug}/moderation/keywords/", f"/api/v1/orgs/{org.slug}/inbox/keywords/"
    _keywords(other_org, 0, 5)  # a neighbour's keywords are neither counted nor shown
    owner_web.get(page)  # the first page of an organization remembers it in the session
    counts = []
    for start, n in ((0, 2), (2, 28)):
        _keywords(org, start, n)
        with CaptureQueriesContext(connection) as on_page:
            html = owner_web.get(page).content.decode()
        with CaptureQueriesContext(connection) as on_api:
            listed = owner_client.get(api).json()
        phrases = set(BrandKeyword.objects.for_organization(org).values_list("phrase", flat=True))
        assert {k["phrase"] for k in listed["results"]} == phrases
        assert all(p in html for p in phrases)
        counts.append((len(on_page), len(on_api)))
    assert counts[0] == counts[1]
    assert counts[0][0] <= 20
    assert counts[0][1] <= 20
