"""Verdicts: the best policy or the set that cannot be separated, on constructed results with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim.experiment.summary import paired_differences, summarize
from asnsim.experiment.verdict import GAP_COLUMNS, VERDICT_COLUMNS, best_sets, leader_gaps, verdict_table


def _gaps(rows, metric="spearman", group="all", scenario="s") -> pd.DataFrame:
    """rows: (policy, estimate, worse_by, mcse, ci_low, ci_high), leader first."""
    leader, lead_est = rows[0][0], rows[0][1]
    return pd.DataFrame([(scenario, metric, group, p, leader, e, lead_est, w, m, lo, hi, 20)
                         for p, e, w, m, lo, hi in rows], columns=GAP_COLUMNS)


def _summary(estimates: dict[str, float], metric="spearman", group="all", scenario="s",
             extra: list[tuple[str, str, str, float]] = ()) -> pd.DataFrame:
    rows = [(scenario, p, metric, group, e) for p, e in estimates.items()]
    rows += [(scenario, p, m, g, e) for p, m, g, e in extra]
    return pd.DataFrame(rows, columns=["scenario", "policy", "metric", "group", "estimate"])


def _one(summary, gaps, metric="spearman", group="all", lang="en") -> pd.Series:
    v = verdict_table(summary, gaps, lang, metrics=((metric, group),))
    assert list(v.columns) == VERDICT_COLUMNS and len(v) == 1
    return v.iloc[0]


def test_clear_winner_names_the_runner_up_and_the_size_of_the_lead():
    g = _gaps([("a", 0.80, 0.0, 0.0, 0.0, 0.0), ("b", 0.70, 0.10, 0.01, 0.08, 0.12),
               ("c", 0.60, 0.20, 0.01, 0.18, 0.22)])
    v = _one(_summary({"a": 0.8, "b": 0.7, "c": 0.6}), g)
    assert (v.status, v.best, v.n_best, v.leader, v.runner_up) == ("clear", "a", 1, "a", "b")
    assert v.margin == pytest.approx(0.10) and (v.margin_ci_low, v.margin_ci_high) == (0.08, 0.12)
    assert v.sentence == ("Objectivity, rank correlation with true performance (higher is better): a is best "
                          "(0.800); the closest one clearly behind, b (0.700), is 0.100 lower (95% interval of "
                          "the gap 0.080 to 0.120).")


def test_equal_values_are_a_tie_not_a_win():
    g = _gaps([("a", 0.25, 0.0, 0.0, 0.0, 0.0), ("b", 0.25, 0.0, 0.0, 0.0, 0.0),
               ("c", 0.30, 0.05, 0.0, 0.05, 0.05)], metric="rater_hours")
    v = _one(_summary({"a": 0.25, "b": 0.25, "c": 0.3}, "rater_hours"), g, "rater_hours")
    assert (v.status, v.best, v.runner_up) == ("tie", "a; b", "c")
    assert "a and b tie for best (0.25 each)" in v.sentence
    assert "the next, c (0.30), is 0.05 higher in every replicate" in v.sentence
    assert "lower is better" in v.sentence and "hours per employee-year" in v.sentence


def test_overlapping_paired_interval_joins_the_best_set():
    g = _gaps([("a", 0.80, 0.0, 0.0, 0.0, 0.0), ("b", 0.79, 0.01, 0.01, -0.01, 0.03),
               ("c", 0.70, 0.10, 0.02, 0.05, 0.15)])
    v = _one(_summary({"a": 0.8, "b": 0.79, "c": 0.7}), g)
    assert (v.status, v.best, v.n_best, v.runner_up) == ("inseparable", "a; b", 2, "c")
    assert "a and b cannot be separated (0.790 to 0.800)" in v.sentence


def test_no_policy_stands_out_when_every_interval_overlaps():
    g = _gaps([("a", 0.01, 0.0, 0.0, 0.0, 0.0), ("b", -0.02, 0.01, 0.01, -0.01, 0.03),
               ("c", 0.03, 0.02, 0.02, -0.02, 0.06)], metric="favouritism_premium")
    v = _one(_summary({"a": 0.01, "b": -0.02, "c": 0.03}, "favouritism_premium"), g, "favouritism_premium")
    assert v.status == "inseparable" and v.n_best == 3 and pd.isna(v.runner_up)
    assert "no policy stands out: all 3 lie between -0.020 and 0.030" in v.sentence
    assert "closer to 0 is better" in v.sentence and "score SD" in v.sentence


def test_tiny_share_of_sangat_baik_is_warned_about():
    g = _gaps([("saw", 0.15, 0.0, 0.0, 0.0, 0.0), ("b", 0.40, 0.25, 0.02, 0.21, 0.29)],
              metric="share_sb_wrongly_given")
    s = _summary({"saw": 0.15, "b": 0.40}, "share_sb_wrongly_given",
                 extra=[("saw", "share_predikat", "Sangat Baik", 0.008), ("b", "share_predikat", "Sangat Baik", 0.1)])
    v = _one(s, g, "share_sb_wrongly_given")
    assert v.status == "clear" and v.best == "saw"
    assert v.warning == ("Caution: under saw (0.8%), fewer than 2% of employees are rated Sangat Baik, so this "
                         "outcome rests on very few people there.")
    assert v.sentence.endswith(v.warning)
    assert "is 25.0 percentage points higher" in v.sentence  # shares: the gap in percentage points
    # a best set resting on enough people: no warning
    s2 = s.assign(estimate=np.where(s["metric"] == "share_predikat", 0.11, s["estimate"]))
    assert _one(s2, g, "share_sb_wrongly_given").warning == ""


def test_not_applicable_policies_are_counted_and_a_lone_value_is_not_a_win():
    g = _gaps([("b", 0.4, 0.0, 0.0, 0.0, 0.0)], metric="icc1")
    v = _one(_summary({"a": np.nan, "b": 0.4}, "icc1"), g, "icc1")
    assert (v.status, v.best, v.not_applicable) == ("single", "b", 1)
    assert v.sentence.endswith("only b has a value (0.400). Not applicable to 1 policies (needs two or more raters "
                               "per ratee).")
    none = _one(_summary({"a": np.nan}, "icc1"), _gaps([("b", 0.4, 0, 0, 0, 0)], "icc1").iloc[:0], "icc1")
    assert none.status == "not applicable" and none.best == ""


def test_indonesian_sentences_use_decimal_commas():
    g = _gaps([("a", 0.80, 0.0, 0.0, 0.0, 0.0), ("b", 0.70, 0.10, 0.01, 0.08, 0.12)])
    v = _one(_summary({"a": 0.8, "b": 0.7}), g, lang="id")
    assert v.sentence == ("Objektivitas, korelasi peringkat dengan kinerja sebenarnya (makin tinggi makin baik): "
                          "a terbaik (0,800); kebijakan berikutnya yang jelas tertinggal, b (0,700), 0,100 lebih "
                          "rendah (interval 95% selisihnya 0,080 s.d. 0,120).")


# ------------------------------------------------------------------ from replicates

def _rep(values: dict[str, list[float]], metric: str, group: str = "all") -> pd.DataFrame:
    rows = [("s", p, r, metric, group, v) for p, vals in values.items() for r, v in enumerate(vals)]
    return pd.DataFrame(rows, columns=["scenario", "policy", "replicate", "metric", "group", "value"])


def test_leader_gaps_are_paired_differences_on_the_better_is_smaller_scale():
    rng = np.random.default_rng(5)
    base = rng.normal(0.7, 0.05, 20)
    vals = {"a": base, "b": base + 0.05 + rng.normal(0, 0.01, 20), "c": base - 0.2 + rng.normal(0, 0.01, 20)}
    rep = _rep({k: list(v) for k, v in vals.items()}, "spearman")
    g = leader_gaps(rep, metrics=(("spearman", "all"),)).set_index("policy")
    assert set(g["leader"]) == {"b"} and g.loc["b", "worse_by"] == 0.0
    pd_ = paired_differences(rep, reference="b").set_index("policy")
    for p in ("a", "c"):  # higher is better: the gap is minus (policy - leader), same MCSE and interval width
        assert g.loc[p, "worse_by"] == pytest.approx(-pd_.loc[p, "difference"])
        assert g.loc[p, "mcse"] == pytest.approx(pd_.loc[p, "mcse"])
        assert g.loc[p, "ci_low"] == pytest.approx(-pd_.loc[p, "ci_high"])


def test_closer_to_zero_compares_distances_from_zero_whatever_the_sign():
    rep = _rep({"a": [-0.31, -0.29, -0.30], "b": [0.11, 0.09, 0.10], "c": [0.12, 0.08, 0.10]},
               "favouritism_premium")
    g = leader_gaps(rep, metrics=(("favouritism_premium", "all"),)).set_index("policy")
    assert g.loc["a", "leader"] == "b" and g.loc["a", "worse_by"] == pytest.approx(0.2)
    assert g.loc["a", "mcse"] == pytest.approx(0.0, abs=1e-12)
    v = verdict_table(summarize(rep), leader_gaps(rep, (("favouritism_premium", "all"),)),
                      metrics=(("favouritism_premium", "all"),)).iloc[0]
    assert v.status == "inseparable" and v.best == "b; c" and v.runner_up == "a"  # c: same mean, noisier


def test_identical_replicates_tie_and_a_policy_without_values_is_left_out():
    rep = _rep({"x": [np.nan] * 3, "a": [2.0] * 3, "b": [2.0] * 3, "c": [3.0, 3.1, 2.9]}, "rater_hours")
    m = (("rater_hours", "all"),)
    v = verdict_table(summarize(rep), leader_gaps(rep, m), metrics=m).iloc[0]
    assert (v.status, v.best, v.runner_up, v.not_applicable) == ("tie", "a; b", "c", 1)
    assert best_sets(verdict_table(summarize(rep), leader_gaps(rep, m), metrics=m)) == {("s", "rater_hours",
                                                                                           "all"): {"a", "b"}}


def test_thirty_policies_one_clear_winner_among_an_inseparable_crowd():
    rng = np.random.default_rng(11)
    common = rng.normal(0, 0.05, 10)  # common random numbers: the same world in every policy
    vals = {f"p{i:02d}": list(0.5 + common + rng.normal(0, 0.002, 10)) for i in range(29)}
    vals["best"] = list(0.6 + common + rng.normal(0, 0.002, 10))
    rep = _rep(vals, "spearman")
    m = (("spearman", "all"),)
    v = verdict_table(summarize(rep), leader_gaps(rep, m), metrics=m).iloc[0]
    assert (v.status, v.best) == ("clear", "best")
    assert v.margin == pytest.approx(0.1, abs=0.01)
    assert v.margin_ci_low > 0.09  # pairing removes the common spread (SD 0.05) from the comparison
