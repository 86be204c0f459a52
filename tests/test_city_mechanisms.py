"""Each city model's distinctive mechanism (shared/DOMAIN.md s.3) changes outcomes, in the expected direction.

Every test plants one mechanism and compares two runs on the same population, raters and noise (common random
numbers): the city with the mechanism on and the same city with it off (or the national regime it extends), so the
difference is the mechanism's effect and nothing else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from asnsim import columns as C
from asnsim.metrics import replicate_metrics
from asnsim.pipeline import simulate
from asnsim.population import ANNUAL_GROWTH_SHARE
from asnsim.scenario import correlation_matrix

N = 2000


def _policy(tmp_path, name: str, body: str) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def _metric(sim, name: str) -> float:
    tab = replicate_metrics(sim)
    return float(tab.loc[tab.metric == name, "value"].iloc[0])


# ------------------------------------------------------------------ Gayungan (seed 001): feedback and training

def test_gayungan_feedback_and_training_raise_true_performance(tmp_path):
    off = _policy(tmp_path, "gayungan-off", 'name = "gayungan-off"\nextends = "gayungan"\ntitle = "no feedback"\n'
                                            '[feedback]\nenabled = false\ntraining = false\n')
    on = simulate("gayungan", n=N, seed=5, scenario="default")
    without = simulate(off, n=N, seed=5, scenario="default")
    emp = on.employees
    # the gain: (13/24) (feedback 0.10 + training 0.15 [true_results < 0]) / sqrt(1'R1), per employee
    below = emp[C.TRUE_RESULTS].to_numpy() < 0
    weight = 1 / np.sqrt(correlation_matrix(on.scenario.population.component_corr).sum())
    expected = ANNUAL_GROWTH_SHARE * (0.10 + 0.15 * below) * weight
    np.testing.assert_allclose(emp[C.TRUE_PERFORMANCE] - emp[C.TRUE_PERFORMANCE_START], expected, atol=1e-12)
    gain, gain_off = _metric(on, "true_performance_gain"), _metric(without, "true_performance_gain")
    assert gain == pytest.approx(expected.mean(), abs=1e-12) and 0.025 < gain < 0.04
    assert gain_off == 0.0
    np.testing.assert_array_equal(without.employees[C.TRUE_PERFORMANCE], emp[C.TRUE_PERFORMANCE_START])
    # raters see the grown results: hasil kerja ratings and the Sangat Baik share rise
    res = lambda s: s.ratings.loc[s.ratings[C.COMPONENT] == "hasil_kerja", C.SCORE].mean()  # noqa: E731
    assert res(on) > res(without) + 0.02
    assert (on.scores[C.PREDIKAT] == C.SANGAT_BAIK).mean() > (without.scores[C.PREDIKAT] == C.SANGAT_BAIK).mean()
    # objectivity is measured against the truth at the time of rating (the grown truth), not the start
    m = on.scores.merge(emp, on=C.EMPLOYEE_ID)
    assert _metric(on, "spearman") == pytest.approx(stats.spearmanr(m[C.FINAL_SCORE], m[C.TRUE_PERFORMANCE]).statistic)
    assert _metric(on, "spearman") != stats.spearmanr(m[C.FINAL_SCORE], m[C.TRUE_PERFORMANCE_START]).statistic


def test_true_performance_gain_is_ranked_higher_is_better():
    from asnsim.experiment import make_design, run_experiment

    res = run_experiment(make_design(["permenpan-6-2022", "gayungan"], n=300, reps=3, scenarios="default"),
                         progress=False)
    rank = res.ranking[res.ranking.metric == "true_performance_gain"].set_index("policy")
    assert set(rank.direction) == {"higher is better"}
    assert rank.at["gayungan", "mean_rank"] == 1 and rank.at["gayungan", "p_best"] == 1
    assert rank.at["permenpan-6-2022", "mean_rank"] == 2
    est = res.summary[res.summary.metric == "true_performance_gain"].set_index("policy").estimate
    assert est["permenpan-6-2022"] == 0 and est["gayungan"] > 0.02
    assert "true perf. gain" in res.headline().columns
