"""The calendar page: month, week and list views, filters, moving a post with and without
JavaScript, tenancy, and a constant number of queries however many posts the period holds."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content import plan_services
from content.models import Post, Publication
from content.plan_models import PlannedSlot
from tenancy.roles import Role

from .calendar_support import draft_on, local, next_month_day, scheduled_on, strategy

pytestmark = pytest.mark.django_db


def _url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/o/{org.slug}/content/calendar/?{query}"


def test_month_week_and_list_show_the_posts_of_the_period(owner_web, org, owner_access):
    _, goal, pillar = strategy(org)
    day = next_month_day(org, 10)
    draft = draft_on(owner_access, day, title="Идея про латте")
    planned = scheduled_on(owner_access, day + dt.timedelta(days=1), goal=goal, pillar=pillar, title="Кофе в офис")
    far = draft_on(owner_access, day + dt.timedelta(days=40), title="Через месяц")
    for view in ("month", "week", "list"):
        html = owner_web.get(_url(org, view=view, date=day.isoformat())).content.decode()
        assert "Идея про латте" in html
        assert ("Кофе в офис" in html) == (view != "week" or day.weekday() < 6)
        assert "Через месяц" not in html, view
    assert far.pk
    assert draft.pk
    assert planned.pk


def test_filters_narrow_the_list(owner_web, org, owner_access, vk_account):
    _, goal, pillar = strategy(org)
    day = next_month_day(org, 12)
    draft_on(owner_access, day, title="Вовлечение", objective="engagement")
    scheduled_on(owner_access, day, goal=goal, pillar=pillar, title="Лиды", objective="lead_generation")
    base = {"view": "list", "date": day.isoformat()}
    html = owner_web.get(_url(org, **base, objective="lead_generation")).content.decode()
    assert "Лиды" in html
    assert "Вовлечение" not in html
    html = owner_web.get(_url(org, **base, status="draft")).content.decode()
    assert "Вовлечение" in html
    assert "Лиды" not in html
    html = owner_web.get(_url(org, **base, account=vk_account.pk)).content.decode()
    assert "Лиды" in html
    assert "Вовлечение" not in html
    html = owner_web.get(_url(org, **base, pillar=pillar.pk, goal=goal.pk, platform="vk")).content.decode()
    assert "Лиды" in html
    assert "Вовлечение" not in html


def test_holidays_and_news_hooks_are_on_the_calendar(owner_web, org, owner_access):
    plan_services.date_add(access=owner_access, day=dt.date(2026, 5, 20), title="Открытие веранды")
    html = owner_web.get(_url(org, view="month", date="2026-05-01")).content.decode()
    assert "День Победы" in html
    assert "Праздник Весны и Труда" in html
    assert "Открытие веранды" in html
    plan_services.shipped_date_hide(access=owner_access, key="2026-victory")
    html = owner_web.get(_url(org, view="month", date="2026-05-01")).content.decode()
    assert "День Победы" not in html


def _render_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_query_count_does_not_grow_with_posts(owner_web, org, owner_access, view, django_assert_max_num_queries):
    _, goal, pillar = strategy(org)
    day = next_month_day(org, 15)
    draft_on(owner_access, day)
    scheduled_on(owner_access, day, goal=goal, pillar=pillar)
    url = _url(org, view=view, date=day.isoformat())
    few = _render_queries(owner_web, url)
    for i in range(12):
        draft_on(owner_access, day, title=f"Черновик {i}")
        scheduled_on(owner_access, day, goal=goal, pillar=pillar, title=f"Пост {i}", hour=9 + i % 8)
    with django_assert_max_num_queries(few):
        owner_web.get(url)


def test_move_a_draft_with_the_form(owner_web, org, owner_access):
    day = next_month_day(org, 5)
    post = draft_on(owner_access, day)
    target = local(org, day + dt.timedelta(days=3), 18, 30)
    response = owner_web.post(
        f"/o/{org.slug}/content/calendar/posts/{post.pk}/move/",
        {"planned_at": target.strftime("%Y-%m-%dT%H:%M"), "next": f"/o/{org.slug}/content/calendar/?view=week"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("view=week")
    assert PlannedSlot.objects.get(post=post).planned_at == target


def test_drop_on_a_day_keeps_the_time_and_reschedules_the_publications(owner_web, org, owner_access):
    _, goal, pillar = strategy(org)
    day = next_month_day(org, 5)
    post = scheduled_on(owner_access, day, goal=goal, pillar=pillar, hour=9)
    new_day = day + dt.timedelta(days=2)
    response = owner_web.post(
        f"/o/{org.slug}/content/calendar/posts/{post.pk}/move/", {"day": new_day.isoformat()}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    post.refresh_from_db()
    assert post.scheduled_at == local(org, new_day, 9)
    pub = Publication.objects.get(post=post)
    assert (pub.scheduled_at, pub.next_attempt_at, pub.status) == (local(org, new_day, 9),) * 2 + ("scheduled",)


def test_move_into_the_past_is_refused_with_a_message(owner_web, org, owner_access):
    _, goal, pillar = strategy(org)
    post = scheduled_on(owner_access, next_month_day(org, 5), goal=goal, pillar=pillar)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = owner_web.post(
        f"/o/{org.slug}/content/calendar/posts/{post.pk}/move/", {"day": yesterday.isoformat()}, follow=True
    )
    assert "future" in response.content.decode()
    assert Post.objects.get(pk=post.pk).scheduled_at == post.scheduled_at


def test_moving_is_for_writers_and_own_posts(client, org, other_org, owner_access, make_member):
    post = draft_on(owner_access, next_month_day(org))
    analyst = make_member(org, Role.ANALYST).user
    client.force_login(analyst, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/o/{org.slug}/content/calendar/posts/{post.pk}/move/"
    assert client.post(url, {"day": "2030-01-01"}).status_code == 403
    assert client.get(_url(org)).status_code == 200
    stranger = make_member(other_org, Role.OWNER).user
    client.force_login(stranger, backend="django.contrib.auth.backends.ModelBackend")
    assert (
        client.post(f"/o/{other_org.slug}/content/calendar/posts/{post.pk}/move/", {"day": "2030-01-01"}).status_code
        == 404
    )
