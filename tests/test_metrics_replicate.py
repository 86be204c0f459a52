"""replicate_metrics: fixed shape for every policy and scenario, planted effects recovered."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.metrics import replicate_metrics
from asnsim.outcomes import ROW_ORDER, replicate_outcomes
from asnsim.pipeline import predikat_distribution, simulate


@pytest.fixture(scope="module")
def sim_default():
    return simulate("permenpan-6-2022", n=1500, seed=3, scenario="default")


@pytest.fixture(scope="module")
def sim_neutral():
    return simulate("permenpan-6-2022", n=1500, seed=3, scenario="neutral")


def _v(tab, metric, group="all"):
    hit = tab[(tab.metric == metric) & (tab.group == group)]
    assert len(hit) == 1, (metric, group)
    return float(hit.value.iloc[0])


def test_shape_is_fixed_across_scenarios(sim_default, sim_neutral):
    a, b = replicate_metrics(sim_default), replicate_metrics(sim_neutral)
    assert list(a.columns) == ["metric", "group", "value"]
    assert len(a) == len(ROW_ORDER)   # every built-in outcome, one row each (a new one joins ROW_ORDER)
    assert a[["metric", "group"]].equals(b[["metric", "group"]])
    assert list(zip(a.metric, a.group)) == [o.key for o in replicate_outcomes()] == list(ROW_ORDER)
    assert list(a.loc[a.metric == "share_predikat", "group"]) == list(C.PREDIKAT_ORDER)
    assert a.value.dtype == float


def test_values_match_direct_computation(sim_default):
    tab = replicate_metrics(sim_default)
    dist = predikat_distribution(sim_default.scores)["share"]
    for level in C.PREDIKAT_ORDER:
        assert _v(tab, "share_predikat", level) == pytest.approx(dist[level])
    m = sim_default.scores.merge(sim_default.employees, on=C.EMPLOYEE_ID)
    from scipy import stats
    assert _v(tab, "spearman") == pytest.approx(stats.spearmanr(m.final_score, m.true_performance).statistic)
    # 4 quarters + annual, 11 items rated by the atasan at 2 minutes, a 20-minute report
    assert _v(tab, "rater_hours") == pytest.approx(5 * 11 * 2 / 60)
    assert _v(tab, "ratee_hours") == pytest.approx(5 * 20 / 60)
    # only the atasan rates and only one period: agreement and stability do not apply
    for name in ("icc1", "krippendorff_alpha_interval", "predikat_flip_rate", "period_rank_correlation"):
        assert np.isnan(_v(tab, name))


def test_planted_favouritism_is_recovered(sim_default, sim_neutral):
    # default scenario: close ratees gain 0.4 latent SD; neutral: no favouritism
    fav_default = _v(replicate_metrics(sim_default), "favouritism_premium")
    fav_neutral = _v(replicate_metrics(sim_neutral), "favouritism_premium")
    assert 0.2 < fav_default < 0.6
    assert abs(fav_neutral) < 0.12
    # unit context does not vary in the neutral scenario
    assert np.isnan(_v(replicate_metrics(sim_neutral), "unit_context_penalty"))


def _two_raters_two_periods(sim, second_scores):
    r1 = sim.ratings.copy()
    r2 = r1.copy()
    r2[C.RATER_ID] = r2[C.RATER_ID] + 100_000
    r2[C.RATER_ROLE] = C.REKAN
    r2[C.SCORE] = second_scores
    parts = []
    for p, frame in (("TW1", pd.concat([r1, r2])), ("TW2", pd.concat([r2, r1]))):
        f = frame.copy()
        f[C.PERIOD] = p
        parts.append(f)
    out = pd.concat(parts, ignore_index=True)
    for c in (C.RATER_ROLE, C.ITEM, C.PERIOD, C.COMPONENT):
        out[c] = out[c].astype(str).astype("category")
    return out


def test_agreement_and_stability_when_they_apply(sim_neutral):
    import copy
    sim = copy.copy(sim_neutral)
    # a second rater who agrees perfectly: ICC and alpha are 1; both periods score alike
    sim.ratings = _two_raters_two_periods(sim_neutral, sim_neutral.ratings[C.SCORE].to_numpy())
    tab = replicate_metrics(sim)
    assert _v(tab, "icc1") == pytest.approx(1.0)
    assert _v(tab, "krippendorff_alpha_interval") == pytest.approx(1.0)
    assert _v(tab, "predikat_flip_rate") == 0.0
    assert _v(tab, "period_rank_correlation") == pytest.approx(1.0)
    # a second rater who scores at random: agreement near 0
    rng = np.random.default_rng(0)
    sim.ratings = _two_raters_two_periods(sim_neutral, rng.permutation(sim_neutral.ratings[C.SCORE].to_numpy()))
    tab = replicate_metrics(sim)
    assert abs(_v(tab, "icc1")) < 0.05
    assert abs(_v(tab, "krippendorff_alpha_ordinal")) < 0.05
    # the two periods pool the same ratings in the same way, so per-period scores agree
    assert _v(tab, "predikat_flip_rate") == 0.0
    assert _v(tab, "rater_hours") == pytest.approx(2 * 5 * 11 * 2 / 60)


def test_stability_rows_from_a_simulation_with_every_period():
    sim = simulate("permenpan-6-2022", n=400, seed=2, periods="all")
    assert sim.ratings[C.PERIOD].nunique() > 2
    tab = replicate_metrics(sim)
    flip, rho = _v(tab, "predikat_flip_rate"), _v(tab, "period_rank_correlation")
    assert 0.0 < flip < 0.5 and 0.0 < rho < 1.0
    # burden counts the same rounds whether one or every period was simulated
    annual = replicate_metrics(simulate("permenpan-6-2022", n=400, seed=2))
    assert _v(tab, "rater_hours") == pytest.approx(_v(annual, "rater_hours"))
