"""A/B test statistics: pure functions over counts (numpy/scipy), no Django, no database.

Proportion metrics (CTR = clicks / impressions, lead conversion = leads / clicks):
- planning: the two-proportion sample size (normal approximation, pooled variance under H0,
  unpooled under H1 — the textbook formula of Fleiss, without continuity correction);
- evaluation: the pooled two-proportion z-test, a Wald interval for the difference and a
  log-ratio (delta-method) interval for the relative lift; the Bayesian probability to be best from
  Beta(1 + x, 1 + n − x) posteriors (uniform prior), by Monte Carlo with a fixed seed.

Cost per lead (CPL = spend / leads, lower is better): spend is known, leads are Poisson counts with
the spend as exposure. The CPL ratio of two variants gets a delta-method interval on the log scale
(Var log CPL ≈ 1 / leads); the probability to be best comes from Gamma(1 + leads, spend) posteriors
of the lead rate per unit of money.

With more than one challenger each is compared with the control at α / (k − 1) (Bonferroni).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as st

SEED = 20_140  # fixed: the same counts always give the same probabilities
DRAWS = 200_000


class Metric(enum.StrEnum):
    CTR = "ctr"
    LEAD_CONVERSION = "lead_conversion"
    CPL = "cpl"


class Verdict(enum.StrEnum):
    COLLECTING = "collecting"  # the planned sample is not reached: no winner may be named
    WINNER = "winner"
    INCONCLUSIVE = "inconclusive"


def _z(q: float) -> float:
    return float(st.norm.ppf(q))


# --- planning ------------------------------------------------------------------------------------


def proportion_sample_size(*, baseline: float, mde: float, alpha: float, power: float) -> int:
    """Units per variant (impressions for CTR, clicks for lead conversion) to detect a relative
    change ``mde`` of the ``baseline`` rate with a two-sided test at ``alpha`` and ``power``."""
    if not 0 < baseline < 1:
        raise ValueError("baseline must be a rate between 0 and 1")
    p1, p2 = baseline, baseline * (1 + mde)
    if not 0 < p2 < 1 or mde <= 0:
        raise ValueError("baseline × (1 + mde) must stay a rate between 0 and 1")
    pbar = (p1 + p2) / 2
    z_a, z_b = _z(1 - alpha / 2), _z(power)
    n = (z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    return math.ceil(n)


def cpl_sample_size(*, mde: float, alpha: float, power: float) -> int:
    """Leads per variant to detect a relative CPL reduction ``mde`` (0.2 = 20 % cheaper):
    the log CPL ratio has variance 1/L_a + 1/L_b = 2/L with L leads in each variant."""
    if not 0 < mde < 1:
        raise ValueError("mde must be between 0 and 1")
    z_a, z_b = _z(1 - alpha / 2), _z(power)
    return math.ceil(2 * (z_a + z_b) ** 2 / math.log(1 - mde) ** 2)


def duration_days(*, per_variant: int, variants: int, daily_traffic: float | None) -> int | None:
    """Days to reach the planned sample when ``daily_traffic`` units a day are split evenly."""
    if not daily_traffic or daily_traffic <= 0:
        return None
    return math.ceil(per_variant * variants / daily_traffic)


# --- evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    units: int  # impressions (CTR) or clicks (lead conversion); optional for CPL
    conversions: int  # clicks (CTR) or leads (lead conversion, CPL)
    spend: float = 0.0  # CPL only


@dataclass(frozen=True)
class Comparison:
    """One challenger against the control."""

    estimate: float | None  # challenger's rate or CPL
    z: float | None
    p_value: float | None
    diff: float | None  # challenger − control (rate points or money)
    diff_low: float | None
    diff_high: float | None
    lift: float | None  # relative: challenger / control − 1
    lift_low: float | None
    lift_high: float | None
    significant: bool
    better: bool | None  # direction of the point estimate (lower CPL is better)


@dataclass(frozen=True)
class Evaluation:
    metric: Metric
    estimates: list[float | None]  # per variant: rate or CPL
    comparisons: list[Comparison | None]  # per variant, None for the control (index 0)
    prob_best: list[float | None]
    alpha_each: float
    required: int  # per variant: units, or leads for CPL
    progress: float  # the least-sampled variant's share of ``required`` (1.0 = reached)
    sample_reached: bool
    verdict: Verdict
    winner: int | None  # variant index
    notes: list[str] = field(default_factory=list)


def two_proportion_ztest(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float]:
    """Pooled z statistic of (p_b − p_a) and its two-sided p-value."""
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    if se == 0:
        return 0.0, 1.0
    z = (x_b / n_b - x_a / n_a) / se
    return z, float(2 * st.norm.sf(abs(z)))


def proportion_diff_interval(x_a: int, n_a: int, x_b: int, n_b: int, *, alpha: float) -> tuple[float, float]:
    """Wald interval of p_b − p_a (unpooled)."""
    pa, pb = x_a / n_a, x_b / n_b
    half = _z(1 - alpha / 2) * math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    return pb - pa - half, pb - pa + half


def proportion_lift_interval(x_a: int, n_a: int, x_b: int, n_b: int, *, alpha: float) -> tuple[float, float] | None:
    """Interval of the relative lift p_b / p_a − 1 by the delta method on log(p_b / p_a)."""
    if x_a == 0 or x_b == 0:
        return None
    ratio = (x_b / n_b) / (x_a / n_a)
    se = math.sqrt(1 / x_b - 1 / n_b + 1 / x_a - 1 / n_a)
    half = _z(1 - alpha / 2) * se
    return ratio * math.exp(-half) - 1, ratio * math.exp(half) - 1


def cpl_comparison(
    leads_a: int, spend_a: float, leads_b: int, spend_b: float, *, alpha: float
) -> tuple[float, float, float, float, float]:
    """(z, p, ratio, low, high) for CPL_b / CPL_a by the delta method on the log scale."""
    ratio = (spend_b / leads_b) / (spend_a / leads_a)
    se = math.sqrt(1 / leads_a + 1 / leads_b)
    z = math.log(ratio) / se
    half = _z(1 - alpha / 2) * se
    return z, float(2 * st.norm.sf(abs(z))), ratio, ratio * math.exp(-half), ratio * math.exp(half)


def prob_best_beta(counts: Sequence[Counts], *, draws: int = DRAWS, seed: int = SEED) -> list[float]:
    """P(variant has the highest rate) under Beta(1 + x, 1 + n − x) posteriors."""
    rng = np.random.default_rng(seed)
    samples = np.stack([rng.beta(1 + c.conversions, 1 + c.units - c.conversions, size=draws) for c in counts])
    wins = np.bincount(samples.argmax(axis=0), minlength=len(counts))
    return [float(w) / draws for w in wins]


def prob_best_gamma(counts: Sequence[Counts], *, draws: int = DRAWS, seed: int = SEED) -> list[float]:
    """P(variant has the lowest CPL) = P(highest lead rate per unit of money) under
    Gamma(1 + leads, rate = spend) posteriors."""
    rng = np.random.default_rng(seed)
    samples = np.stack([rng.gamma(1 + c.conversions, 1 / c.spend, size=draws) for c in counts])
    wins = np.bincount(samples.argmax(axis=0), minlength=len(counts))
    return [float(w) / draws for w in wins]


def prob_b_beats_a_closed_form(a: Counts, b: Counts) -> float:
    """P(p_b > p_a) for two Beta posteriors in closed form (Evan Miller's sum); used to check the
    Monte Carlo estimate."""
    alpha_a, beta_a = 1 + a.conversions, 1 + a.units - a.conversions
    alpha_b, beta_b = 1 + b.conversions, 1 + b.units - b.conversions
    total = 0.0
    for i in range(alpha_b):
        total += math.exp(
            math.lgamma(alpha_a + i)
            + math.lgamma(beta_a + beta_b)
            + math.lgamma(1 + i + beta_b)
            + math.lgamma(alpha_a + beta_a)
            - math.log(beta_b + i)
            - math.lgamma(1 + i)
            - math.lgamma(alpha_a + i + beta_a + beta_b)
            - math.lgamma(beta_b)
            - math.lgamma(alpha_a)
            - math.lgamma(beta_a)
        )
    return total


def _rate(c: Counts) -> float | None:
    return c.conversions / c.units if c.units > 0 else None


def _cpl(c: Counts) -> float | None:
    return c.spend / c.conversions if c.conversions > 0 else None


def evaluate(*, metric: Metric, counts: Sequence[Counts], alpha: float, required: int) -> Evaluation:
    """Compares every challenger with the control (index 0) and decides the verdict.

    No peeking: before every variant reaches ``required`` (units, or leads for CPL) the verdict is
    ``collecting`` whatever the p-values say — the test was planned for a fixed sample and no
    sequential method is used. At the planned sample a challenger significantly better than the
    control wins (the best such one); a control significantly better than every challenger wins;
    anything else is ``inconclusive``.
    """
    if len(counts) < 2:
        raise ValueError("an A/B test compares at least two variants")
    alpha_each = alpha / (len(counts) - 1)
    control = counts[0]
    is_cpl = metric == Metric.CPL
    sampled = [c.conversions if is_cpl else c.units for c in counts]
    progress = min(sampled) / required if required > 0 else 0.0
    reached = required > 0 and min(sampled) >= required
    estimates = [(_cpl(c) if is_cpl else _rate(c)) for c in counts]
    compare = _cpl_vs if is_cpl else _proportion_vs
    comparisons: list[Comparison | None] = [None, *(compare(control, c, alpha_each) for c in counts[1:])]

    prob_best: list[float | None]
    if is_cpl:
        ok = all(c.spend > 0 for c in counts)
        prob_best = list(prob_best_gamma(counts)) if ok else [None] * len(counts)
    else:
        ok = all(0 <= c.conversions <= c.units and c.units > 0 for c in counts)
        prob_best = list(prob_best_beta(counts)) if ok else [None] * len(counts)

    verdict, winner = Verdict.COLLECTING, None
    if reached:
        better = [(i, cmp) for i, cmp in enumerate(comparisons) if cmp and cmp.significant and cmp.better]
        worse = [cmp for cmp in comparisons[1:] if cmp and cmp.significant and cmp.better is False]
        if better:
            verdict = Verdict.WINNER
            key = (lambda ic: -(estimates[ic[0]] or 0.0)) if is_cpl else (lambda ic: estimates[ic[0]] or 0.0)
            winner = max(better, key=key)[0]
        elif len(worse) == len(counts) - 1:
            verdict, winner = Verdict.WINNER, 0
        else:
            verdict = Verdict.INCONCLUSIVE
    return Evaluation(
        metric=metric,
        estimates=estimates,
        comparisons=comparisons,
        prob_best=prob_best,
        alpha_each=alpha_each,
        required=required,
        progress=min(progress, 1.0),
        sample_reached=reached,
        verdict=verdict,
        winner=winner,
    )


def _empty(estimate: float | None) -> Comparison:
    return Comparison(estimate, None, None, None, None, None, None, None, None, False, None)


def _proportion_vs(a: Counts, b: Counts, alpha: float) -> Comparison:
    # No rate without units; more conversions than units (e.g. a platform reporting more clicks
    # than impressions) is not a proportion: no test, shown as "—".
    if a.units <= 0 or b.units <= 0 or not (0 <= a.conversions <= a.units and 0 <= b.conversions <= b.units):
        return _empty(_rate(b))
    z, p = two_proportion_ztest(a.conversions, a.units, b.conversions, b.units)
    low, high = proportion_diff_interval(a.conversions, a.units, b.conversions, b.units, alpha=alpha)
    lift_ci = proportion_lift_interval(a.conversions, a.units, b.conversions, b.units, alpha=alpha)
    pa, pb = a.conversions / a.units, b.conversions / b.units
    return Comparison(
        estimate=pb,
        z=z,
        p_value=p,
        diff=pb - pa,
        diff_low=low,
        diff_high=high,
        lift=(pb / pa - 1) if pa > 0 else None,
        lift_low=lift_ci[0] if lift_ci else None,
        lift_high=lift_ci[1] if lift_ci else None,
        significant=p < alpha,
        better=pb > pa if pb != pa else None,
    )


def _cpl_vs(a: Counts, b: Counts, alpha: float) -> Comparison:
    if a.conversions <= 0 or b.conversions <= 0 or a.spend <= 0 or b.spend <= 0:
        return _empty(_cpl(b))
    z, p, ratio, low, high = cpl_comparison(a.conversions, a.spend, b.conversions, b.spend, alpha=alpha)
    cpl_a = a.spend / a.conversions
    return Comparison(
        estimate=b.spend / b.conversions,
        z=z,
        p_value=p,
        diff=cpl_a * (ratio - 1),
        diff_low=cpl_a * (low - 1),
        diff_high=cpl_a * (high - 1),
        lift=ratio - 1,
        lift_low=low - 1,
        lift_high=high - 1,
        significant=p < alpha,
        better=ratio < 1 if ratio != 1 else None,
    )
