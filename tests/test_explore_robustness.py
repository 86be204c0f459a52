"""Robustness across a Latin-hypercube ensemble of worlds, scenario discovery with PRIM (cross-checked against
EMA workbench), and the exploration report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asnsim.errors import DesignError
from asnsim.explore import LeverSpace, Objective, explore, parse_objectives
from asnsim.explore.prim import Prim, quantile
from asnsim.explore.report import ReportInputs, render_report
from asnsim.explore.robustness import (Requirement, discover, evaluate_worlds, latin_hypercube, regret,
                                       robustness_table, world_estimates)
from asnsim.explore.toy import ToyAppraisal

TOY = ToyAppraisal()
OBJECTIVES = parse_objectives("objectivity,burden,fairness_gap", TOY.DIRECTIONS)
FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from make_prim_reference import data as prim_reference_data  # noqa: E402  (the data the reference was made on)

UNCERTAIN = LeverSpace.parse(["leniency=0.0:1.0", "favouritism=0.0:1.0"], "--uncertainty")


def test_latin_hypercube_uses_every_stratum_once():
    w = latin_hypercube(UNCERTAIN, 20, seed=3)
    assert w["world"].tolist()[:2] == ["W001", "W002"] and len(w) == 20
    for key in UNCERTAIN.keys:
        assert sorted(np.floor(w[key] * 20).astype(int)) == list(range(20))
    pd.testing.assert_frame_equal(w, latin_hypercube(UNCERTAIN, 20, seed=3))
    assert not w.equals(latin_hypercube(UNCERTAIN, 20, seed=4))
    scen = latin_hypercube(LeverSpace.parse(["scenario=default,lenient,strict"], "--uncertainty"), 9, seed=1)
    assert scen["scenario"].value_counts().tolist() == [3, 3, 3]  # several scenarios in equal shares
    with pytest.raises(DesignError, match="--worlds"):
        latin_hypercube(UNCERTAIN, 1, seed=1)


def test_regret_and_shares_by_hand():
    est = pd.DataFrame({"design": ["a", "b", "c"] * 2, "world": ["W1"] * 3 + ["W2"] * 3,
                        "acc": [0.8, 0.55, 0.7, 0.5, 0.7, 0.6], "hours": [3.0, 1.0, 2.0, 3.0, 1.0, 2.0]})
    objs = [Objective("acc", 1), Objective("hours", -1)]
    r = regret(est, objs)
    assert r[r.objective == "acc"]["regret"].round(6).tolist() == [0.0, 0.25, 0.1, 0.2, 0.0, 0.1]
    t = robustness_table(est, objs, [Requirement.parse("acc>=0.6"), Requirement.parse("hours<=2")])
    assert t["acc_max_regret"].round(6).tolist() == [0.2, 0.25, 0.1]  # c: the minimax-regret design
    assert t["acc_mean_regret"].round(6).tolist() == [0.1, 0.125, 0.1]
    assert t["acc_worst"].tolist() == [0.5, 0.55, 0.6] and t["hours_worst"].tolist() == [3.0, 1.0, 2.0]
    assert t["share_meeting"].tolist() == [0.0, 0.5, 1.0]
    assert t["share_meeting_se"].round(6).tolist() == [0.0, 0.353553, 0.0]
    with pytest.raises(DesignError, match="--require spearman: not an outcome"):
        robustness_table(est, objs, [Requirement.parse("spearman>=0.5")])


@pytest.fixture(scope="module")
def ensemble():
    res = explore(TOY.space(), OBJECTIVES, TOY, budget=48, reps=4, seed=1, population_size=12)
    front = pd.concat([res.pareto[res.pareto["method"] == m].head(3) for m in ("none", "standardize", "mixed")])
    designs = {r["design"]: {k: r[k] for k in res.space.keys} for _, r in front.iterrows()}
    worlds = latin_hypercube(UNCERTAIN, 30, seed=1)
    per = evaluate_worlds(designs, worlds, TOY, TOY.OUTCOMES, reps=2)
    return res, worlds, world_estimates(per, TOY.OUTCOMES)


def test_robustness_on_the_toy(ensemble):
    res, worlds, est = ensemble
    assert len(est) == est["design"].nunique() * 30
    # world estimates equal the truth plus the same common shocks for every design (common random numbers)
    row = est.iloc[0]
    d = res.pareto.set_index("design").loc[row["design"], list(res.space.keys)].to_dict()
    w = worlds.set_index("world").loc[row["world"]].to_dict()
    assert row["burden"] == pytest.approx(TOY.truth(d, w)["burden"])
    table = robustness_table(est, OBJECTIVES, [Requirement.parse("objectivity>=0.7")])
    # leniency hurts designs without correction three times as much as the mixed model: their regret is larger
    method = res.trials.set_index("design")["method"]
    mixed = table[table["design"].map(method) == "mixed"]["objectivity_max_regret"]
    none = table[table["design"].map(method) == "none"]["objectivity_max_regret"]
    assert len(mixed) and len(none) and none.min() > mixed.min()
    assert table["share_meeting"].between(0, 1).all()


def test_scenario_discovery_finds_the_planted_failure_region(ensemble):
    """objectivity falls with leniency (0.15 x leniency x method factor): failures sit at high leniency."""
    res, worlds, est = ensemble
    design = res.pareto[res.pareto["method"] == "none"]["design"].iloc[0]
    truth = est[est["design"] == design]["objectivity"]
    threshold = float(truth.median())
    prim, share = discover(worlds, est, design, [Requirement.parse(f"objectivity>={threshold}")])
    assert share == pytest.approx(0.5, abs=0.04)
    box = prim.box_table()
    assert box["uncertainty"].tolist() == ["leniency"] and box["lower"].iloc[0] > 0.3
    assert box["density"].iloc[0] >= 0.8 and box["coverage"].iloc[0] >= 0.6
    never, share0 = discover(worlds, est, design, [Requirement.parse("burden<=100")])
    assert never is None and share0 == 0.0
    with pytest.raises(DesignError, match="--discover D999"):
        discover(worlds, est, "D999", [Requirement.parse("burden<=100")])


def test_prim_matches_ema_workbench():
    """Same peeling and pasting trajectory, box limits and quasi p-values as ema_workbench.analysis.prim
    (its output on this data frozen in tests/fixtures/prim_ema_reference.json by make_prim_reference.py)."""
    ref = json.loads((FIXTURES / "prim_ema_reference.json").read_text())
    mine = Prim(*prim_reference_data())
    np.testing.assert_allclose(mine.trajectory[["coverage", "density", "mass", "res_dim"]].to_numpy(float),
                               np.array(ref["trajectory"]), rtol=1e-12)
    last = len(mine.boxes) - 1
    np.testing.assert_allclose(mine.boxes[last].lower, ref["lower"], rtol=1e-12)
    np.testing.assert_allclose(mine.boxes[last].upper, ref["upper"], rtol=1e-12)
    qp = mine.box_table(last).set_index("uncertainty")[["qp_lower", "qp_upper"]]
    assert sorted(qp.index) == sorted(ref["quasi_p"])
    for name, values in ref["quasi_p"].items():
        np.testing.assert_allclose(qp.loc[name].to_numpy(float), [np.nan if v is None else v for v in values],
                                   rtol=1e-9)


def test_prim_categorical_and_bad_input():
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"scenario": rng.choice(["default", "lenient", "strict"], 600), "halo": rng.random(600)})
    y = (x.scenario == "lenient").to_numpy() & (rng.random(600) < 0.9)
    box = Prim(x, y).box_table()
    assert box.set_index("uncertainty").loc["scenario", "categories"] == "lenient"
    assert quantile(np.array([1.0, 1.0, 1.0, 2.0]), 0.05) == 1.5  # ties stepped over, as sdtoolkit does
    with pytest.raises(DesignError, match="one value per world"):
        Prim(x, y[:10])


def test_report_in_english_and_indonesian(ensemble):
    res, worlds, est = ensemble
    reqs = [Requirement.parse("objectivity>=0.7")]
    table = robustness_table(est, OBJECTIVES, reqs)
    design = table["design"].iloc[0]
    prim, share = discover(worlds, est, design, reqs)
    inputs = ReportInputs(res.trials, res.pareto, OBJECTIVES, res.space.describe(), 4, {"seed": 1}, table,
                          [str(r) for r in reqs], 30, {"design": design, "prim": prim, "fail_share": share})
    en, id_ = render_report(inputs), render_report(inputs, lang="id")
    assert en.count("<img") >= 3 and "Pareto front" in en and "closer to 0 is better" in en
    best = res.pareto.loc[res.pareto["objectivity"].idxmax(), "design"]
    assert f"Best on objectivity: {best}" in en
    assert "Terbaik untuk objectivity" in id_ and "makin dekat ke 0 makin baik" in id_ and "lang='id'" in id_
