"""Daily tracking of competitors' public VK figures: idempotent, tenant-scoped, errors recorded."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from strategy import services, tasks
from strategy.models import Competitor, CompetitorSnapshot, SnapshotSource
from strategy.public_figures import PublicPost, public_figures
from tests.strategy.competitor_support import NOW, FakeVK, fixture, tracked_competitor

pytestmark = pytest.mark.django_db

OK = {"groups.getById": "public.groups.getById.json", "wall.get": "public.wall.get.json"}


def expected_from_fixtures() -> dict:
    """The same figures by an independent computation: pandas over the fixture's raw items."""
    followers = fixture("public.groups.getById.json")["response"]["groups"][0]["members_count"]
    items = pd.DataFrame(fixture("public.wall.get.json")["response"]["items"])
    items["published"] = pd.to_datetime(items["date"], unit="s", utc=True)
    items["reactions"] = [
        i["likes"]["count"] + i["comments"]["count"] + i["reposts"]["count"] for _, i in items.iterrows()
    ]
    window = items[(items["published"] >= pd.Timestamp(NOW) - pd.Timedelta(days=28)) & (items["published"] <= NOW)]
    average = window["reactions"].mean()
    return {
        "followers": followers,
        "posts_per_week": round(Decimal(len(window)) / 4, 2),
        "average_reactions": Decimal(str(round(average, 2))),
        "engagement_rate": Decimal(str(round(average / followers * 100, 2))),
    }


def test_a_day_of_tracking_stores_the_public_figures(org):
    competitor = tracked_competitor(org)
    vk = FakeVK(OK)

    result = services.competitors_track(organization=org, connector_factory=vk.connector, now=NOW)

    assert result.tracked == [competitor.pk]
    snapshot = CompetitorSnapshot.objects.get()
    expected = expected_from_fixtures()
    assert {k: getattr(snapshot, k) for k in expected} == expected
    assert snapshot.followers == 23870
    assert snapshot.posts_per_week == Decimal("1.00")  # 4 posts in 28 days; the old pinned post is not counted
    assert (snapshot.platform, snapshot.date, snapshot.source) == ("vk", org.today(), SnapshotSource.VK_PUBLIC)
    competitor.refresh_from_db()
    assert competitor.tracked_at == NOW
    assert competitor.tracking_error_kind == ""
    assert [method for method, _ in vk.calls] == ["groups.getById", "wall.get"]
    assert vk.calls[1][1]["owner_id"] == "-207731554"


def test_running_twice_a_day_keeps_one_row_per_competitor(org):
    tracked_competitor(org)
    tracked_competitor(org, name="Кофе Бум", vk="https://vk.com/club207731554")
    for _ in range(3):
        services.competitors_track(organization=org, connector_factory=FakeVK(OK).connector, now=NOW)

    assert CompetitorSnapshot.objects.count() == 2
    assert set(CompetitorSnapshot.objects.values_list("date", flat=True)) == {org.today()}


def test_a_typed_in_snapshot_of_the_day_is_kept(org, owner_access):
    competitor = tracked_competitor(org)
    services.competitor_snapshot_record(
        access=owner_access, competitor=competitor, platform="vk", date=org.today(), followers=100
    )

    result = services.competitors_track(organization=org, connector_factory=FakeVK(OK).connector, now=NOW)

    assert result.kept_manual == [competitor.pk]
    snapshot = CompetitorSnapshot.objects.get()
    assert (snapshot.followers, snapshot.source) == (100, SnapshotSource.MANUAL)


def test_only_the_strategys_competitors_with_a_vk_address_are_tracked(org, other_org):
    mine = tracked_competitor(org)
    tracked_competitor(org, name="Телеграм-кофейня", vk=None)
    Competitor.objects.create(organization=org, name="Без стратегии", links={"vk": "https://vk.com/x_coffee"})
    tracked_competitor(other_org)

    vk = FakeVK(OK)
    services.competitors_track(organization=org, connector_factory=vk.connector, now=NOW)

    assert list(CompetitorSnapshot.objects.values_list("organization_id", "competitor_id")) == [(org.pk, mine.pk)]
    assert len(vk.calls) == 2


@pytest.mark.parametrize(
    ("answers", "kind"),
    [
        ({"groups.getById": "public.groups.getById.closed.json"}, "permission"),
        ({"groups.getById": "public.groups.getById.deactivated.json"}, "permission"),
        ({"groups.getById": "error.invalid_group_id.json"}, "invalid"),
        ({"groups.getById": "error.service_token_invalid.json"}, "auth"),
        ({"groups.getById": "public.groups.getById.json", "wall.get": "error.wall_members_only.json"}, "permission"),
    ],
)
def test_errors_are_recorded_on_the_competitor_and_others_go_on(org, answers, kind):
    failing = tracked_competitor(org, name="А-кофе", vk="https://vk.com/failing_kzn")
    tracked_competitor(org, name="Я-кофе", vk="https://vk.com/club207731554")
    vk = FakeVK(OK, for_community={"failing_kzn": answers})

    result = services.competitors_track(organization=org, connector_factory=vk.connector, now=NOW)

    failing.refresh_from_db()
    assert failing.tracking_error_kind == kind
    assert failing.tracked_at is None
    assert failing.tracking_checked_at == NOW
    assert "TEST-service-key" not in failing.tracking_error
    assert result.failed == {failing.pk: kind}
    assert len(result.tracked) == 1


def test_a_rate_limit_stops_the_run_and_asks_for_a_retry(org):
    first = tracked_competitor(org, name="А-кофе")
    tracked_competitor(org, name="Я-кофе")

    result = services.competitors_track(
        organization=org,
        connector_factory=FakeVK({"groups.getById": "error.rate_limit_reached.json"}).connector,
        now=NOW,
    )

    assert result.failed == {first.pk: "rate_limited"}
    assert result.retry_after >= 60
    assert CompetitorSnapshot.objects.count() == 0


def test_without_a_service_key_every_competitor_says_so(org):
    competitor = tracked_competitor(org)

    services.competitors_track(organization=org, connector_factory=lambda: None, now=NOW)

    competitor.refresh_from_db()
    assert competitor.tracking_error_kind == "not_configured"


def test_a_link_that_is_not_a_community_is_recorded(org):
    competitor = tracked_competitor(org, vk="https://vk.com/id1234")

    services.competitors_track(organization=org, connector_factory=FakeVK(OK).connector, now=NOW)

    competitor.refresh_from_db()
    assert competitor.tracking_error_kind == "no_community"


def test_the_beat_task_fans_out_and_tracks(org, other_org, monkeypatch):
    tracked_competitor(org)
    tracked_competitor(other_org)
    monkeypatch.setattr(tasks, "vk_public_connector", FakeVK(OK).connector)
    monkeypatch.setattr("strategy.services.competitors.timezone.now", lambda: NOW)

    assert tasks.track_competitors.delay().get() == 2
    assert tasks.track_competitors.delay().get() == 2

    assert sorted(CompetitorSnapshot.objects.values_list("organization_id", flat=True)) == sorted(
        [org.pk, other_org.pk]
    )


@pytest.mark.parametrize(
    ("followers", "posts", "expected"),
    [
        (1000, [], (Decimal("0.00"), None, None)),
        (0, [(2, 1, 1)], (Decimal("0.25"), Decimal("4.00"), None)),
        (None, [(2, 1, 1)], (Decimal("0.25"), Decimal("4.00"), None)),
        (3, [(5, 5, 5), (0, 0, 0)], (Decimal("0.50"), Decimal("7.50"), Decimal("250.00"))),
    ],
)
def test_figures_edge_cases(followers, posts, expected):
    rows = [PublicPost(NOW - dt.timedelta(days=1), *p) for p in posts]

    figures = public_figures(followers=followers, posts=rows, now=NOW)

    assert (figures.posts_per_week, figures.average_reactions, figures.engagement_rate) == expected


def test_errors_appear_on_the_sync_health_page_in_plain_words(owner_web, org):
    closed = tracked_competitor(org, name="Обжарка")
    fine = tracked_competitor(org, name="Бобы и Ко", vk="https://vk.com/club207731554")
    unset = tracked_competitor(org, name="Без ключа")
    Competitor.objects.filter(pk=closed.pk).update(
        tracking_checked_at=NOW, tracking_error_kind="permission", tracking_error="community 198004112 is closed"
    )
    Competitor.objects.filter(pk=fine.pk).update(tracking_checked_at=NOW, tracked_at=NOW)
    Competitor.objects.filter(pk=unset.pk).update(tracking_checked_at=NOW, tracking_error_kind="not_configured")

    html = owner_web.get(f"/o/{org.slug}/integrations/health/").content.decode()

    assert "Competitor tracking (public VK data)" in html
    assert "VK does not show this community&#x27;s data to visitors" in html
    assert "no VK service key is configured" in html
    assert html.index("Обжарка") < html.index("Бобы и Ко")  # failing first
