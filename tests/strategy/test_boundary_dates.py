"""Dates at the edges of the calendar (found by probing): a strategy ending 9999-12-31 broke the
"copy for the next period" page (end + 1 day overflows) and a goal deadline of 0001-01-02 broke goal
progress (the 30-day KPI window underflows). Plans are now dated within 2000-01-01…2099-12-31, refused
with a field message in the API and the forms alike."""

import datetime as dt

import pytest

from strategy.models import Experiment, Goal, Strategy

from .factories import GoalFactory, StrategyFactory

pytestmark = pytest.mark.django_db

RANGE_MESSAGE = "Choose a date between 01/01/2000 and 12/31/2099."


def url(org, path=""):
    return f"/api/v1/orgs/{org.slug}/{path}"


@pytest.fixture
def strategy(org):
    return StrategyFactory(organization=org, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2025-01-01", "9999-12-31", "period_end"),
        ("0001-01-01", "2025-12-31", "period_start"),
        ("1999-12-31", "2025-12-31", "period_start"),
        ("2025-01-01", "2100-01-01", "period_end"),
    ],
)
def test_strategy_period_outside_the_planning_range_is_a_field_error(owner_client, org, start, end, field):
    response = owner_client.post(url(org, "strategies/"), {"title": "T", "period_start": start, "period_end": end})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [RANGE_MESSAGE]}
    assert not Strategy.objects.exists()


def test_strategy_period_at_the_range_edges_is_accepted(owner_client, org):
    response = owner_client.post(
        url(org, "strategies/"), {"title": "T", "period_start": "2000-01-01", "period_end": "2099-12-31"}
    )

    assert response.status_code == 201
    assert (response.json()["period_start"], response.json()["period_end"]) == ("2000-01-01", "2099-12-31")


def test_strategy_update_to_9999_is_refused_and_nothing_changes(owner_client, org, strategy):
    response = owner_client.patch(url(org, f"strategies/{strategy.pk}/"), {"period_end": "9999-12-31"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"period_end": [RANGE_MESSAGE]}
    strategy.refresh_from_db()
    assert strategy.period_end == dt.date(2025, 12, 31)


def test_copy_for_a_period_ending_9999_is_refused(owner_client, org, strategy):
    response = owner_client.post(
        url(org, f"strategies/{strategy.pk}/copy/"),
        {"title": "Next", "period_start": "9999-12-30", "period_end": "9999-12-31"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"period_start": [RANGE_MESSAGE]}
    assert list(Strategy.objects.values_list("pk", flat=True)) == [strategy.pk]


def test_copy_form_for_a_period_ending_9999_shows_the_field_error(owner_web, org, strategy):
    response = owner_web.post(
        f"/o/{org.slug}/strategy/{strategy.pk}/copy/",
        {"title": "Next", "period_start": "2026-01-01", "period_end": "9999-12-31"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"period_end": [RANGE_MESSAGE]}
    assert Strategy.objects.count() == 1


def test_copy_page_of_a_strategy_saved_ending_9999_renders(owner_web, org):
    """Rows saved before the range check existed still open; the next period just has no suggested start."""
    legacy = StrategyFactory(organization=org, period_start=dt.date(2025, 1, 1), period_end=dt.date.max)

    response = owner_web.get(f"/o/{org.slug}/strategy/{legacy.pk}/copy/")

    assert response.status_code == 200
    assert response.context["form"].initial == {"title": legacy.title}


def test_copy_page_suggests_the_day_after_the_period(owner_web, org, strategy):
    response = owner_web.get(f"/o/{org.slug}/strategy/{strategy.pk}/copy/")

    assert response.context["form"].initial == {"title": strategy.title, "period_start": dt.date(2026, 1, 1)}


def test_goal_deadline_0001_is_a_field_error(owner_client, org):
    legacy = StrategyFactory(organization=org, period_start=dt.date.min, period_end=dt.date(1, 1, 3))
    body = {"strategy": legacy.pk, "objective": "leads", "kpi": "leads", "baseline": "40", "target": "120"}

    response = owner_client.post(url(org, "goals/"), {**body, "deadline": "0001-01-02"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"deadline": [RANGE_MESSAGE]}
    assert not Goal.objects.exists()


@pytest.mark.parametrize(("kpi", "baseline", "target"), [("leads", 40, 120), ("first_response_time", 120, 30)])
def test_goal_progress_of_a_legacy_deadline_0001_is_not_a_500(owner_client, org, kpi, baseline, target):
    """A goal saved before the range check: progress measures nothing before the calendar starts
    (leads read dated facts; reply time reads timestamps in the organization's timezone)."""
    legacy = StrategyFactory(organization=org, period_start=dt.date.min, period_end=dt.date(1, 1, 3))
    goal = GoalFactory(
        organization=org, strategy=legacy, kpi=kpi, baseline=baseline, target=target, deadline=dt.date(1, 1, 2)
    )

    one = owner_client.get(url(org, f"goals/{goal.pk}/progress/"))
    all_of_them = owner_client.get(url(org, f"strategies/{legacy.pk}/progress/"))

    assert one.status_code == 200
    assert one.json()["progress"]["current"] is None
    assert all_of_them.status_code == 200
    assert [row["goal"]["id"] for row in all_of_them.json()] == [goal.pk]


def test_experiment_dates_outside_the_planning_range_are_refused(owner_client, org):
    response = owner_client.post(
        url(org, "experiments/"),
        {
            "title": "Telegram-канал",
            "hypothesis": "Канал даст повторные визиты",
            "kind": "platform",
            "platform": "telegram",
            "start_date": "2025-04-01",
            "end_date": "9999-12-31",
            "success_metric": "Подписчики",
            "success_threshold": "500",
        },
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"end_date": [RANGE_MESSAGE]}
    assert not Experiment.objects.exists()
