"""Business rules the OpenAPI schema cannot state, each refused with a 400 naming the field.

The conformance run makes its schema-valid requests respect these rules (tests/fuzz/conformance_hooks.py);
these tests prove the server still refuses a violation of each one.
"""

import datetime as dt

import pytest
from django.utils import timezone

from tests.content.test_posts import complete
from tests.strategy.factories import (
    CompetitorFactory,
    ContentPillarFactory,
    GoalFactory,
    PresenceAuditFactory,
    StrategyFactory,
    TrendNoteFactory,
)

pytestmark = pytest.mark.django_db


def api(org, path):
    return f"/api/v1/orgs/{org.slug}/{path}"


def refused(response, field):
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()


def test_a_strategy_period_ending_before_it_starts_is_a_400(token_client, org):
    body = {"title": "2025", "period_start": "2025-12-31", "period_end": "2025-01-01"}
    refused(token_client.post(api(org, "strategies/"), body, format="json"), "period_end")


def test_an_experiment_ending_before_it_starts_is_a_400(token_client, org):
    body = {
        "title": "Канал",
        "hypothesis": "Даст визиты",
        "kind": "platform",
        "start_date": "2025-05-31",
        "end_date": "2025-04-01",
        "success_metric": "Подписчики",
        "success_threshold": "500",
    }
    refused(token_client.post(api(org, "experiments/"), body, format="json"), "end_date")


@pytest.mark.parametrize("query", ["start=2026-03-31&end=2026-03-01", "start=1999-12-31&end=2000-01-05"])
def test_a_report_period_out_of_order_or_out_of_range_is_a_400(token_client, org, query):
    response = token_client.get(api(org, f"attribution/?{query}"))
    assert response.status_code == 400, response.content


def test_a_date_outside_2000_to_2099_is_a_400(token_client, org):
    body = {"title": "Далеко", "period_start": "2100-01-01", "period_end": "2100-12-31"}
    response = token_client.post(api(org, "strategies/"), body, format="json")
    assert response.status_code == 400, response.content


def test_a_post_whose_goal_and_pillar_come_from_different_strategies_is_a_400(token_client, org):
    goal = GoalFactory(strategy=StrategyFactory(organization=org))
    pillar = ContentPillarFactory(strategy=StrategyFactory(organization=org))
    body = {"title": "Кофе", "text": "Привезём", "platform": "vk", "objective": "lead_generation"}
    body |= {"goal": goal.pk, "pillar": pillar.pk}
    refused(token_client.post(api(org, "posts/"), body, format="json"), "pillar")


def test_scheduling_a_post_in_the_past_is_a_400(token_client, org, owner_access):
    post = complete(owner_access)
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    refused(
        token_client.post(api(org, f"posts/{post.pk}/schedule/"), {"scheduled_at": past}, format="json"), "scheduled_at"
    )


def test_a_number_for_a_text_field_is_a_400(token_client, org):
    note = TrendNoteFactory(organization=org)
    refused(token_client.patch(api(org, f"trend-notes/{note.pk}/"), {"follow_up": 0}, format="json"), "follow_up")


def test_a_post_targeting_an_account_not_of_the_organization_is_a_400(token_client, org, owner_access):
    post = complete(owner_access)
    body = {"target_accounts": [2**40]}
    refused(token_client.patch(api(org, f"posts/{post.pk}/"), body, format="json"), "target_accounts")


@pytest.mark.parametrize("collection", ["competitors/", "audience-segments/"])
def test_a_name_given_twice_in_the_organization_is_a_400(token_client, org, collection):
    first = token_client.post(api(org, collection), {"name": "Кофе Бро"}, format="json")
    assert first.status_code == 201, first.content
    again = token_client.post(api(org, collection), {"name": "Кофе Бро"}, format="json")
    assert again.status_code == 400, again.content


@pytest.mark.parametrize("whose", ["another organization's", "nonexistent"])
def test_a_strategy_naming_a_competitor_not_of_the_organization_is_a_400(token_client, org, other_org, whose):
    foreign = CompetitorFactory(organization=other_org).pk if whose != "nonexistent" else 2**62
    own = CompetitorFactory(organization=org, name="Свой").pk
    body = {"title": "2026", "period_start": "2026-01-01", "period_end": "2026-12-31", "competitors": [own, foreign]}
    refused(token_client.post(api(org, "strategies/"), body, format="json"), "competitors")
    body["competitors"] = [own]
    assert token_client.post(api(org, "strategies/"), body, format="json").status_code == 201


def test_a_pillar_naming_a_goal_of_another_strategy_or_organization_is_a_400(token_client, org, other_org):
    strategy = StrategyFactory(organization=org)
    other_strategy_goal = GoalFactory(strategy=StrategyFactory(organization=org))
    foreign_goal = GoalFactory(strategy=StrategyFactory(organization=other_org))
    body = {
        "strategy": strategy.pk,
        "name": "Польза",
        "objective": "awareness",
        "funnel_stage": "awareness",
        "target_share": 20,
    }
    for goal in (other_strategy_goal, foreign_goal):
        refused(token_client.post(api(org, "content-pillars/"), {**body, "goals": [goal.pk]}, format="json"), "goals")
    own_goal = GoalFactory(strategy=strategy)
    response = token_client.post(api(org, "content-pillars/"), {**body, "goals": [own_goal.pk]}, format="json")
    assert response.status_code == 201, response.content


def test_a_second_presence_audit_of_a_platform_and_date_is_a_400(token_client, org):
    PresenceAuditFactory(organization=org, platform="vk", date=dt.date(2025, 1, 1))
    body = {"platform": "vk", "date": "2025-01-01", "followers": 10}
    response = token_client.post(api(org, "presence-audits/"), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"], response.json()
    assert (
        token_client.post(api(org, "presence-audits/"), {**body, "date": "2025-01-02"}, format="json").status_code
        == 201
    )


def test_an_object_for_a_list_of_ids_is_a_400(token_client, org):
    body = {"title": "2026", "period_start": "2026-01-01", "period_end": "2026-12-31", "competitors": {}}
    refused(token_client.post(api(org, "strategies/"), body, format="json"), "competitors")


def test_experiment_results_are_entered_while_it_runs(token_client, org):
    plan = {
        "title": "Reels",
        "hypothesis": "Reels bring leads",
        "kind": "format",
        "start_date": "2026-03-01",
        "end_date": "2026-03-31",
        "success_metric": "leads",
        "success_threshold": "10",
    }
    # A new experiment is a plan: its result fields are read-only there (ignored, like `status`).
    created = token_client.post(api(org, "experiments/"), {**plan, "result_notes": "early"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["result_notes"] == ""
    url = api(org, f"experiments/{created.json()['id']}/")
    # A draft's result is a state conflict (409), the same value again is not a change.
    conflict = token_client.patch(url, {"result_notes": "early"}, format="json")
    assert conflict.status_code == 409, conflict.content
    assert "result_notes" in conflict.json()["error"]["fields"]
    assert token_client.patch(url, {"result_notes": ""}, format="json").status_code == 200
    token_client.post(url + "start/")
    running = token_client.patch(url, {"result_notes": "halfway", "result_value": "4"}, format="json")
    assert running.status_code == 200, running.content
    assert running.json()["result_notes"] == "halfway"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"condition": "ctr_below", "ctr_below": "0.5"}, "min_impressions"),
        ({"condition": "cpl_above_target", "min_spend": "100"}, "factor"),
        ({"action": "budget_up", "percent": None}, "percent"),
        ({"action": "budget_down", "percent": "95"}, "percent"),
        ({"budget_min": "500", "budget_max": "100"}, "budget_min"),
        ({"factor": "-1"}, "factor"),
    ],
)
def test_an_ad_rule_missing_the_figures_of_its_condition_or_action_is_a_400(token_client, org, body, field):
    rule = {
        "name": "Stop bad",
        "condition": "romi_above_streak",
        "romi_above": "100",
        "streak_days": 3,
        "action": "pause",
        "percent": "20",
    }
    refused(token_client.post(api(org, "ads/rules/"), {**rule, **body}, format="json"), field)


def test_an_inbox_bulk_tag_names_the_tag(token_client, org):
    refused(token_client.post(api(org, "inbox/items/bulk/"), {"action": "tag", "ids": [1]}, format="json"), "tag")


@pytest.mark.parametrize("text", ["0", "day,campaign,spend\n", "when,campaign\n2026-03-01,A\n"])
def test_an_ad_statistics_csv_needs_its_header_and_a_row(token_client, org, text):
    from tests.integrations.factories import SocialAccountFactory

    account = SocialAccountFactory(organization=org)
    response = token_client.post(api(org, "ads/stats/import/"), {"account": account.pk, "csv": text}, format="json")
    refused(response, "file")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metric": "cpl", "mde_percent": "100"}, "mde_percent"),  # a lead cannot get 100 % cheaper
        ({"metric": "ctr", "mde_percent": "20"}, "baseline_percent"),  # a rate metric needs the current rate
        ({"metric": "ctr", "mde_percent": "300", "baseline_percent": "50"}, "mde_percent"),  # above 100 %
        ({"metric": "ctr", "mde_percent": "0.1", "baseline_percent": "0.0001"}, "mde_percent"),  # > a billion
    ],
)
def test_an_ab_test_plan_that_cannot_be_computed_is_a_400(token_client, org, body, field):
    refused(token_client.post(api(org, "abtests/calculate/"), body, format="json"), field)
