"""Recommendations from insights and goal status: each points to its evidence, nothing is invented."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from analytics.insights import Insight, find_insights
from analytics.recommendations import Action, CampaignResult, GoalStatus, goal_status, recommend
from core.kpis import ProgressStatus, progress_compute
from tests.analytics.insight_data import posts_frame, where


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def insight(dimension="format", segment="carousel", metric="leads_per_post", direction="better", **overrides):
    lift = 1.1 if direction == "better" else -0.5
    fields = {
        "dimension": dimension,
        "segment": segment,
        "metric": metric,
        "direction": direction,
        "value": 2.1 if direction == "better" else 0.5,
        "baseline": 1.0,
        "lift": lift,
        "p_value": 0.001,
        "n_segment": 84,
        "n_rest": 412,
        "evidence": "…",
    } | overrides
    return Insight(**fields)


def goal(kpi, status="off_track", current="10", target="20", title=""):
    return GoalStatus(kpi=kpi, status=status, current=Decimal(current), target=Decimal(target), title=title)


def test_no_insight_says_plainly_that_nothing_was_large_and_certain_enough():
    recommendations = recommend(insights=[])
    assert [r.action for r in recommendations] == [Action.NOTHING_CERTAIN]
    assert recommendations[0].text == "No difference between posts was large and certain enough to act on this period."
    assert recommendations[0].evidence == ()


def test_each_dimension_gives_its_shift_pointing_to_the_insight():
    cases = [
        (insight("pillar", "Cases"), Action.SHIFT_PILLARS, "Give the pillar “Cases” a larger share of posts."),
        (
            insight("format", "video", direction="worse"),
            Action.SHIFT_FORMATS,
            "Publish fewer posts in the format “Video”.",
        ),
        (insight("platform", "telegram", "engagement_rate"), Action.SHIFT_PLATFORMS, "Shift effort towards Telegram."),
        (
            insight("objective", "sales", "ctr"),
            Action.SHIFT_OBJECTIVES,
            "Plan more posts with the objective “Sales”.",
        ),
        (
            insight("weekday", "saturday", "reach_per_post", "worse"),
            Action.MOVE_POSTING_TIMES,
            "Move posts away from Saturdays.",
        ),
        (insight("hour_band", "evening"), Action.MOVE_POSTING_TIMES, "Move more posts to the evening (18–24 h)."),
    ]
    for found, action, text in cases:
        (recommendation,) = recommend(insights=[found])
        assert (recommendation.action, recommendation.text) == (action, text)
        assert recommendation.evidence == (found,)


def test_a_segment_with_several_insights_is_one_recommendation_led_by_the_lagging_goal():
    reach = insight("format", "reel", "reach_per_post", "better")
    leads = insight("format", "reel", "leads_per_post", "worse")
    # Business first: leads decide over reach.
    (recommendation,) = recommend(insights=[reach, leads])
    assert recommendation.text == "Publish fewer posts in the format “Reel / short video”."
    assert set(recommendation.evidence) == {reach, leads}
    # A lagging reach goal makes reach the deciding insight, and the goal is part of the evidence.
    reach_goal = goal("reach")
    recommendations = recommend(insights=[reach, leads], goals=[reach_goal])
    assert recommendations[0].text == "Publish more posts in the format “Reel / short video”."
    assert reach_goal in recommendations[0].evidence


def test_shifts_that_move_a_lagging_goal_come_first():
    er = insight("platform", "vk", "engagement_rate")
    leads = insight("pillar", "Cases", "leads_per_post")
    leads_goal = goal("leads")
    recommendations = recommend(insights=[er, leads], goals=[leads_goal])
    assert [r.action for r in recommendations] == [Action.SHIFT_PILLARS, Action.SHIFT_PLATFORMS]
    assert recommendations[0].evidence == (leads, leads_goal)


def test_a_lagging_response_time_goal_asks_for_faster_answers():
    response = goal("first_response_time", "off_track", current="95", target="30")
    on_track = goal("first_response_time", "on_track", current="20", target="30")
    recommendations = recommend(insights=[insight()], goals=[response, on_track])
    fix = [r for r in recommendations if r.action == Action.FIX_RESPONSE_TIME]
    assert len(fix) == 1
    assert fix[0].evidence == (response,)
    assert fix[0].text == (
        "Answer comments and messages faster: the first response takes 95 min against a target of 30 min."
    )


def test_campaigns_are_paused_or_scaled_on_their_figures_against_the_goals():
    cpl_goal = goal("cpl", "at_risk", current="450", target="300")
    leads_goal = goal("leads", "off_track")
    expensive = CampaignResult(name="Spring", spend=Decimal(6000), leads=10)  # CPL 600 > 1.5 × 300
    losing = CampaignResult(name="Promo", spend=Decimal(5000), leads=20, revenue=Decimal(3000))
    silent = CampaignResult(name="Silent", spend=Decimal(1000), leads=0)  # > 3 target CPLs, no lead
    cheap = CampaignResult(name="Cases", spend=Decimal(2500), leads=10)  # CPL 250 within 300
    too_few = CampaignResult(name="Tiny", spend=Decimal(2000), leads=2)  # CPL 1000 from 2 leads: noise
    recommendations = recommend(
        insights=[], goals=[cpl_goal, leads_goal], campaigns=[expensive, losing, silent, cheap, too_few]
    )
    by_name = {
        r.evidence[0].name: r for r in recommendations if r.action in (Action.PAUSE_CAMPAIGN, Action.SCALE_CAMPAIGN)
    }
    assert {name: r.action for name, r in by_name.items()} == {
        "Spring": Action.PAUSE_CAMPAIGN,
        "Promo": Action.PAUSE_CAMPAIGN,
        "Silent": Action.PAUSE_CAMPAIGN,
        "Cases": Action.SCALE_CAMPAIGN,
    }
    assert by_name["Spring"].evidence == (expensive, cpl_goal)
    assert by_name["Spring"].text == "Pause or rework the campaign “Spring”: a lead costs 600 against a target of 300."
    assert by_name["Cases"].evidence == (cheap, cpl_goal, leads_goal)
    # Without a CPL goal there is no yardstick for a cost per lead: only the money-losing one is paused.
    recommendations = recommend(insights=[], campaigns=[expensive, losing, silent, cheap])
    assert [r.evidence[0].name for r in recommendations if r.action == Action.PAUSE_CAMPAIGN] == ["Promo"]


def test_a_lagging_goal_no_insight_explains_gets_an_experiment_not_a_guess():
    sales_goal = goal("sales", "at_risk")
    recommendations = recommend(insights=[], goals=[sales_goal, goal("reach", "on_track")])
    assert [r.action for r in recommendations] == [Action.NOTHING_CERTAIN, Action.PLAN_EXPERIMENT]
    assert recommendations[1].evidence == (sales_goal,)
    assert recommendations[1].text.startswith("Sales is behind plan")


def test_recommendations_from_the_engine_point_to_its_insights():
    frame = posts_frame(500, n=500, effects=((where("format", "carousel"), "conversion", 3.0),))
    insights = find_insights(frame)
    recommendations = recommend(insights=insights, goals=[goal("leads")])
    first = recommendations[0]
    assert first.action == Action.SHIFT_FORMATS
    assert first.text == "Publish more posts in the format “Carousel”."
    assert all(e in insights for e in first.evidence if isinstance(e, Insight))


def test_a_goal_status_is_read_from_the_measured_progress():
    progress = progress_compute(
        baseline=Decimal(120),
        target=Decimal(30),
        current=Decimal(95),
        start=dt.date(2025, 1, 1),
        deadline=dt.date(2025, 3, 31),
        today=dt.date(2025, 3, 1),
    )
    status = goal_status(kpi="first_response_time", target=Decimal(30), progress=progress)
    assert status == GoalStatus(
        kpi="first_response_time", status=ProgressStatus.OFF_TRACK, current=Decimal(95), target=Decimal(30)
    )
    assert status.lagging
    assert status.name == "First response time"
    assert goal_status(kpi="leads", target=Decimal(5), progress=None).status == ProgressStatus.NO_DATA
    assert recommend(insights=[insight()], goals=[status])[0].action == Action.FIX_RESPONSE_TIME
