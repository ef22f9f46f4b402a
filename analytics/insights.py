"""The insights engine: which segments of posts did measurably better or worse than the rest.

`find_insights` is a pure function of a table of published posts (one row each). For every
segment of every dimension (a platform, a format, a pillar, an objective, a weekday, a time of
day) it compares the segment's posts with the other posts of that dimension on five per-post
metrics, tests each difference with a test that fits the metric, corrects for the number of
comparisons (Benjamini–Hochberg) and reports only differences that are significant after the
correction, large (relative lift ≥ `min_lift`) and measured on enough posts in both groups.
The statistics and the reasons for each choice are in docs/insights.md.

Weekday and time of day are read from `published_at` as given: the caller converts it to the
organization's timezone first (`series.dt.tz_convert(org_tz)`). Time-of-day bands: night
00:00–05:59, morning 06:00–11:59, day 12:00–17:59, evening 18:00–23:59.
"""

import contextlib
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from .insight_text import evidence_sentence


class Dimension(StrEnum):
    PLATFORM = "platform"
    FORMAT = "format"
    PILLAR = "pillar"
    OBJECTIVE = "objective"
    WEEKDAY = "weekday"
    HOUR_BAND = "hour_band"


class Metric(StrEnum):
    LEADS_PER_POST = "leads_per_post"
    REVENUE_PER_POST = "revenue_per_post"
    ENGAGEMENT_RATE = "engagement_rate"  # engagements ÷ reach, pooled over the group's posts
    CTR = "ctr"  # link clicks ÷ reach, pooled over the group's posts
    REACH_PER_POST = "reach_per_post"


class Direction(StrEnum):
    BETTER = "better"
    WORSE = "worse"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Band name by the hour it starts at; a post at hour h belongs to the last band starting at or before h.
HOUR_BANDS = ((0, "night"), (6, "morning"), (12, "day"), (18, "evening"))

# Permutation test of leads per post: a first pass, then a finer one for promising comparisons so
# that a p-value can be small enough to survive the correction over ~100 comparisons.
PERMUTATIONS_FIRST = 1999
PERMUTATIONS_FINE = 39999
REFINE_BELOW = 0.05
_SEED = 20240612
# Fewer posts than this in a segment (or in the rest) and the engine draws no conclusion; the
# analytics pages mark such segments "too small to conclude".
MIN_GROUP_SIZE = 10


@dataclass(frozen=True)
class Insight:
    dimension: str
    segment: str
    metric: str
    direction: str  # "better" | "worse"
    value: float  # the metric over the segment's posts
    baseline: float  # the metric over the other posts of the dimension
    lift: float  # value ÷ baseline − 1 (negative when worse)
    p_value: float  # adjusted (Benjamini–Hochberg over every comparison made)
    n_segment: int
    n_rest: int
    evidence: str  # one sentence in the active language, with the figures


@dataclass(frozen=True)
class _Comparison:
    dimension: Dimension
    segment: str
    metric: Metric
    value: float
    baseline: float
    n_segment: int
    n_rest: int
    p_raw: float
    agrees: bool  # the test's direction is the figures' direction


def find_insights(
    posts: pd.DataFrame, *, alpha: float = 0.05, min_group_size: int = MIN_GROUP_SIZE, min_lift: float = 0.2
) -> list[Insight]:
    """Segments that did significantly and notably better or worse than the rest, most certain first.

    `posts` has one row per published post with any of the columns `post_id`, `published_at`
    (timezone-aware, already in the organization's timezone), `platform`, `format`, `pillar`,
    `objective`, `reach`, `engagements`, `link_clicks`, `leads`, `revenue`; missing columns and
    missing values leave out what needs them. Deterministic: the same posts give the same result.
    """
    if posts is None or posts.empty:
        return []
    frame = _prepared(posts)
    comparisons: list[_Comparison] = []
    for dimension in Dimension:
        labels = _dimension_labels(frame, dimension)
        if labels is None:
            continue
        for metric in Metric:
            comparisons.extend(_compare_segments(frame, labels, dimension, metric, min_group_size))
    if not comparisons:
        return []

    adjusted = multipletests([c.p_raw for c in comparisons], alpha=alpha, method="fdr_bh")[1]
    insights = []
    for comparison, p_adjusted in zip(comparisons, adjusted, strict=True):
        lift = comparison.value / comparison.baseline - 1
        if p_adjusted > alpha or abs(lift) < min_lift or not comparison.agrees:
            continue
        direction = Direction.BETTER if lift > 0 else Direction.WORSE
        insights.append(
            Insight(
                dimension=comparison.dimension.value,
                segment=comparison.segment,
                metric=comparison.metric.value,
                direction=direction.value,
                value=comparison.value,
                baseline=comparison.baseline,
                lift=lift,
                p_value=float(p_adjusted),
                n_segment=comparison.n_segment,
                n_rest=comparison.n_rest,
                evidence=evidence_sentence(
                    dimension=comparison.dimension.value,
                    segment=comparison.segment,
                    metric=comparison.metric.value,
                    value=comparison.value,
                    baseline=comparison.baseline,
                    n_segment=comparison.n_segment,
                    n_rest=comparison.n_rest,
                ),
            )
        )
    insights.sort(key=lambda i: (i.p_value, -abs(i.lift), i.dimension, i.segment, i.metric))
    return insights


# --- Preparing the table -------------------------------------------------------------------------

_NUMERIC = ("reach", "engagements", "link_clicks", "leads", "revenue")


def _prepared(posts: pd.DataFrame) -> pd.DataFrame:
    """A copy with float metric columns (non-numbers and infinities become NaN), in a stable row order."""
    frame = posts.copy()
    if "post_id" in frame.columns:
        with contextlib.suppress(TypeError):  # ids of mixed types: keep the given order
            frame = frame.sort_values("post_id", kind="stable")
    frame = frame.reset_index(drop=True)
    for column in _NUMERIC:
        if column in frame.columns:
            numbers = pd.to_numeric(frame[column], errors="coerce").astype(float)
            frame[column] = numbers.where(np.isfinite(numbers))  # an infinite figure is a broken one
    return frame


def _dimension_labels(frame: pd.DataFrame, dimension: Dimension) -> pd.Series | None:
    """Each post's segment in `dimension` as a string, NaN where unknown; None when not available."""
    if dimension in (Dimension.WEEKDAY, Dimension.HOUR_BAND):
        if "published_at" not in frame.columns:
            return None
        moments = frame["published_at"]
        if dimension == Dimension.WEEKDAY:
            labels = moments.map(lambda m: WEEKDAYS[m.weekday()] if _is_moment(m) else None)
        else:
            labels = moments.map(lambda m: hour_band(m.hour) if _is_moment(m) else None)
    else:
        if dimension.value not in frame.columns:
            return None
        labels = frame[dimension.value].map(lambda v: None if _missing(v) else str(v).strip() or None)
    labels = labels.astype(object)
    return None if labels.isna().all() else labels


def _is_moment(value: Any) -> bool:
    return isinstance(value, datetime) and value is not pd.NaT


def hour_band(hour: int) -> str:
    """The time-of-day band of an hour (0–23): night 0–5, morning 6–11, day 12–17, evening 18–23."""
    return [name for start, name in HOUR_BANDS if hour >= start][-1]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


# --- Comparing -----------------------------------------------------------------------------------


def _compare_segments(
    frame: pd.DataFrame, labels: pd.Series, dimension: Dimension, metric: Metric, min_group_size: int
) -> list[_Comparison]:
    """Every segment of `dimension` against the other posts of the dimension on `metric`.

    Only posts with a known segment and the metric's inputs take part; a comparison is made (and
    counted in the correction) only when both groups have `min_group_size` posts and the rest's
    figure is positive (a lift over zero is not a number)."""
    data = _metric_inputs(frame, metric)
    if data is None:
        return []
    known = labels.notna() & data.notna().all(axis=1)
    if metric in (Metric.ENGAGEMENT_RATE, Metric.CTR):
        known &= data["den"] > 0
    data, segments = data[known], labels[known].to_numpy(dtype=object)
    if len(data) < 2 * min_group_size:
        return []
    num = data["num"].to_numpy(dtype=float)
    den = data["den"].to_numpy(dtype=float) if "den" in data else None
    comparisons = []
    for segment in sorted(set(segments)):
        in_segment = segments == segment
        n_segment, n_rest = int(in_segment.sum()), int((~in_segment).sum())
        if n_segment < min_group_size or n_rest < min_group_size:
            continue
        value, baseline = _figure(num, den, in_segment), _figure(num, den, ~in_segment)
        if not baseline > 0 or not math.isfinite(value):
            continue
        seed = _SEED + zlib.crc32(f"{dimension}|{segment}|{metric}".encode())
        p_raw, test_sign = _TESTS[metric](num, den, in_segment, np.random.default_rng(seed))
        comparisons.append(
            _Comparison(
                dimension=dimension,
                segment=segment,
                metric=metric,
                value=value,
                baseline=baseline,
                n_segment=n_segment,
                n_rest=n_rest,
                p_raw=p_raw,
                agrees=bool(test_sign == np.sign(value - baseline)),
            )
        )
    return comparisons


def _metric_inputs(frame: pd.DataFrame, metric: Metric) -> pd.DataFrame | None:
    """The metric's numerator (`num`) and, for a rate, its denominator (`den`); None if a column is absent."""
    columns = {
        Metric.LEADS_PER_POST: ("leads", None),
        Metric.REVENUE_PER_POST: ("revenue", None),
        Metric.REACH_PER_POST: ("reach", None),
        Metric.ENGAGEMENT_RATE: ("engagements", "reach"),
        Metric.CTR: ("link_clicks", "reach"),
    }[metric]
    numerator, denominator = columns
    if numerator not in frame.columns or (denominator and denominator not in frame.columns):
        return None
    data = pd.DataFrame({"num": frame[numerator]})
    if denominator:
        data["den"] = frame[denominator]
    return data


def _figure(num: np.ndarray, den: np.ndarray | None, mask: np.ndarray) -> float:
    """The shown figure: the mean per post, or for a rate the pooled ratio (as the dashboard's ER)."""
    if den is None:
        return float(num[mask].mean())
    return float(num[mask].sum() / den[mask].sum())


# Each test returns (two-sided p-value, the sign of the segment's difference as the test sees it).
_Test = Callable[[np.ndarray, np.ndarray | None, np.ndarray, np.random.Generator], tuple[float, float]]


def _mann_whitney(
    num: np.ndarray, den: np.ndarray | None, in_segment: np.ndarray, rng: np.random.Generator
) -> tuple[float, float]:
    """Mann–Whitney U on per-post values (rates for ER and CTR): no assumption on their spread or tails."""
    values = num if den is None else num / den
    segment, rest = values[in_segment], values[~in_segment]
    result = stats.mannwhitneyu(segment, rest, alternative="two-sided")
    # U/(n1·n2) is the chance a segment post beats a rest post; above ½ means the segment tends higher.
    superiority = float(result.statistic) / (len(segment) * len(rest))
    return _p(result.pvalue), float(np.sign(superiority - 0.5))


def _permutation(
    num: np.ndarray, den: np.ndarray | None, in_segment: np.ndarray, rng: np.random.Generator
) -> tuple[float, float]:
    """Permutation test of the difference in means (leads per post): exact under exchangeability,
    whatever the overdispersion or the excess of zeros; seeded, so deterministic."""
    k, total, n = int(in_segment.sum()), float(num.sum()), len(num)
    observed = _mean_difference(float(num[in_segment].sum()), total, k, n)
    if observed == 0:
        return 1.0, 0.0
    p = _permutation_p(num, k, observed, PERMUTATIONS_FIRST, rng)
    if p < REFINE_BELOW:
        p = _permutation_p(num, k, observed, PERMUTATIONS_FINE, rng)
    return p, float(np.sign(observed))


def _permutation_p(values: np.ndarray, k: int, observed: float, rounds: int, rng: np.random.Generator) -> float:
    """The share of random segments of size k whose mean difference is at least as extreme.

    A random segment's sum is drawn without listing a permutation: how many posts of each distinct
    value it holds is multivariate hypergeometric (leads take few distinct values, so this is fast)."""
    total, n = float(values.sum()), len(values)
    distinct, counts = np.unique(values, return_counts=True)
    sums = rng.multivariate_hypergeometric(counts, k, size=rounds) @ distinct
    differences = _mean_difference(sums, total, k, n)
    tolerance = 1e-9 * max(1.0, abs(observed))
    as_extreme = int((np.abs(differences) >= abs(observed) - tolerance).sum())
    return (as_extreme + 1) / (rounds + 1)


def _mean_difference(segment_sum: Any, total: float, k: int, n: int) -> Any:
    return segment_sum / k - (total - segment_sum) / (n - k)


def _p(value: Any) -> float:
    p = float(value)
    return 1.0 if math.isnan(p) else p


_TESTS: dict[Metric, _Test] = {
    Metric.LEADS_PER_POST: _permutation,
    Metric.REVENUE_PER_POST: _mann_whitney,
    Metric.REACH_PER_POST: _mann_whitney,
    Metric.ENGAGEMENT_RATE: _mann_whitney,
    Metric.CTR: _mann_whitney,
}
