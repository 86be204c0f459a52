"""Fairness metrics: fairlearn and scipy/statsmodels cross-checks, hand-worked examples, planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from asnsim.errors import InputError
from asnsim.metrics.fairness import (equal_opportunity, fairness, favouritism_premium, predikat_dominance,
                                     score_gaps, selection_rate, selection_rates, unit_context_penalty)

SB, B, BP = "Sangat Baik", "Baik", "Butuh Perbaikan"
# frozen literal data: 12 employees in three groups
PRED = [SB, B, B, B, SB, SB, B, BP, B, B, BP, SB]
GRP = ["F", "F", "F", "F", "M", "M", "M", "M", "X", "X", "X", "X"]


def _v(tab, metric, group="all"):
    hit = tab[(tab.metric == metric) & (tab.group == group)]
    assert len(hit) == 1, (metric, group)
    return float(hit.value.iloc[0])


def test_selection_rates_hand_worked():
    tab = selection_rates(PRED, GRP)
    # Sangat Baik: F 1/4, M 2/4, X 1/4 -> difference 0.25, ratio 0.5, flagged
    assert _v(tab, "share_sangat_baik", "F") == 0.25
    assert _v(tab, "share_sangat_baik", "M") == 0.5
    assert _v(tab, "share_sangat_baik", "all") == pytest.approx(4 / 12)
    assert _v(tab, "share_sangat_baik_difference") == pytest.approx(0.25)
    assert _v(tab, "share_sangat_baik_ratio") == pytest.approx(0.5)
    assert _v(tab, "share_sangat_baik_four_fifths_flag") == 1.0
    # at least Baik: F 1, M 3/4, X 3/4 -> ratio 0.75, flagged (below 0.8)
    assert _v(tab, "share_at_least_baik_ratio") == pytest.approx(0.75)
    assert _v(tab, "share_at_least_baik_four_fifths_flag") == 1.0
    m = selection_rate(PRED, GRP)
    assert (m.overall, m.difference(), m.ratio()) == (pytest.approx(1 / 3), pytest.approx(0.25), pytest.approx(0.5))
    assert list(m.n) == [4, 4, 4]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_selection_rates_equal_fairlearn(seed):
    fm = pytest.importorskip("fairlearn.metrics")
    rng = np.random.default_rng(seed)
    n = 300
    grp = rng.choice(["F", "M", "U"], size=n, p=[0.5, 0.4, 0.1])
    pred = np.array([SB, B, BP], dtype=object)[rng.choice(3, size=n, p=[0.2, 0.7, 0.1])]
    tab = selection_rates(pred, grp)
    for name, level in (("share_sangat_baik", {SB}), ("share_at_least_baik", {SB, B})):
        y_pred = np.isin(pred, list(level)).astype(int)
        y_true = np.zeros(n, dtype=int)
        assert _v(tab, f"{name}_difference") == pytest.approx(
            fm.demographic_parity_difference(y_true, y_pred, sensitive_features=grp), abs=1e-12)
        assert _v(tab, f"{name}_ratio") == pytest.approx(
            fm.demographic_parity_ratio(y_true, y_pred, sensitive_features=grp), abs=1e-12)


def test_bootstrap_intervals_are_reproducible_and_cover():
    a = selection_rates(PRED * 20, GRP * 20, n_boot=500, rng=np.random.default_rng(4))
    b = selection_rates(PRED * 20, GRP * 20, n_boot=500, rng=np.random.default_rng(4))
    pd.testing.assert_frame_equal(a, b)
    row = a[(a.metric == "share_sangat_baik") & (a.group == "M")].iloc[0]
    assert row.ci_low < 0.5 < row.ci_high
    with pytest.raises(TypeError, match="explicit numpy Generator"):
        selection_rates(PRED, GRP, n_boot=10)


def test_score_gaps_hand_worked_and_welch():
    # A: 1, 2, 3 (mean 2); B: 4, 5, 6 (mean 5); reference A: gap 3, Welch df 4
    score = [1, 2, 3, 4, 5, 6]
    grp = ["A", "A", "A", "B", "B", "B"]
    tab = score_gaps(score, grp, reference="A")
    row = tab[(tab.metric == "score_gap_raw") & (tab.group == "B")].iloc[0]
    assert row.value == pytest.approx(3.0)
    ci = stats.ttest_ind([4, 5, 6], [1, 2, 3], equal_var=False).confidence_interval()
    assert (row.ci_low, row.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert _v(tab, "score_gap_raw_std", "B") == pytest.approx(3.0 / np.std(score, ddof=1))
    assert _v(tab, "mean_score_difference") == pytest.approx(3.0)


def test_conditional_gap_removes_a_truth_difference_and_keeps_a_planted_bias():
    rng = np.random.default_rng(8)
    n = 2000
    grp = np.where(rng.random(n) < 0.5, "F", "M")
    truth = rng.normal(size=n) + np.where(grp == "F", 0.5, 0.0)   # F truly better on average
    score = 50 + 10 * truth - 2.0 * (grp == "F") + rng.normal(size=n)  # and marked down by 2 points
    tab = score_gaps(score, grp, truth, reference="M")
    assert _v(tab, "score_gap_raw", "F") == pytest.approx(5 - 2, abs=0.8)
    assert _v(tab, "score_gap_conditional", "F") == pytest.approx(-2.0, abs=0.15)
    # cross-check against statsmodels OLS
    import statsmodels.api as sm
    X = sm.add_constant(np.column_stack([truth - truth.mean(), (grp == "F").astype(float)]))
    fit = sm.OLS(score, X).fit()
    row = tab[(tab.metric == "score_gap_conditional") & (tab.group == "F")].iloc[0]
    assert row.value == pytest.approx(fit.params[2], abs=1e-9)
    lo, hi = fit.conf_int()[2]
    assert (row.ci_low, row.ci_high) == (pytest.approx(lo, abs=1e-9), pytest.approx(hi, abs=1e-9))
    assert _v(tab, "mean_score_adjusted", "M") == pytest.approx(fit.params[0], abs=1e-9)


def test_favouritism_premium_and_unit_context_penalty_cross_checked():
    import statsmodels.api as sm
    rng = np.random.default_rng(9)
    n = 1500
    truth, close = rng.normal(size=n), (rng.random(n) < 0.2).astype(float)
    ctx = np.repeat(rng.normal(size=50), n // 50)
    score = truth + 0.4 * close + 0.3 * ctx + 0.5 * rng.normal(size=n)
    z = (score - score.mean()) / score.std(ddof=1)
    for fn, x in ((favouritism_premium, close), (unit_context_penalty, ctx)):
        row = fn(score, x, truth).iloc[0]
        fit = sm.OLS(z, sm.add_constant(np.column_stack([truth, x]))).fit()
        assert row.value == pytest.approx(fit.params[2], abs=1e-9)
        assert row.ci_low == pytest.approx(fit.conf_int()[2][0], abs=1e-9)
    assert np.isnan(unit_context_penalty(score, np.zeros(n), truth).value.iloc[0])


def test_equal_opportunity_hand_worked():
    # 10 employees, the truly top 20% are ids 0 and 1 (truth 10, 9); 0 is F and got SB, 1 is M and got Baik
    truth = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    grp = ["F", "M", "F", "M", "F", "M", "F", "M", "F", "M"]
    pred = [SB, B, SB, SB, B, B, B, B, B, B]
    tab = equal_opportunity(pred, truth, grp, top_share=0.2)
    assert _v(tab, "equal_opportunity", "F") == 1.0
    assert _v(tab, "equal_opportunity", "M") == 0.0
    assert _v(tab, "equal_opportunity") == 0.5
    assert _v(tab, "equal_opportunity_difference") == 1.0


def test_predikat_dominance_equals_mann_whitney():
    rng = np.random.default_rng(12)
    levels = np.array(["Sangat Kurang", "Kurang/Misconduct", BP, B, SB], dtype=object)
    a = rng.choice(5, size=80, p=[0.05, 0.05, 0.1, 0.6, 0.2])
    b = rng.choice(5, size=120, p=[0.05, 0.1, 0.15, 0.6, 0.1])
    pred = levels[np.concatenate([a, b])]
    grp = ["A"] * 80 + ["B"] * 120
    tab = predikat_dominance(pred, grp, reference="B", n_boot=300, rng=1)
    u = stats.mannwhitneyu(a, b).statistic
    row = tab[tab.metric == "predikat_dominance"].iloc[0]
    assert row.group == "A"
    assert row.value == pytest.approx(2 * u / (80 * 120) - 1, abs=1e-12)
    assert row.ci_low < row.value < row.ci_high
    assert _v(tab, "share_predikat", f"A:{SB}") == pytest.approx((a == 4).mean())


def test_conditional_dominance_credits_truth_not_bias():
    rng = np.random.default_rng(13)
    n = 4000
    grp = np.where(rng.random(n) < 0.5, "F", "M")
    truth = rng.normal(size=n) + np.where(grp == "F", 0.6, 0.0)
    pred = np.where(truth > 1.2, SB, np.where(truth > -1.0, B, BP))  # a function of truth only
    tab = predikat_dominance(pred, grp, truth, reference="M", strata=20)
    assert _v(tab, "predikat_dominance", "F") > 0.15
    assert abs(_v(tab, "predikat_dominance_conditional", "F")) < 0.03


def test_fairness_table_on_a_simulation_and_errors(small_round):
    sim = small_round
    tab = fairness(sim.scores, sim.employees, "position_class", n_boot=100, rng=np.random.default_rng(0))
    assert list(tab.columns) == ["metric", "group", "value", "ci_low", "ci_high"]
    again = fairness(sim.scores, sim.employees, "position_class", n_boot=100, rng=np.random.default_rng(0))
    pd.testing.assert_frame_equal(tab, again)
    groups = set(sim.employees.position_class)
    assert set(tab.loc[tab.metric == "share_sangat_baik", "group"]) == groups | {"all"}
    with pytest.raises(InputError, match="column 'nope'"):
        fairness(sim.scores, sim.employees, "nope")
    bad = sim.scores.assign(predikat="Luar Biasa")
    with pytest.raises(InputError, match="unknown predikat 'Luar Biasa'"):
        fairness(bad, sim.employees, "sex")


def test_favouritism_premium_hand_worked():
    # score = truth + 1 * close exactly; score values 0,1,2,3,1,2,3,4: mean 2, SS 12, SD sqrt(12/7)
    # so the premium in final-score SD units is 1 / sqrt(12/7) = 0.7638, with no residual error
    truth = np.array([0, 1, 2, 3, 0, 1, 2, 3], float)
    close = np.array([0, 0, 0, 0, 1, 1, 1, 1], float)
    row = favouritism_premium(truth + close, close, truth).iloc[0]
    assert row.value == pytest.approx(1 / np.sqrt(12 / 7), abs=1e-12)
    assert row.ci_low == pytest.approx(row.value, abs=1e-9) and row.ci_high == pytest.approx(row.value, abs=1e-9)
    # the same numbers read as a unit context: units one unit of context apart differ by 0.7638 SD
    assert unit_context_penalty(truth + close, close, truth).value.iloc[0] == pytest.approx(0.7638, abs=1e-4)
