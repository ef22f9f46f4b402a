"""A/B statistics against scipy/statsmodels on the same data, and the textbook sample size."""

import math

import pytest
from scipy import stats as st
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest
from statsmodels.stats.rates import confint_poisson_2indep
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep_test

from abtests import stats
from abtests.stats import Counts, Metric, Verdict

CASES = [(120, 4000, 156, 4000), (37, 1500, 31, 1480), (900, 30000, 1010, 30500)]


@pytest.mark.parametrize(("x_a", "n_a", "x_b", "n_b"), CASES)
def test_z_and_p_value_equal_statsmodels(x_a, n_a, x_b, n_b):
    z, p = stats.two_proportion_ztest(x_a, n_a, x_b, n_b)
    z_ref, p_ref = proportions_ztest([x_b, x_a], [n_b, n_a])
    assert z == pytest.approx(z_ref, rel=1e-9)
    assert p == pytest.approx(p_ref, rel=1e-9)


@pytest.mark.parametrize(("x_a", "n_a", "x_b", "n_b"), CASES)
@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.025])
def test_intervals_equal_statsmodels(x_a, n_a, x_b, n_b, alpha):
    low, high = stats.proportion_diff_interval(x_a, n_a, x_b, n_b, alpha=alpha)
    ref = confint_proportions_2indep(x_b, n_b, x_a, n_a, method="wald", compare="diff", alpha=alpha)
    assert (low, high) == pytest.approx(ref, rel=1e-9)
    lift_low, lift_high = stats.proportion_lift_interval(x_a, n_a, x_b, n_b, alpha=alpha)
    r_low, r_high = confint_proportions_2indep(x_b, n_b, x_a, n_a, method="log", compare="ratio", alpha=alpha)
    assert (lift_low, lift_high) == pytest.approx((r_low - 1, r_high - 1), rel=1e-9)


@pytest.mark.parametrize(
    ("leads_a", "spend_a", "leads_b", "spend_b"), [(40, 60000.0, 58, 61000.0), (12, 9000.0, 9, 9100.0)]
)
def test_cpl_delta_method_equals_statsmodels_poisson_ratio(leads_a, spend_a, leads_b, spend_b):
    z, p, ratio, low, high = stats.cpl_comparison(leads_a, spend_a, leads_b, spend_b, alpha=0.05)
    # The lead-rate ratio (leads per rouble) a / b is CPL_b / CPL_a.
    rate_test = poisson_2indep_test(leads_a, spend_a, leads_b, spend_b, method="wald-log")
    r_low, r_high = confint_poisson_2indep(leads_a, spend_a, leads_b, spend_b, method="wald-log", compare="ratio")
    assert p == pytest.approx(rate_test.pvalue, rel=1e-9)
    assert abs(z) == pytest.approx(abs(rate_test.statistic), rel=1e-9)
    assert ratio == pytest.approx(rate_test.ratio, rel=1e-12)
    assert (low, high) == pytest.approx((r_low, r_high), rel=1e-9)


def test_sample_size_equals_textbook_value():
    # Fleiss (1981), two-sided α = 0.05, power 0.80, p1 = 0.10 → p2 = 0.15: 686 per group
    # (the normal approximation without continuity correction).
    assert stats.proportion_sample_size(baseline=0.10, mde=0.5, alpha=0.05, power=0.8) == 686


@pytest.mark.parametrize(("baseline", "mde"), [(0.02, 0.2), (0.10, 0.5), (0.05, 0.1), (0.3, 0.15)])
def test_sample_size_agrees_with_statsmodels_normal_ind_power(baseline, mde):
    n = stats.proportion_sample_size(baseline=baseline, mde=mde, alpha=0.05, power=0.8)
    h = proportion_effectsize(baseline * (1 + mde), baseline)
    n_ref = NormalIndPower().solve_power(h, alpha=0.05, power=0.8, ratio=1)
    # Cohen's h (arcsine) and the two-proportion formula are two normal approximations: within 2 %.
    assert n == pytest.approx(n_ref, rel=0.02)


def test_cpl_sample_size_and_duration():
    leads = stats.cpl_sample_size(mde=0.2, alpha=0.05, power=0.8)
    assert leads == math.ceil(2 * (st.norm.ppf(0.975) + st.norm.ppf(0.8)) ** 2 / math.log(0.8) ** 2) == 316
    assert stats.duration_days(per_variant=686, variants=2, daily_traffic=100) == 14
    assert stats.duration_days(per_variant=686, variants=2, daily_traffic=None) is None


def test_probability_to_be_best_matches_closed_form_and_is_reproducible():
    a, b = Counts(4000, 120), Counts(4000, 156)
    mc = stats.prob_best_beta([a, b])
    assert mc[1] == pytest.approx(stats.prob_b_beats_a_closed_form(a, b), abs=0.003)
    assert sum(mc) == pytest.approx(1.0)
    assert stats.prob_best_beta([a, b]) == mc  # fixed seed


def test_no_winner_before_the_planned_sample_even_when_significant():
    counts = [Counts(2000, 40), Counts(2000, 90)]
    assert stats.two_proportion_ztest(40, 2000, 90, 2000)[1] < 0.001
    early = stats.evaluate(metric=Metric.CTR, counts=counts, alpha=0.05, required=5000)
    assert early.verdict == Verdict.COLLECTING
    assert early.winner is None
    assert early.progress == pytest.approx(0.4)
    late = stats.evaluate(metric=Metric.CTR, counts=[Counts(5000, 100), Counts(5000, 225)], alpha=0.05, required=5000)
    assert late.verdict == Verdict.WINNER
    assert late.winner == 1


def test_inconclusive_at_the_planned_sample():
    ev = stats.evaluate(metric=Metric.CTR, counts=[Counts(5000, 150), Counts(5000, 160)], alpha=0.05, required=5000)
    assert ev.sample_reached
    assert ev.verdict == Verdict.INCONCLUSIVE
    assert ev.winner is None
    assert ev.comparisons[1].lift_low < 0 < ev.comparisons[1].lift_high


def test_control_wins_when_every_challenger_is_significantly_worse():
    ev = stats.evaluate(metric=Metric.CTR, counts=[Counts(5000, 250), Counts(5000, 150)], alpha=0.05, required=5000)
    assert (ev.verdict, ev.winner) == (Verdict.WINNER, 0)


def test_cpl_lower_is_better_and_bonferroni_for_three_variants():
    counts = [Counts(0, 300, 600000.0), Counts(0, 420, 600000.0), Counts(0, 310, 600000.0)]
    ev = stats.evaluate(metric=Metric.CPL, counts=counts, alpha=0.05, required=300)
    assert ev.alpha_each == pytest.approx(0.025)
    assert ev.verdict == Verdict.WINNER
    assert ev.winner == 1
    assert ev.estimates[1] == pytest.approx(600000 / 420)
    assert ev.prob_best[1] > 0.95


def test_invalid_plans_are_refused():
    with pytest.raises(ValueError):
        stats.proportion_sample_size(baseline=0.6, mde=1.0, alpha=0.05, power=0.8)
    with pytest.raises(ValueError):
        stats.proportion_sample_size(baseline=0.0, mde=0.1, alpha=0.05, power=0.8)
    with pytest.raises(ValueError):
        stats.evaluate(metric=Metric.CTR, counts=[Counts(1, 1)], alpha=0.05, required=1)


def test_counts_that_are_not_proportions_give_no_test_rather_than_an_error():
    ev = stats.evaluate(metric=Metric.CTR, counts=[Counts(100, 120), Counts(100, 10)], alpha=0.05, required=50)
    assert ev.comparisons[1].p_value is None
    assert ev.prob_best == [None, None]
    assert ev.verdict == Verdict.INCONCLUSIVE
