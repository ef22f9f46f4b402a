"""The calendar and plan balance over the API."""

import datetime as dt

import pytest

from .calendar_support import draft_on, next_month_day, scheduled_on
from .test_launch_gate import this_year

pytestmark = pytest.mark.django_db


def test_calendar_lists_the_range_with_publications(token_client, org, owner_access, vk_account):
    _, goal, pillar = this_year(org)
    day = next_month_day(org, 8)
    post = scheduled_on(owner_access, day, goal=goal, pillar=pillar, title="В ленте")
    draft = draft_on(owner_access, day + dt.timedelta(days=1), title="Черновик")
    draft_on(owner_access, day + dt.timedelta(days=30), title="Позже")
    url = f"/api/v1/orgs/{org.slug}/calendar/"
    response = token_client.get(url, {"start": day.isoformat(), "end": (day + dt.timedelta(days=6)).isoformat()})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["id"] for r in results] == [post.pk, draft.pk]
    assert results[0]["publications"][0]["account"] == vk_account.pk
    assert results[0]["publications"][0]["status"] == "scheduled"
    assert results[1]["at"].startswith(str(day + dt.timedelta(days=1)))
    filtered = token_client.get(url, {"start": day.isoformat(), "end": day.isoformat(), "status": "draft"}).json()
    assert filtered["results"] == []
    bad = token_client.get(url, {"start": day.isoformat(), "end": (day - dt.timedelta(days=1)).isoformat()})
    assert bad.status_code == 400
    assert "end" in bad.json()["error"]["fields"]


def test_plan_balance(token_client, org, owner_access):
    _, goal, pillar = this_year(org)
    day = next_month_day(org, 8)
    scheduled_on(owner_access, day, goal=goal, pillar=pillar)
    draft_on(owner_access, day)
    response = token_client.get(
        f"/api/v1/orgs/{org.slug}/plan-balance/", {"start": day.isoformat(), "end": day.isoformat()}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 2
    assert body["pillars"][0] == {
        "key": str(pillar.pk),
        "title": pillar.name,
        "posts": 1,
        "share": "50.00",
        "target": "100.00",
        "off_target": True,
    }
    assert body["goals_without_posts"] == []
    assert body["warnings"]


@pytest.mark.parametrize("path", ["calendar", "plan-balance"])
@pytest.mark.parametrize(
    ("start", "end", "field"), [("9999-12-31", "9999-12-31", "start"), ("2026-01-01", "0001-01-01", "end")]
)
def test_dates_outside_the_calendar_are_a_400(token_client, org, path, start, end, field):
    # 9999-12-31 in a timezone east of UTC overflows a datetime (found by the fuzz stage).
    response = token_client.get(f"/api/v1/orgs/{org.slug}/{path}/", {"start": start, "end": end})
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
