"""The insights engine on generated data: planted effects are found, chance is not reported."""

import datetime as dt
import math
import zoneinfo
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from analytics.insights import Insight, find_insights, hour_band
from tests.analytics.insight_data import in_hours, on_weekday, posts_frame, where

# dimension, planted effect, the segment and metric it shows in, the planted factor on that metric
PLANTED = {
    "platform": ((where("platform", "telegram"), "er", 1.6), "telegram", "engagement_rate", 1.6),
    "format": ((where("format", "carousel"), "conversion", 3.0), "carousel", "leads_per_post", 3.0),
    "pillar": ((where("pillar", "Cases"), "sale", 3.0), "Cases", "revenue_per_post", 3.0),
    "objective": ((where("objective", "sales"), "ctr", 1.8), "sales", "ctr", 1.8),
    "weekday": ((on_weekday(5), "reach", 0.4), "saturday", "reach_per_post", 0.4),
    "hour_band": ((in_hours(18, 24), "er", 0.5), "evening", "engagement_rate", 0.5),
}


def planted(dimension: str, seed: int = 500) -> pd.DataFrame:
    return posts_frame(seed, n=500, effects=(PLANTED[dimension][0],))


@pytest.mark.parametrize("dimension", list(PLANTED))
def test_an_effect_planted_in_each_dimension_is_found_with_its_direction_and_size(dimension):
    _, segment, metric, factor = PLANTED[dimension]
    insights = find_insights(planted(dimension))
    found = [i for i in insights if (i.dimension, i.segment, i.metric) == (dimension, segment, metric)]
    assert len(found) == 1, insights
    insight = found[0]
    assert insight.direction == ("better" if factor > 1 else "worse")
    # Roughly the planted size: the segment's figure over the rest's within a factor 1.5 of the planted one.
    assert abs(math.log((1 + insight.lift) / factor)) < math.log(1.5)
    assert insight.p_value <= 0.05
    assert min(insight.n_segment, insight.n_rest) >= 10


def test_on_data_without_effects_nothing_is_reported_in_at_least_18_of_20_datasets():
    # Realistic sizes (300–500 posts), heavy-tailed reach, rates varying far more than binomial noise.
    reported = [seed for seed in range(20) if find_insights(posts_frame(9000 + seed))]
    assert len(reported) <= 2, reported


def test_a_few_lucky_posts_are_never_an_insight():
    frame = posts_frame(7, n=400)
    lucky = frame.index[:9]
    frame.loc[lucky, "format"] = "live"
    frame.loc[lucky, ["leads", "revenue", "reach", "engagements", "link_clicks"]] = [50, 500000, 90000, 20000, 5000]

    assert not [i for i in find_insights(frame) if i.segment == "live"]
    # The size rule is what keeps them out: allowed 5-post segments, the same posts are reported.
    assert [i for i in find_insights(frame, min_group_size=5) if i.segment == "live"]


def test_segments_below_the_minimum_size_are_never_reported_even_with_a_huge_effect():
    frame = posts_frame(8, n=400)
    frame.loc[frame.index[:3], "pillar"] = "Jackpot"
    frame.loc[frame.index[:3], "leads"] = 1000
    assert all(i.n_segment >= 10 and i.n_rest >= 10 for i in find_insights(frame))
    assert not [i for i in find_insights(frame) if i.segment == "Jackpot"]


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(),
        pd.DataFrame(columns=["post_id", "published_at", "platform", "format", "leads", "reach"]),
        posts_frame(1, n=300)[["post_id", "reach", "leads", "revenue"]],  # no dimension at all
        posts_frame(1, n=300)[["post_id", "platform", "format", "published_at"]],  # no metric at all
        posts_frame(1, n=300).assign(
            reach=np.nan, engagements=np.nan, link_clicks=np.nan, leads=np.nan, revenue=np.nan
        ),
        posts_frame(1, n=300).assign(platform=None, format=None, pillar=None, objective=None, published_at=pd.NaT),
        posts_frame(1, n=15),  # too few posts for two groups of ten
    ],
    ids=["empty", "no-rows", "no-dimensions", "no-metrics", "all-nan-metrics", "all-nan-dimensions", "tiny"],
)
def test_missing_columns_all_nan_columns_and_empty_frames_give_nothing(frame):
    assert find_insights(frame) == []


def test_missing_values_leave_out_only_what_needs_them():
    frame = posts_frame(500, n=500, effects=((where("format", "carousel"), "conversion", 4.0),))
    rng = np.random.default_rng(3)
    frame.loc[rng.random(len(frame)) < 0.1, "leads"] = np.nan
    frame.loc[rng.random(len(frame)) < 0.1, "format"] = None
    frame.loc[rng.random(len(frame)) < 0.1, "reach"] = np.nan
    frame = frame.drop(columns=["pillar", "revenue"])
    insights = find_insights(frame)
    assert [i for i in insights if (i.segment, i.metric) == ("carousel", "leads_per_post")]
    assert not {i.dimension for i in insights} & {"pillar"}
    assert not {i.metric for i in insights} & {"revenue_per_post"}


def _independent_figures(frame: pd.DataFrame, insight: Insight) -> tuple[float, float, int, int]:
    """The figures recomputed with plain pandas: the segment against the other known segments."""
    frame = frame.copy()
    frame["weekday"] = frame["published_at"].dt.day_name().str.lower()
    frame["hour_band"] = pd.cut(frame["published_at"].dt.hour, [0, 6, 12, 18, 24], right=False, labels=False).map(
        {0: "night", 1: "morning", 2: "day", 3: "evening"}
    )
    rows = frame[frame[insight.dimension].notna()]
    numerator, denominator = {
        "leads_per_post": ("leads", None),
        "revenue_per_post": ("revenue", None),
        "reach_per_post": ("reach", None),
        "engagement_rate": ("engagements", "reach"),
        "ctr": ("link_clicks", "reach"),
    }[insight.metric]
    rows = rows[rows[numerator].notna()]
    if denominator:
        rows = rows[rows[denominator] > 0]
    mine = rows[rows[insight.dimension] == insight.segment]
    others = rows[rows[insight.dimension] != insight.segment]
    if denominator:
        figures = [group[numerator].sum() / group[denominator].sum() for group in (mine, others)]
    else:
        figures = [group[numerator].mean() for group in (mine, others)]
    return figures[0], figures[1], len(mine), len(others)


@pytest.mark.parametrize("dimension", ["platform", "format", "weekday", "hour_band"])
def test_value_baseline_and_lift_equal_an_independent_pandas_computation(dimension):
    frame = planted(dimension)
    frame.loc[frame.index[::17], "leads"] = np.nan  # missing values are left out, not counted as 0
    frame.loc[frame.index[::23], "reach"] = 0  # no reach: no rate for that post
    insights = find_insights(frame)
    assert insights
    for insight in insights:
        value, baseline, n_segment, n_rest = _independent_figures(frame, insight)
        assert insight.value == pytest.approx(value, rel=1e-12)
        assert insight.baseline == pytest.approx(baseline, rel=1e-12)
        assert insight.lift == pytest.approx(value / baseline - 1, rel=1e-9)
        assert (insight.n_segment, insight.n_rest) == (n_segment, n_rest)


def test_sorted_by_adjusted_p_value_then_size_and_deterministic_whatever_the_row_order():
    frame = posts_frame(501, n=500, effects=(PLANTED["format"][0], PLANTED["weekday"][0], PLANTED["objective"][0]))
    insights = find_insights(frame)
    assert len(insights) >= 3
    assert insights == sorted(insights, key=lambda i: (i.p_value, -abs(i.lift)))
    shuffled = frame.sample(frac=1, random_state=4)
    assert find_insights(shuffled) == insights


def test_evidence_states_the_figures_in_the_active_language():
    with translation.override("en"):
        insight = next(i for i in find_insights(planted("format")) if i.metric == "leads_per_post")
    assert insight.evidence == (
        f"Posts in the format “Carousel” brought {insight.value:.1f} leads per post vs {insight.baseline:.1f}"
        f" for other formats (posts: {insight.n_segment} vs {insight.n_rest})"
    )


def test_weekday_and_time_of_day_are_read_in_the_timezone_given():
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    # 20:30 UTC on a Sunday is 23:30 in Moscow, still Sunday evening; 22:30 UTC is Monday night there.
    assert hour_band(dt.datetime(2025, 1, 5, 20, 30, tzinfo=dt.UTC).astimezone(moscow).hour) == "evening"
    assert hour_band(dt.datetime(2025, 1, 5, 22, 30, tzinfo=dt.UTC).astimezone(moscow).hour) == "night"
    assert [hour_band(h) for h in (0, 5, 6, 11, 12, 17, 18, 23)] == [
        "night",
        "night",
        "morning",
        "morning",
        "day",
        "day",
        "evening",
        "evening",
    ]

    # The same posts shifted to another timezone: the planted evening effect moves with the clock.
    frame = planted("hour_band")
    found = {(i.segment, i.metric) for i in find_insights(frame)}
    assert ("evening", "engagement_rate") in found
    frame["published_at"] = frame["published_at"].dt.tz_convert("Asia/Tokyo")  # +9 h: evening becomes night/morning
    worse = {i.segment for i in find_insights(frame) if i.metric == "engagement_rate" and i.direction == "worse"}
    assert "evening" not in worse
    assert worse & {"night", "morning"}


def test_the_types_a_queryset_or_a_csv_gives_are_read_alike():
    frame = planted("format")
    expected = [(i.dimension, i.segment, i.metric, i.value) for i in find_insights(frame)]
    assert expected
    mixed = frame.astype({"leads": "Int64", "format": "category", "platform": "string", "published_at": object})
    mixed["revenue"] = [Decimal(str(v)) for v in frame["revenue"]]  # money from the database
    assert [(i.dimension, i.segment, i.metric, i.value) for i in find_insights(mixed)] == expected
    # An infinite figure is a broken one: left out like a missing one.
    broken = frame.astype({"reach": float})
    broken.loc[broken.index[0], "reach"] = np.inf
    assert all(math.isfinite(i.value) and math.isfinite(i.baseline) for i in find_insights(broken))
