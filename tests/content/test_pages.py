"""The content plan page: drafts, scheduling through the launch gate, tenancy, query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from content.models import Post
from tenancy.roles import Role

from .test_launch_gate import draft_post, this_year

pytestmark = pytest.mark.django_db


def _when(days=2):
    local = timezone.localtime(timezone.now() + dt.timedelta(days=days), timezone.get_fixed_timezone(180))
    return local.strftime("%Y-%m-%dT%H:%M")


def test_create_draft_then_schedule_within_the_strategy(owner_web, org):
    strategy, goal, pillar = this_year(org)
    response = owner_web.post(
        f"/o/{org.slug}/content/",
        {
            "title": "Кейс: кофе-брейк для офиса",
            "platform": "vk",
            "objective": "lead_generation",
            "format": "text",
            "goal": goal.pk,
            "pillar": pillar.pk,
            "text": "Оставьте заявку по ссылке",
            "cta_type": "sign_up",
            "cta_url": "https://zerno.example/office",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(organization=org)
    assert (post.status, post.goal_id, post.pillar_id) == ("draft", goal.pk, pillar.pk)

    owner_web.post(f"/o/{org.slug}/content/posts/{post.pk}/schedule/", {"scheduled_at": _when()})
    post.refresh_from_db()
    assert post.status == "scheduled"
    assert post.strategy_id == strategy.pk

    owner_web.post(f"/o/{org.slug}/content/posts/{post.pk}/unschedule/")
    post.refresh_from_db()
    assert post.status == "draft"


def test_schedule_without_strategy_is_refused_with_the_gate_message(owner_web, org, owner_access):
    post = draft_post(owner_access)
    response = owner_web.post(
        f"/o/{org.slug}/content/posts/{post.pk}/schedule/", {"scheduled_at": _when()}, follow=True
    )
    assert "no approved strategy" in response.content.decode()
    post.refresh_from_db()
    assert post.status == "draft"


def test_form_errors_and_foreign_goal_rejected(owner_web, org, other_org):
    _, foreign_goal, _ = this_year(other_org)
    this_year(org)
    response = owner_web.post(
        f"/o/{org.slug}/content/",
        {"title": "", "platform": "vk", "objective": "lead_generation", "goal": foreign_goal.pk},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "title" in errors
    assert "goal" in errors
    assert not Post.objects.filter(organization=org).exists()


def test_plan_is_scoped_with_constant_queries(owner_web, org, other_org, owner_access, django_assert_max_num_queries):
    _, goal, pillar = this_year(org)
    for _ in range(15):
        draft_post(owner_access, goal=goal.pk, pillar=pillar.pk)
    with django_assert_max_num_queries(20):  # results (metrics, clicks, leads) and "outside the plan": 4 more
        response = owner_web.get(f"/o/{org.slug}/content/")
    assert len(response.context["object_list"]) == 15
    assert owner_web.get(f"/o/{other_org.slug}/content/").status_code == 404


def test_client_sees_the_plan_but_cannot_change_it(client, org, make_member, owner_access):
    post = draft_post(owner_access)
    viewer = make_member(org, Role.CLIENT)
    client.force_login(viewer.user, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(f"/o/{org.slug}/content/").content.decode()
    assert post.title in html
    assert "/schedule/" not in html
    assert (
        client.post(
            f"/o/{org.slug}/content/", {"title": "x", "platform": "vk", "objective": "lead_generation"}
        ).status_code
        == 403
    )
    assert client.post(f"/o/{org.slug}/content/posts/{post.pk}/schedule/", {"scheduled_at": _when()}).status_code == 403
    assert Post.objects.filter(organization=org).count() == 1
