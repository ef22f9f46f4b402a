"""Strategy pages: the editor works without JavaScript, errors show on forms, approval buttons obey
roles, other tenants get 404, and page query counts stay flat."""

import datetime as dt

import pytest

from strategy.models import Goal, PlatformChoice, Strategy

from .factories import (
    AudienceSegmentFactory,
    CompetitorFactory,
    ContentPillarFactory,
    ExperimentFactory,
    GoalFactory,
    PlatformChoiceFactory,
    StrategyFactory,
    TrendNoteFactory,
    approved_strategy,
)

pytestmark = pytest.mark.django_db


def page(org, path=""):
    return f"/o/{org.slug}/strategy/{path}"


def test_home_empty_state(owner_web, org):
    response = owner_web.get(page(org))
    assert response.status_code == 200
    assert "No strategy yet" in response.content.decode()


def test_create_then_editor_steps(owner_web, org):
    response = owner_web.post(
        page(org, "new/"), {"title": "Стратегия 2025", "period_start": "2025-01-01", "period_end": "2025-12-31"}
    )
    strategy = Strategy.objects.get(organization=org)
    assert response.status_code == 302
    assert response["Location"] == page(org, f"{strategy.pk}/edit/analysis/")
    for step in ("analysis", "goals", "platforms", "positioning", "pillars", "review"):
        response = owner_web.get(page(org, f"{strategy.pk}/edit/{step}/"))
        assert response.status_code == 200, step
    assert owner_web.get(page(org, f"{strategy.pk}/edit/nonsense/")).status_code == 404


def test_create_rejects_bad_period(owner_web, org):
    response = owner_web.post(
        page(org, "new/"), {"title": "X", "period_start": "2025-12-31", "period_end": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "The period must end after it starts." in response.content.decode()
    assert not Strategy.objects.exists()


def test_goal_form_without_target_shows_error(owner_web, org, draft):
    response = owner_web.post(
        page(org, f"{draft.pk}/edit/goals/"),
        {"form": "goal", "objective": "leads", "kpi": "leads", "baseline": "40", "deadline": "2025-06-30"},
    )
    assert response.status_code == 400
    assert 'id="id_target"' in response.content.decode()
    assert response.context["form"].errors["target"]
    assert Goal.objects.count() == 0


def test_goal_form_service_error_shown_and_success_redirects(owner_web, org, draft):
    bad = owner_web.post(
        page(org, f"{draft.pk}/edit/goals/"),
        {
            "form": "goal",
            "objective": "leads",
            "kpi": "reach",
            "baseline": "40",
            "target": "120",
            "deadline": "2025-06-30",
        },
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors  # KPI does not fit the objective (not offered, or refused by the service)
    good = owner_web.post(
        page(org, f"{draft.pk}/edit/goals/"),
        {
            "form": "goal",
            "objective": "leads",
            "kpi": "leads",
            "baseline": "40",
            "target": "120",
            "deadline": "2025-06-30",
            "title": "Лиды из соцсетей",
        },
    )
    assert good.status_code == 302
    goal = Goal.objects.get()
    assert (goal.title, goal.target, goal.unit) == ("Лиды из соцсетей", 120, "count")
    edit = owner_web.post(
        page(org, f"{draft.pk}/edit/goals/"),
        {
            "form": "goal",
            "edit": goal.pk,
            "objective": "leads",
            "kpi": "leads",
            "baseline": "40",
            "target": "150",
            "deadline": "2025-06-30",
        },
    )
    assert edit.status_code == 302
    goal.refresh_from_db()
    assert goal.target == 150


def test_third_key_platform_shows_error(owner_web, org, draft):
    PlatformChoiceFactory(strategy=draft, platform="vk")
    PlatformChoiceFactory(strategy=draft, platform="telegram")
    response = owner_web.post(
        page(org, f"{draft.pk}/edit/platforms/"),
        {"form": "platform", "platform": "instagram", "role": "key", "rationale": "Молодёжь"},
    )
    assert response.status_code == 400
    assert "At most 2 key platforms" in response.content.decode()
    assert PlatformChoice.objects.count() == 2


def test_analysis_forms(owner_web, org, draft):
    url = page(org, f"{draft.pk}/edit/analysis/")
    assert (
        owner_web.post(
            url,
            {
                "form": "profile",
                "profile-product": "Кофейни",
                "profile-price_segment": "middle",
                "profile-currency": "RUB",
            },
        ).status_code
        == 302
    )
    assert (
        owner_web.post(url, {"form": "segment", "segment-name": "Студенты", "segment-platforms": ["vk"]}).status_code
        == 302
    )
    assert (
        owner_web.post(
            url, {"form": "competitor", "competitor-name": "Кофе Бум", "competitor-vk": "https://vk.com/boom"}
        ).status_code
        == 302
    )
    assert (
        owner_web.post(
            url,
            {
                "form": "audit",
                "audit-platform": "vk",
                "audit-date": "2025-01-01",
                "audit-followers": "3400",
                "audit-average_reach": "900",
                "audit-engagement_rate": "2.1",
                "audit-posts_per_week": "3",
            },
        ).status_code
        == 302
    )
    dup = owner_web.post(
        url,
        {
            "form": "audit",
            "audit-platform": "vk",
            "audit-date": "2025-01-01",
            "audit-followers": "1",
            "audit-average_reach": "1",
            "audit-engagement_rate": "1",
            "audit-posts_per_week": "1",
        },
    )
    assert dup.status_code == 400
    content = owner_web.get(url).content.decode()
    assert "Студенты" in content
    assert "Кофе Бум" in content
    assert "3,400" in content  # grouped in the active language (English in tests)


def test_workflow_buttons_obey_roles(client, org, draft, marketer, owner):
    goal = GoalFactory(strategy=draft)
    PlatformChoiceFactory(strategy=draft)
    ContentPillarFactory(strategy=draft, goals=[goal])
    client.force_login(marketer)
    assert client.post(page(org, f"{draft.pk}/submit/")).status_code == 302
    detail = client.get(page(org, f"{draft.pk}/")).content.decode()
    assert "Approve strategy" not in detail
    assert client.post(page(org, f"{draft.pk}/approve/")).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "in_review"
    client.force_login(owner)
    assert "Approve strategy" in client.get(page(org, f"{draft.pk}/")).content.decode()
    assert client.post(page(org, f"{draft.pk}/approve/")).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approved"
    # The editor no longer edits it in place.
    response = client.get(page(org, f"{draft.pk}/edit/goals/"))
    assert response.status_code == 302
    assert response["Location"] == page(org, f"{draft.pk}/")
    response = client.post(page(org, f"{draft.pk}/new-version/"))
    v2 = Strategy.objects.get(previous=draft)
    assert response["Location"] == page(org, f"{v2.pk}/edit/goals/")


def test_incomplete_submit_flashes_gaps(owner_web, org, draft):
    response = owner_web.post(page(org, f"{draft.pk}/submit/"), follow=True)
    content = response.content.decode()
    assert "The strategy cannot be submitted yet" in content
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_client_role_cannot_write(client, org, draft, client_user):
    client.force_login(client_user)
    assert client.get(page(org, f"{draft.pk}/")).status_code == 200
    response = client.post(
        page(org, f"{draft.pk}/edit/platforms/"),
        {"form": "platform", "platform": "vk", "role": "key", "rationale": "x"},
    )
    assert response.status_code == 403
    assert client.get(page(org, "new/")).status_code == 403
    assert client.get(page(org, f"{draft.pk}/edit/goals/")).status_code == 403
    assert PlatformChoice.objects.count() == 0


def test_cross_tenant_pages_404(owner_web, org, other_org):
    foreign, goal, _pillar = approved_strategy(other_org)
    assert owner_web.get(page(other_org)).status_code == 404
    for path in (f"{foreign.pk}/", f"{foreign.pk}/edit/goals/", f"{foreign.pk}/copy/"):
        assert owner_web.get(page(org, path)).status_code == 404, path
    for path in (f"{foreign.pk}/approve/", f"{foreign.pk}/archive/", f"{foreign.pk}/edit/remove/goal/{goal.pk}/"):
        assert owner_web.post(page(org, path)).status_code == 404, path
    # A foreign goal id under our own draft is not found either.
    own = StrategyFactory(organization=org)
    assert owner_web.post(page(org, f"{own.pk}/edit/remove/goal/{goal.pk}/")).status_code == 404
    assert Goal.objects.filter(pk=goal.pk).exists()
    foreign.refresh_from_db()
    assert foreign.status == "approved"


def test_kpi_options_partial(owner_web, org):
    response = owner_web.get(page(org, "kpi-options/?objective=support_load"))
    assert response.content.decode() == (
        '<option value="">---------</option><option value="first_response_time">First response time</option>'
        '<option value="first_response_average">Average first response time</option>'
        '<option value="answered_within_target">Answered within the response target</option>'
        '<option value="resolved_in_social">Requests resolved in social media</option>'
        '<option value="support_savings">Support savings</option>'
    )


def test_pages_query_counts(owner_web, org, django_assert_max_num_queries):
    strategy, _goal, _pillar = approved_strategy(org, start=dt.date(2025, 1, 1), end=dt.date(2099, 12, 31))
    for i in range(5):
        goal = GoalFactory(strategy=strategy, title=f"Цель {i}")
        ContentPillarFactory(strategy=strategy, goals=[goal], target_share=1)
        PlatformChoiceFactory(
            strategy=strategy, platform=["telegram", "instagram", "facebook", "vk", "vk"][i]
        ) if i < 3 else None
        StrategyFactory(organization=org, period_start=dt.date(2010 + i, 1, 1), period_end=dt.date(2010 + i, 12, 31))
        AudienceSegmentFactory(organization=org)
        CompetitorFactory(organization=org)
    # 6 goals, 6 strategies, 5 segments/competitors: the page structure is constant (~17 queries,
    # plus the request's row-level security scope statement);
    # goal progress adds one fact-table aggregate per goal (the KPI value), never per row or day.
    with django_assert_max_num_queries(25):
        assert owner_web.get(page(org)).status_code == 200
    with django_assert_max_num_queries(25):
        assert owner_web.get(page(org, f"{strategy.pk}/")).status_code == 200
    draft = StrategyFactory(organization=org, period_start=dt.date(2030, 1, 1), period_end=dt.date(2030, 12, 31))
    for i in range(6):
        g = GoalFactory(strategy=draft, title=f"Ц{i}")
        ContentPillarFactory(strategy=draft, goals=[g], target_share=10)
    for step in ("analysis", "goals", "platforms", "positioning", "pillars", "review"):
        with django_assert_max_num_queries(19):
            assert owner_web.get(page(org, f"{draft.pk}/edit/{step}/")).status_code == 200, step
    for _ in range(8):
        ExperimentFactory(organization=org)
        TrendNoteFactory(organization=org)
    with django_assert_max_num_queries(10):
        assert owner_web.get(page(org, "experiments/")).status_code == 200
    with django_assert_max_num_queries(10):
        assert owner_web.get(page(org, "trends/")).status_code == 200
