"""The launch gate on the content side: scheduling a post needs an approved, current strategy and
a goal and pillar of it — in the service and through the API."""

import datetime as dt

import pytest
from django.utils import timezone

from content import demo as content_demo
from content import services
from content.models import Post
from core.errors import DomainError
from strategy import demo as strategy_demo
from strategy.launch_gate import LaunchBlocked
from strategy.models import Strategy
from tenancy.roles import Role
from tests.conftest import access_of
from tests.strategy.factories import ContentPillarFactory, GoalFactory, StrategyFactory, approved_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow():
    return timezone.now() + dt.timedelta(days=1)


def this_year(org, **kwargs):
    today = timezone.localdate()
    return approved_strategy(org, start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=300), **kwargs)


def draft_post(access, **fields):
    return services.post_create(
        access=access, title="Новый сезонный латте", platform="vk", objective="engagement", **fields
    )


def test_service_refuses_without_approved_strategy(marketer_access, org, tomorrow):
    StrategyFactory(organization=org, status=Strategy.Status.DRAFT)
    post = draft_post(marketer_access)
    with pytest.raises(LaunchBlocked) as exc:
        services.post_schedule(access=marketer_access, post=post, scheduled_at=tomorrow)
    assert exc.value.reason == "no_approved_strategy"
    post.refresh_from_db()
    assert (post.status, post.scheduled_at, post.strategy_id) == (Post.Status.DRAFT, None, None)


def test_service_refuses_post_without_goal_or_pillar(marketer_access, org, tomorrow):
    _strategy, goal, _pillar = this_year(org)
    post = draft_post(marketer_access)
    with pytest.raises(LaunchBlocked) as exc:
        services.post_schedule(access=marketer_access, post=post, scheduled_at=tomorrow)
    assert exc.value.reason == "goal_missing"
    services.post_update(access=marketer_access, post=post, goal=goal)
    with pytest.raises(LaunchBlocked) as exc:
        services.post_schedule(access=marketer_access, post=post, scheduled_at=tomorrow)
    assert exc.value.reason == "pillar_missing"
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT


def test_service_refuses_goal_of_a_draft_strategy(marketer_access, org, tomorrow):
    this_year(org)
    draft_strategy = StrategyFactory(
        organization=org, period_start=dt.date(2030, 1, 1), period_end=dt.date(2030, 12, 31)
    )
    goal = GoalFactory(strategy=draft_strategy)
    pillar = ContentPillarFactory(strategy=draft_strategy, goals=[goal])
    post = draft_post(marketer_access, goal=goal, pillar=pillar)
    with pytest.raises(LaunchBlocked) as exc:
        services.post_schedule(access=marketer_access, post=post, scheduled_at=tomorrow)
    assert exc.value.reason == "goal_not_in_strategy"


def test_service_refuses_date_outside_the_period(marketer_access, org):
    _strategy, goal, pillar = this_year(org)
    post = draft_post(marketer_access, goal=goal, pillar=pillar)
    later = timezone.now() + dt.timedelta(days=400)
    with pytest.raises(LaunchBlocked) as exc:
        services.post_schedule(access=marketer_access, post=post, scheduled_at=later)
    assert exc.value.reason == "period_not_covered"


def test_service_schedules_with_approved_strategy(marketer_access, org, tomorrow):
    strategy, goal, pillar = this_year(org)
    post = draft_post(marketer_access, goal=goal, pillar=pillar)
    scheduled = services.post_schedule(access=marketer_access, post=post, scheduled_at=tomorrow)
    assert (scheduled.status, scheduled.strategy_id, scheduled.scheduled_at) == (
        Post.Status.SCHEDULED,
        strategy.pk,
        tomorrow,
    )


def test_foreign_goal_cannot_be_attached(marketer_access, other_org):
    _s, foreign_goal, _p = approved_strategy(other_org)
    with pytest.raises(DomainError) as exc:
        draft_post(marketer_access, goal=foreign_goal.pk)
    assert list(exc.value.fields) == ["goal"]
    assert Post.objects.count() == 0


# --- API -------------------------------------------------------------------------------------------


def api(org, suffix=""):
    return f"/api/v1/orgs/{org.slug}/posts/{suffix}"


def test_api_schedule_refused_without_approved_strategy(owner_client, org, tomorrow):
    created = owner_client.post(api(org), {"title": "Пост", "platform": "vk", "objective": "engagement"})
    assert created.status_code == 201, created.json()
    post_id = created.json()["id"]
    response = owner_client.post(api(org, f"{post_id}/schedule/"), {"scheduled_at": tomorrow.isoformat()})
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "launch_blocked"
    assert "no approved strategy" in body["message"]
    assert Post.objects.get(pk=post_id).status == Post.Status.DRAFT


def test_api_schedule_needs_goal_and_pillar_then_succeeds(owner_client, org, tomorrow):
    strategy, goal, pillar = this_year(org)
    post_id = owner_client.post(api(org), {"title": "Пост", "platform": "vk", "objective": "engagement"}).json()["id"]
    response = owner_client.post(api(org, f"{post_id}/schedule/"), {"scheduled_at": tomorrow.isoformat()})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"goal": ["Choose which goal of the approved strategy this serves."]}

    patched = owner_client.patch(api(org, f"{post_id}/"), {"goal": goal.pk, "pillar": pillar.pk})
    assert patched.status_code == 200, patched.json()
    response = owner_client.post(api(org, f"{post_id}/schedule/"), {"scheduled_at": tomorrow.isoformat()})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["strategy"]) == ("scheduled", strategy.pk)


def test_api_cross_tenant_404(owner_client, org, other_org, make_member, tomorrow):
    other_owner = make_member(other_org, "owner").user
    foreign = draft_post(access_of(other_org, other_owner, "owner"))
    assert owner_client.get(f"/api/v1/orgs/{other_org.slug}/posts/").status_code == 404
    for method, suffix, body in [
        ("get", f"{foreign.pk}/", None),
        ("patch", f"{foreign.pk}/", {"title": "x"}),
        ("delete", f"{foreign.pk}/", None),
        ("post", f"{foreign.pk}/schedule/", {"scheduled_at": tomorrow.isoformat()}),
    ]:
        response = getattr(owner_client, method)(api(org, suffix), body)
        assert response.status_code == 404, (method, suffix)
    foreign.refresh_from_db()
    assert (foreign.title, foreign.status) == ("Новый сезонный латте", Post.Status.DRAFT)


def test_api_list_query_count(owner_client, org, marketer_access, django_assert_max_num_queries):
    _s, goal, pillar = this_year(org)
    for _ in range(15):
        draft_post(marketer_access, goal=goal, pillar=pillar)
    with django_assert_max_num_queries(6):
        response = owner_client.get(api(org))
    assert response.json()["count"] == 15


def test_demo_posts_follow_the_gate(org, make_member):
    users = {str(role): make_member(org, role).user for role in Role}
    strategy_demo.seed(organization=org, users=users)
    content_demo.seed(organization=org, users=users)
    once = Post.objects.filter(organization=org).count()
    content_demo.seed(organization=org, users=users)
    posts = Post.objects.filter(organization=org)
    assert posts.count() == once  # idempotent
    assert posts.filter(title__in=[row[0] for row in content_demo.POSTS]).count() == 3
    scheduled = posts.filter(status=Post.Status.SCHEDULED)
    assert all(p.goal.strategy_id == p.strategy_id == p.pillar.strategy_id for p in scheduled)
