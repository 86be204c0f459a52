"""Objectivity, burden and stability: hand-worked literal examples and library cross-checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from asnsim import columns as C
from asnsim.metrics.burden import burden, rounds_per_year
from asnsim.metrics.objectivity import (objectivity, predikat_agreement, predikat_confusion, rank_correlations,
                                        sangat_baik_errors, standardized_error, topk_precision, truth_predikat)
from asnsim.metrics.stability import period_scores, stability
from asnsim.policy import Burden, Forum, load_policy

SB, B, BP, K = "Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct"


def test_truth_predikat_and_confusion_hand_worked():
    # observed: 1 SB, 2 Baik, 1 BP; the truly best gets SB, the next two Baik, the worst BP
    pred = [SB, B, B, BP]
    truth = [0.1, 2.0, -1.0, 0.5]   # true order: id1 > id3 > id0 > id2
    assert truth_predikat(pred, truth).tolist() == [3, 4, 2, 3]   # codes: 4 SB, 3 Baik, 2 BP
    conf = predikat_confusion(pred, truth)
    assert conf.loc[SB, B] == 1          # the truly best was only Baik
    assert conf.loc[B, SB] == 1          # a truly Baik employee got SB
    assert conf.loc[B, BP] == 1          # id3 is truly Baik but got BP
    assert conf.loc[BP, B] == 1          # the worst got Baik
    assert conf.to_numpy().sum() == 4 and np.trace(conf.to_numpy()) == 0
    agree, high, low = predikat_agreement(pred, truth)
    assert (agree, high, low) == (0.0, 0.5, 0.5)


def test_sangat_baik_errors_hand_worked():
    # 10 employees, truly top 20% = ids 0, 1; SB given to ids 0, 2, 3
    truth = np.arange(10, 0, -1.0)
    pred = [SB, B, SB, SB, B, B, B, B, B, B]
    given, denied = sangat_baik_errors(pred, truth, top_share=0.2)
    assert given == pytest.approx(2 / 3)   # ids 2 and 3 of the three SB are not truly top
    assert denied == pytest.approx(1 / 2)  # id 1 is truly top and denied
    assert np.isnan(sangat_baik_errors([B] * 10, truth, 0.2)[0])


def test_topk_precision_with_ties_hand_worked():
    # k = 2 of 4; score 3 is alone on top (truly top-2: yes), two tie at 2 for one place (one is truly top-2)
    assert topk_precision([3, 2, 2, 1], [4, 3, 1, 2], top_share=0.5) == pytest.approx(0.75)
    assert topk_precision([4, 3, 2, 1], [4, 3, 2, 1], top_share=0.5) == 1.0
    assert topk_precision([1, 2, 3, 4], [4, 3, 2, 1], top_share=0.5) == 0.0
    # all tied: expected precision is the share truly top among everyone = k/n
    assert topk_precision([1, 1, 1, 1, 1], [5, 4, 3, 2, 1], top_share=0.4) == pytest.approx(0.4)


def test_rank_correlations_equal_scipy_and_error_identity():
    rng = np.random.default_rng(1)
    t = rng.normal(size=200)
    s = np.round(t + rng.normal(size=200), 1)
    tab = rank_correlations(s, t).set_index("metric")
    assert tab.value["spearman"] == pytest.approx(stats.spearmanr(s, t).statistic, abs=1e-12)
    assert tab.value["kendall"] == pytest.approx(stats.kendalltau(s, t).statistic, abs=1e-12)
    assert (tab.ci_low < tab.value).all() and (tab.value < tab.ci_high).all()
    # Fisher z interval of Bonett-Wright by hand
    r = tab.value["spearman"]
    se = np.sqrt((1 + r**2 / 2) / 197)
    assert tab.ci_low["spearman"] == pytest.approx(np.tanh(np.arctanh(r) - 1.959964 * se), abs=1e-6)
    rmse, mae = standardized_error(s, t)
    r_p = np.corrcoef(s, t)[0, 1]
    assert rmse**2 == pytest.approx(2 * (1 - r_p) * 199 / 200, abs=1e-12)   # z with ddof=1, mean over n
    assert 0 < mae < rmse


def test_objectivity_of_a_perfect_and_a_random_design():
    n = 500
    rng = np.random.default_rng(2)
    truth = rng.normal(size=n)
    emp = pd.DataFrame({C.EMPLOYEE_ID: np.arange(n), C.TRUE_PERFORMANCE: truth})
    rank = stats.rankdata(-truth)
    pred = np.where(rank <= 50, SB, np.where(rank <= 450, B, BP))
    perfect = pd.DataFrame({C.EMPLOYEE_ID: np.arange(n), C.FINAL_SCORE: truth, C.PREDIKAT: pred})
    tab = objectivity(perfect, emp).set_index("metric").value
    assert tab["spearman"] == pytest.approx(1.0) and tab["kendall"] == pytest.approx(1.0)
    assert tab["topk_precision"] == 1.0 and tab["predikat_agreement"] == 1.0
    assert tab["share_sb_wrongly_given"] == 0.0 and tab["share_sb_wrongly_denied"] == 0.0
    shuffled = perfect.assign(**{C.FINAL_SCORE: rng.permutation(truth), C.PREDIKAT: rng.permutation(pred)})
    tab = objectivity(shuffled, emp).set_index("metric").value
    assert abs(tab["spearman"]) < 0.15
    assert tab["share_sb_wrongly_given"] > 0.75


def test_burden_hand_worked_with_forum_and_self_ratings():
    pol = load_policy("permenpan-6-2022")
    pol = pol.model_copy(update={"forum": Forum(enabled=True, frequency="semiannual"),
                                 "burden": Burden(minutes_per_rating=2, minutes_per_report=20, minutes_per_forum=15)})
    assert rounds_per_year(pol) == 5
    # ratees 1 and 2 each get 3 items from atasan 10; ratee 1 also rates themself on 3 items
    ratings = pd.DataFrame({
        C.RATEE_ID: [1, 1, 1, 2, 2, 2, 1, 1, 1], C.RATER_ID: [10] * 6 + [1, 1, 1],
        C.RATER_ROLE: [C.ATASAN] * 6 + [C.SELF] * 3, C.ITEM: list("abc") * 3, C.PERIOD: "annual",
        C.SCORE: 2.0})
    tab = burden(pol, ratings).set_index(["metric", "group"]).value
    # rater: 5 rounds * 6 ratings * 2 min + 2 forums * 2 pairs * 15 min = 120 min over 2 employees = 1 h
    assert tab["rater_hours", "all"] == pytest.approx(1.0)
    assert tab["rater_hours", C.ATASAN] == pytest.approx(0.5)
    # ratee: 5 * 20 min report + 5 * 3 * 2 / 2 self minutes + 2 * 15 forum minutes = 145 min
    assert tab["ratee_hours", "all"] == pytest.approx(145 / 60)
    assert tab["rater_hours", C.SELF] == pytest.approx(15 / 60)
    assert tab["total_hours", "all"] == pytest.approx(1 + 145 / 60)
    assert tab["rater_hours_max", "all"] == pytest.approx(5 * 6 * 2 / 60)
    assert tab["rater_hours", C.REKAN] == 0.0


def test_stability_hand_worked_and_annual_left_out():
    ps = pd.DataFrame({C.EMPLOYEE_ID: [1, 2, 3] * 4,
                       C.PERIOD: ["Q1"] * 3 + ["Q2"] * 3 + ["Q3"] * 3 + ["annual"] * 3,
                       C.FINAL_SCORE: [60, 50, 40, 70, 50, 40, 80, 40, 50, 1, 2, 3],
                       C.PREDIKAT: [B] * 6 + [SB, B, B] + [BP] * 3})
    tab = stability(ps).set_index(["metric", "group"]).value
    assert tab["predikat_flip_rate", "all"] == pytest.approx(1 / 6)
    assert tab["predikat_flip_rate", "Q2->Q3"] == pytest.approx(1 / 3)
    assert tab["period_rank_correlation", "Q1->Q2"] == pytest.approx(1.0)
    assert tab["period_rank_correlation", "Q2->Q3"] == pytest.approx(0.5)
    assert ("predikat_flip_rate", "Q3->annual") not in tab.index
    one = stability(ps[ps[C.PERIOD] == "Q1"])
    assert np.isnan(one.value).all()


def test_period_scores_on_a_two_period_simulation(small_round):
    from asnsim.scoring import score
    sim = small_round
    r1 = sim.ratings.copy()
    r2 = sim.ratings.copy()
    r1[C.PERIOD], r2[C.PERIOD] = "TW1", "TW2"
    r2[C.SCORE] = np.where(r2[C.RATEE_ID] % 2 == 0, 3.0, r2[C.SCORE])  # even ids rated top on every item in TW2
    ratings = pd.concat([r1, r2], ignore_index=True)
    ps = period_scores(sim.policy, ratings, sim.employees, sim.indicators)
    assert set(ps[C.PERIOD]) == {"TW1", "TW2"} and len(ps) == 2 * len(sim.employees)
    first = score(sim.policy, r1, sim.employees, sim.indicators).set_index(C.EMPLOYEE_ID)[C.PREDIKAT]
    tw1 = ps[ps[C.PERIOD] == "TW1"].set_index(C.EMPLOYEE_ID)[C.PREDIKAT]
    pd.testing.assert_series_equal(tw1, first, check_names=False)
    tw2 = ps[ps[C.PERIOD] == "TW2"].set_index(C.EMPLOYEE_ID)[C.PREDIKAT]
    even = first.index.to_numpy() % 2 == 0
    assert (tw2[even] == SB).all() and tw2[~even].equals(first[~even])
    tab = stability(ps).set_index(["metric", "group"]).value
    expected = (first[even] != SB).sum() / len(first)   # exactly the even ids not already Sangat Baik flip
    assert tab["predikat_flip_rate", "all"] == pytest.approx(expected)
