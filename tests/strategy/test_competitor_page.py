"""The competitor comparison page: figures vs pandas, CSV, empty state, constant queries, API schema."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pandas as pd
import pytest
from django.utils import timezone

from analytics.benchmarks import our_rows
from analytics.models import PostMetricDaily, SocialPost
from strategy.models import CompetitorSnapshot, SnapshotSource
from tenancy.roles import Role
from tests.analytics.factories import PostMetricDailyFactory, SocialPostFactory
from tests.integrations.factories import SocialAccountFactory
from tests.strategy.competitor_support import tracked_competitor

pytestmark = pytest.mark.django_db


def page(org):
    return f"/o/{org.slug}/strategy/competitors/"


def snapshot(org, competitor, day, **values):
    return CompetitorSnapshot.objects.create(
        organization=org, competitor=competitor, platform="vk", date=day, source=SnapshotSource.VK_PUBLIC, **values
    )


def our_account(org, *, posts, followers=5000):
    """Our VK account with posts (days ago, [(metric day, likes, comments, shares, saves), …])."""
    account = SocialAccountFactory(organization=org, platform="vk", display_name="Зерно", followers=followers)
    now = timezone.now()
    for n, (days_ago, metrics) in enumerate(posts):
        post = SocialPostFactory(
            organization=org, account=account, external_id=f"o{n}", published_at=now - dt.timedelta(days=days_ago)
        )
        for day, likes, comments, shares, saves in metrics:
            PostMetricDailyFactory(
                post=post, day=day, likes=likes, comments=comments, shares=shares, saves=saves, reach=1000
            )
    return account


POSTS = [
    (1, [(dt.date(2026, 1, 1), 10, 2, 1, 5), (dt.date(2026, 1, 2), 40, 6, 3, 9)]),  # latest day counts
    (3, [(dt.date(2026, 1, 1), 7, None, 0, 0)]),
    (10, [(dt.date(2026, 1, 1), 100, 10, 10, 0)]),
    (27, []),  # no metrics yet: 0 reactions, still a post
    (40, [(dt.date(2026, 1, 1), 999, 0, 0, 0)]),  # outside the 28-day window
]


def expected_ours(org):
    """Independent computation over the raw rows with pandas."""
    posts = pd.DataFrame.from_records(
        [(p.pk, p.published_at) for p in org_posts(org)], columns=["post", "published_at"]
    )
    metrics = pd.DataFrame.from_records(
        list(PostMetricDaily.objects.values("post_id", "day", "likes", "comments", "shares"))
    )
    latest = metrics.sort_values("day").groupby("post_id").tail(1).set_index("post_id")
    now = timezone.now()
    window = posts[posts["published_at"] >= now - pd.Timedelta(days=28)].copy()
    window["reactions"] = [
        latest.loc[p, ["likes", "comments", "shares"]].fillna(0).sum() if p in latest.index else 0
        for p in window["post"]
    ]
    mean = window["reactions"].mean()
    return {
        "posts_per_week": Decimal(str(round(len(window) / 4, 2))),
        "average_reactions": Decimal(str(round(mean, 2))),
        "engagement_rate": Decimal(str(round(mean / 5000 * 100, 2))),
    }


def org_posts(org):
    return SocialPost.objects.filter(organization=org)


def test_our_figures_equal_an_independent_computation(org):
    our_account(org, posts=POSTS)

    (row,) = our_rows(organization=org, platform="vk", now=timezone.now())

    expected = expected_ours(org)
    assert {k: getattr(row, k) for k in expected} == expected
    assert row.posts_per_week == Decimal("1.00")
    assert row.average_reactions == Decimal("44.00")  # (49 + 7 + 120 + 0) / 4: saves are not public


def test_the_page_shows_ours_and_the_latest_snapshot_of_each_competitor(owner_web, org):
    our_account(org, posts=POSTS)
    beans = tracked_competitor(org)
    snapshot(org, beans, dt.date(2026, 1, 1), followers=1, posts_per_week=Decimal(1))
    snapshot(org, beans, org.today(), followers=23870, posts_per_week=Decimal("1.00"), engagement_rate=Decimal("0.68"))

    response = owner_web.get(page(org))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="competitors-chart"' in html
    assert "<caption>" in html
    figure = json.loads(response.context["figure_json"])
    followers = figure["data"][0]
    assert followers["x"] == ["Зерно", "Бобы и Ко"]
    assert followers["y"] == [5000.0, 23870.0]
    assert [t["y"] for t in figure["data"]][2] == [float(expected_ours(org)["engagement_rate"]), 0.68]
    assert "23,870" in html


def test_empty_state_without_competitor_figures(owner_web, org):
    tracked_competitor(org)

    response = owner_web.get(page(org))

    assert response.context["figure_json"] is None
    assert "No competitor figures on VK yet." in response.content.decode()


def test_a_bad_platform_shows_the_form_error_not_a_500(owner_web, org):
    response = owner_web.get(page(org) + "?platform=myspace")

    assert response.status_code == 200
    assert response.context["form"].errors


def test_manual_snapshots_of_other_platforms_are_compared_too(owner_web, org):
    rival = tracked_competitor(org)
    CompetitorSnapshot.objects.create(
        organization=org, competitor=rival, platform="telegram", date=org.today(), followers=900
    )

    response = owner_web.get(page(org) + "?platform=telegram")

    assert [r.name for r in response.context["rows"]] == [rival.name]
    assert "Typed in" in response.content.decode()


def test_csv_export(owner_web, org):
    our_account(org, posts=POSTS)
    rival = tracked_competitor(org, name="=HYPERLINK(1)")
    snapshot(org, rival, org.today(), followers=23870, engagement_rate=Decimal("0.68"))

    response = owner_web.get(page(org) + "?platform=vk&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Name"
    assert rows[1][:2] == ["Зерно", "Ours"]
    assert Decimal(rows[1][5]) == expected_ours(org)["posts_per_week"]
    assert rows[2][0] == "'=HYPERLINK(1)"
    assert rows[2][4] == "23870"
    assert rows[2][7] == "0.68"


def test_query_count_does_not_grow_with_posts_competitors_or_snapshots(owner_web, org, django_assert_max_num_queries):
    our_account(org, posts=POSTS[:2])
    rival = tracked_competitor(org)
    snapshot(org, rival, org.today(), followers=10)
    with django_assert_max_num_queries(40) as few:
        owner_web.get(page(org))
    account = our_account(org, posts=POSTS * 3)
    account.display_name = "Зерно-2"
    for n in range(8):
        other = tracked_competitor(org, name=f"Соперник {n}")
        for d in range(5):
            snapshot(org, other, org.today() - dt.timedelta(days=d), followers=n * 100 + d)
    with django_assert_max_num_queries(len(few)):
        response = owner_web.get(page(org))
    assert len(response.context["rows"]) > 5


def test_pagination_of_competitors(owner_web, org):
    for n in range(15):
        rival = tracked_competitor(org, name=f"Соперник {n:02d}")
        snapshot(org, rival, org.today(), followers=n)

    first = owner_web.get(page(org))
    second = owner_web.get(page(org) + "?page=2")

    assert len(first.context["rows"]) == 12
    assert len(second.context["rows"]) == 3


def test_competitor_api_matches_its_schema(owner_client, org, api_client):
    """Issue 16: every required property of the documented Competitor (and its nested snapshots)
    comes back, and a null only where the schema says nullable."""
    rival = tracked_competitor(org)
    snapshot(org, rival, org.today(), followers=None, posts_per_week=Decimal("2.5"))
    schema = api_client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]

    def check(value, spec, where):
        if "$ref" in spec:
            spec = components[spec["$ref"].rsplit("/", 1)[-1]]
        if "allOf" in spec:
            spec = {**spec, **spec["allOf"][0]}
            spec.pop("allOf")
        if value is None:
            assert spec.get("nullable"), f"{where} is null but not nullable"
        elif spec.get("type") == "object" or "properties" in spec:
            for name in spec.get("required", []):
                assert name in value, f"{where}.{name} is required but missing"
            for name, sub in spec.get("properties", {}).items():
                if name in value:
                    check(value[name], sub, f"{where}.{name}")
        elif spec.get("type") == "array":
            for n, item in enumerate(value):
                check(item, spec["items"], f"{where}[{n}]")

    listing = owner_client.get(f"/api/v1/orgs/{org.slug}/competitors/").json()
    for n, item in enumerate(listing["results"]):
        check(item, {"$ref": "#/components/schemas/Competitor"}, f"competitors[{n}]")
    assert listing["results"][0]["snapshots"][0]["posts_per_week"] == "2.50"
    snaps = owner_client.get(f"/api/v1/orgs/{org.slug}/competitor-snapshots/").json()
    for n, item in enumerate(snaps["results"]):
        check(item, {"$ref": "#/components/schemas/CompetitorSnapshot"}, f"snapshots[{n}]")
    assert snaps["results"][0]["competitor"] == rival.pk


def test_another_organizations_page_and_csv_are_404(client, other_org, make_member, org):
    rival = tracked_competitor(org)
    snapshot(org, rival, org.today(), followers=123456)
    stranger = make_member(other_org).user
    client.force_login(stranger)

    for suffix in ("", "?format=csv", "?platform=telegram"):
        response = client.get(page(org) + suffix)
        assert response.status_code == 404
        assert b"123456" not in response.content
    own = client.get(page(other_org) + "?format=csv").content.decode()
    assert rival.name not in own


def test_a_marketer_types_in_a_snapshot_and_typing_again_corrects_it(client, org, marketer):
    rival = tracked_competitor(org)
    client.force_login(marketer)
    data = {
        "snapshot-competitor": rival.pk,
        "snapshot-platform": "telegram",
        "snapshot-date": "2026-01-10",
        "snapshot-followers": "5200",
        "snapshot-engagement_rate": "2.10",
    }

    first = client.post(page(org), data)
    again = client.post(page(org), {**data, "snapshot-followers": "5300", "snapshot-posts_per_week": "3.5"})

    assert first.status_code == again.status_code == 302
    snap = CompetitorSnapshot.objects.get()
    assert (snap.followers, snap.posts_per_week, snap.source) == (5300, Decimal("3.5"), SnapshotSource.MANUAL)


def test_bad_snapshot_input_shows_errors_and_writes_nothing(client, org, other_org, marketer):
    foreign = tracked_competitor(other_org)
    client.force_login(marketer)

    response = client.post(
        page(org),
        {
            "snapshot-competitor": foreign.pk,
            "snapshot-platform": "vk",
            "snapshot-date": "x",
            "snapshot-followers": "-1",
        },
    )

    assert response.status_code == 400
    errors = response.context["snapshot_form"].errors
    assert set(errors) == {"competitor", "date", "followers"}
    assert not CompetitorSnapshot.objects.exists()


def test_the_client_role_cannot_type_in(client, org, make_member):
    rival = tracked_competitor(org)
    client.force_login(make_member(org, Role.CLIENT).user)

    response = client.post(
        page(org), {"snapshot-competitor": rival.pk, "snapshot-platform": "vk", "snapshot-date": "2026-01-10"}
    )

    assert response.status_code == 403
    assert 'id="snapshot-title"' not in client.get(page(org)).content.decode()
    assert not CompetitorSnapshot.objects.exists()
