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
    assert res(on) > res(without) + 0.01
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
    assert "true perf. gain ↑" in res.headline().columns


def _scenario(tmp_path, name: str, body: str) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nextends = "neutral"\ntitle = "{name}"\n{body}', encoding="utf-8")
    return str(path)


def _above(sim) -> float:
    return float((sim.scores[C.RATING_RESULTS] == C.RATING_LEVELS[2]).mean())


# ------------------------------------------------------------------ Salatiga (seed 000): self-reported achievements

def test_salatiga_unverified_self_reports_inflate_hasil_kerja(tmp_path):
    inflated = _scenario(tmp_path, "self-report", "[indicators]\nself_report_inflation = 0.3\nself_report_sd = 0.1\n")
    effect = {}
    for share in (1.0, 0.5, 0.0):
        pol = _policy(tmp_path, f"salatiga-{share:g}", f'name = "s{share:g}"\nextends = "salatiga"\ntitle = "t"\n'
                                                        f"[components.hasil_kerja]\nverified_share = {share}\n")
        honest, claimed = (simulate(pol, n=N, seed=3, scenario=s) for s in ("neutral", inflated))
        effect[share] = (claimed.scores[C.FINAL_SCORE].mean() - honest.scores[C.FINAL_SCORE].mean(),
                         _above(claimed) - _above(honest))
        if share == 1.0:  # every report verified: the inflation never reaches a score
            pd.testing.assert_frame_equal(claimed.scores, honest.scores)
    # the less is verified, the more the self-reports inflate the score and the share Di Atas
    assert effect[1.0] == (0.0, 0.0)
    assert 2.0 < effect[0.5][0] < effect[0.0][0] and 0.1 < effect[0.5][1] < effect[0.0][1]


# ------------------------------------------------------------------ Serang (seed 002): activity logs and the forum

def test_serang_log_gaming_inflates_results_and_costs_objectivity(tmp_path):
    gaming = _scenario(tmp_path, "log-gaming", "[indicators]\ngaming = 0.4\ngaming_sd = 0.2\n")
    honest, gamed = (simulate("serang", n=N, seed=1, scenario=s) for s in ("neutral", gaming))
    ind = gamed.indicators
    assert (ind["fx_gaming"] >= 0).all() and ind["fx_gaming"].mean() > 1
    # logged volume inflates the work plan's capaian about 40%, the final score and the share Di Atas
    ratio = gamed.scores["score_rencana_kerja"].mean() / honest.scores["score_rencana_kerja"].mean()
    assert 1.3 < ratio < 1.5
    assert gamed.scores[C.FINAL_SCORE].mean() > honest.scores[C.FINAL_SCORE].mean() + 8
    assert _above(gamed) > _above(honest) + 0.03
    # gaming differs between people, so the scores track true performance less well
    assert _metric(gamed, "spearman") < _metric(honest, "spearman") - 0.02
    # logging costs time: 3 rounds x 20-minute reports + 2 forums x 20 minutes + 224 working days x 10 minutes
    assert _metric(honest, "ratee_hours") == pytest.approx((3 * 20 + 2 * 20 + 224 * 10) / 60)
    # the national regime keeps no activity logs: the same gaming world leaves its scores untouched
    national = [simulate("permenpan-6-2022", n=N, seed=1, scenario=s).scores for s in ("neutral", gaming)]
    pd.testing.assert_frame_equal(*national)


def test_serang_forum_pulls_peer_ratings_toward_the_superior(tmp_path):
    forum = _scenario(tmp_path, "conformity", "[rater]\nleniency_sd = 0.5\nconformity = 0.6\n")
    loose = _scenario(tmp_path, "no-conformity", "[rater]\nleniency_sd = 0.5\nconformity = 0.0\n")

    def gap(sim):  # mean |peer rating - superior rating| on the same ratee and item
        r = sim.ratings[sim.ratings[C.COMPONENT] == "hasil_kerja"]
        sup = r[r[C.RATER_ROLE] == C.ATASAN].set_index([C.RATEE_ID, C.ITEM])[C.SCORE]
        peers = r[r[C.RATER_ROLE] == C.REKAN]
        superior = sup.reindex(pd.MultiIndex.from_frame(peers[[C.RATEE_ID, C.ITEM]])).to_numpy()
        return float(np.abs(peers[C.SCORE].to_numpy() - superior).mean())

    assert gap(simulate("serang", n=N, seed=2, scenario=forum)) < gap(simulate("serang", n=N, seed=2, scenario=loose)) - 0.05


# ------------------------------------------------------------------ Sawahlunto (seed 003): competencies, co-worker ratings

def test_sawahlunto_peer_reciprocity_echoes_between_coworkers(tmp_path):
    mutual = _scenario(tmp_path, "reciprocity", "[rater]\nreciprocity = 0.5\n")

    def echo(sim):  # correlation of i's rating of j with j's rating of i, beyond their true levels
        r = sim.ratings[sim.ratings[C.RATER_ROLE] == C.REKAN]
        dev = r[C.SCORE] - (90 + 10 * r[C.TRUE_SCORE])  # the competency scale: centre 90, spread 10
        pair = dev.groupby([r[C.RATEE_ID], r[C.RATER_ID]]).mean()
        back = pair.reindex(pd.MultiIndex.from_arrays([pair.index.get_level_values(1), pair.index.get_level_values(0)]))
        return float(np.corrcoef(pair.to_numpy(), back.to_numpy())[0, 1])

    plain, echoed = (simulate("sawahlunto", n=N, seed=1, scenario=s) for s in ("neutral", mutual))
    assert abs(echo(plain)) < 0.05 and echo(echoed) > 0.6
    assert _metric(echoed, "icc1") < _metric(plain, "icc1") - 0.01     # raters of one ratee agree less
    # competencies are rated inputs: the final score follows the true competencies, which PP 30 does not rate
    comp = lambda s: stats.spearmanr(s.scores[C.FINAL_SCORE], s.employees[C.TRUE_TECHNICAL]).statistic  # noqa: E731
    assert comp(plain) > comp(simulate("pp-30-2019", n=N, seed=1, scenario="neutral")) + 0.05


# ------------------------------------------------------------------ Pontianak (seed 004): indicators first

def test_pontianak_indicators_first_cut_favouritism_but_carry_unit_context(tmp_path):
    context = _scenario(tmp_path, "unit-context", "[population]\nunit_context_sd = 0.5\n")
    fav = {p: _metric(simulate(p, n=N, seed=1, scenario="favouritism"), "favouritism_premium")
           for p in ("pontianak", "pp-30-2019")}
    ctx = {p: _metric(simulate(p, n=N, seed=1, scenario=context), "unit_context_penalty")
           for p in ("pontianak", "pp-30-2019")}
    # closeness to the superior buys less under 80% indicators than under PP 30's 70% SKP
    assert 0.1 < fav["pontianak"] < fav["pp-30-2019"] - 0.05
    # raw outcome data carry unit context unless adjusted: the penalty grows with the indicators' weight
    assert ctx["pontianak"] > 0.5 and ctx["pontianak"] > ctx["pp-30-2019"] + 0.01


def test_serang_hasil_kerja_counts_forum_and_logged_rhk_together():
    from asnsim.policy import load_policy
    from asnsim.scoring import score

    pol = load_policy("serang")
    forum = {1: [3, 3, 2, 2], 2: [1, 3, 3, 3], 3: [2, 2, 2, 2]}   # rhk_utama_1..3, rhk_tambahan_1 (atasan)
    logged = {1: [120, 130], 2: [120, 120], 3: [80, 85]}           # capaian of the two work-plan targets
    items = pol.components["hasil_kerja"].items
    ratings = pd.DataFrame([(e, 100 + e, C.ATASAN, it, "annual", float(s), "hasil_kerja")
                            for e, scores in forum.items() for it, s in zip(items, scores)] +
                           [(e, 100 + e, C.ATASAN, it, "annual", 2.0, "perilaku_kerja")
                            for e in forum for it in pol.components["perilaku_kerja"].items],
                           columns=[C.RATEE_ID, C.RATER_ID, C.RATER_ROLE, C.ITEM, C.PERIOD, C.SCORE, C.COMPONENT])
    targets = pol.components["rencana_kerja"].items
    indicators = pd.DataFrame([(e, t, "kuantitas", "S1", 10.0, c / 10) for e, caps in logged.items()
                               for t, c in zip(targets, caps)],
                              columns=[C.EMPLOYEE_ID, C.INDICATOR, C.ASPECT, C.PERIOD, C.TARGET, C.REALISASI])
    out = score(pol, ratings, pd.DataFrame({C.EMPLOYEE_ID: [1, 2, 3]}), indicators).set_index(C.EMPLOYEE_ID)
    # 1: above on 2 of 4 forum RHK (not a majority) + 2 of 2 logged -> 4 of 6 above, no utama below: Di Atas
    # 2: 5 of 6 above, but utama 1 is below: Sesuai.   3: 2 of 6 below (logged 80, 85 < 90): Sesuai
    assert out[C.RATING_RESULTS].tolist() == [C.RATING_LEVELS[2], C.RATING_LEVELS[1], C.RATING_LEVELS[1]]
    # the same forum ratings without the logged RHK (PermenPAN): employee 1 has no majority above
    national = score(load_policy("permenpan-6-2022"), ratings, pd.DataFrame({C.EMPLOYEE_ID: [1, 2, 3]}))
    assert national[C.RATING_RESULTS].iloc[0] == C.RATING_LEVELS[1]
    # the final score weighs the forum (0-100), perilaku (0-100) and the logged capaian: 0.25, 0.5, 0.25
    assert out.at[1, C.FINAL_SCORE] == pytest.approx(0.25 * 100 * (2.5 - 1) / 2 + 0.5 * 50 + 0.25 * 125)
