"""Running designs: common random numbers, worker-count independence, resuming, loading."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from asnsim.errors import AsnsimError
from asnsim.experiment import load_results, make_design, run_experiment
from asnsim.experiment.runner import base_manifest, make_tasks, run_task
from asnsim.experiment.store import REPLICATE_COLUMNS, ChunkStore, partial_dir
from asnsim.pipeline import simulate
from asnsim.policy import load_policy

BASE = "permenpan-6-2022"


def _twin(tmp_path, minutes: float):
    """The base policy with a different report time: only the burden metrics may differ."""
    f = tmp_path / f"twin{minutes:g}.toml"
    f.write_text(f'extends = "{BASE}"\nname = "twin-{minutes:g}"\ntitle = "twin"\n'
                 f"[burden]\nminutes_per_report = {minutes}\n", encoding="utf-8")
    return str(f)


def test_common_random_numbers_make_policy_differences_exact(tmp_path):
    d = make_design([BASE, _twin(tmp_path, 90.0)], n=120, reps=3, scenarios="default")
    res = run_experiment(d, progress=False)
    p = res.paired.dropna(subset=["difference"])
    burden = p["metric"].isin(["rater_hours", "ratee_hours"])
    # same population, raters and noise in every replicate: everything but burden is identical
    assert (p.loc[~burden, "difference"] == 0).all() and (p.loc[~burden, "mcse"] == 0).all()
    assert (p.loc[p.metric == "ratee_hours", "difference"] > 0).all()
    assert len(res.replicates) == 2 * 3 * res.replicates.groupby(["policy", "replicate"]).size().iloc[0]


def test_replicates_and_scenarios_draw_independent_streams():
    d = make_design(BASE, n=150, reps=2, scenarios="default")
    t0, t1 = make_tasks(d)
    a, b = run_task(t0), run_task(t1)
    assert list(a.columns) == REPLICATE_COLUMNS
    assert not np.allclose(a["value"].fillna(0), b["value"].fillna(0))
    # the same replicate of a second scenario gets other draws, unless streams are common
    two = make_design(BASE, n=150, reps=1, scenarios=["neutral", "default"])
    common = make_design(BASE, n=150, reps=1, scenarios=["neutral", "default"], common_scenario_streams=True)
    assert make_tasks(two)[1].stream == 1 and make_tasks(common)[1].stream == 0
    e1 = simulate(BASE, n=150, seed=1, scenario="neutral", scenario_index=0).employees
    e2 = simulate(BASE, n=150, seed=1, scenario="neutral", scenario_index=1).employees
    assert not np.allclose(e1["true_performance"], e2["true_performance"])


def test_summary_identical_for_1_2_workers_and_dask(tmp_path):
    distributed = pytest.importorskip("distributed")
    d = make_design([BASE, _twin(tmp_path, 60.0)], n=60, reps=3, seed=11, scenarios="default")
    outs = {}
    run_experiment(d, tmp_path / "w1", workers=1, progress=False, report=False)
    run_experiment(d, tmp_path / "w2", workers=2, progress=False, report=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        run_experiment(d, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False, report=False)
    for name in ("w1", "w2", "dask"):
        outs[name] = (tmp_path / name / "summary.csv").read_bytes()
        assert (tmp_path / name / "paired.csv").read_bytes() == (tmp_path / "w1" / "paired.csv").read_bytes()
    assert outs["w1"] == outs["w2"] == outs["dask"]
    assert len(outs["w1"].splitlines()) > 40
    first = outs["w1"].split(b"\n")[1].split(b",")
    assert first[2] == b"spearman" and float(first[4]) > 0.3  # a real estimate, not an empty table
    man = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert man["execution"]["scheduler"].startswith("tcp://")


_CALLS = {"n": 0}


def _metrics_then_fail(sim):
    """Real metrics for the first 4 simulations (2 tasks of 2 policies), then a failure."""
    from asnsim.metrics import replicate_metrics
    _CALLS["n"] += 1
    if _CALLS["n"] > 4:
        raise AsnsimError("planted interruption")
    return replicate_metrics(sim)


def test_interrupted_run_resumes_and_matches_a_fresh_run(tmp_path):
    d = make_design([BASE, _twin(tmp_path, 45.0)], n=60, reps=4, seed=3, scenarios="neutral")
    out = tmp_path / "out"
    _CALLS["n"] = 0
    with pytest.raises(AsnsimError, match="planted interruption"):
        run_experiment(d, out, progress=False, report=False, metrics=_metrics_then_fail)
    assert not out.exists()  # nothing final written
    store = ChunkStore(partial_dir(out))
    assert store.done() == {(0, 0), (0, 1)}
    partial = load_results(out)  # notebooks can look at an unfinished run
    assert not partial.complete and set(partial.replicates["replicate"]) == {0, 1}
    assert json.loads((store.path / "manifest.json").read_text())["design_hash"] == d.hash()

    res = run_experiment(d, out, progress=False, report=False)
    assert res.manifest["execution"]["tasks_resumed"] == 2 and res.manifest["execution"]["tasks_run"] == 2
    assert not store.path.exists()
    fresh = run_experiment(d, tmp_path / "fresh", progress=False, report=False)
    pd.testing.assert_frame_equal(res.replicates, fresh.replicates)
    assert (out / "summary.csv").read_bytes() == (tmp_path / "fresh" / "summary.csv").read_bytes()

    loaded = load_results(out)
    assert loaded.complete
    pd.testing.assert_frame_equal(loaded.replicates, fresh.replicates)
    pd.testing.assert_frame_equal(loaded.summary, fresh.summary, check_dtype=False)


def test_a_different_design_is_not_mixed_into_an_unfinished_run(tmp_path):
    out = tmp_path / "out"
    d1 = make_design(BASE, n=60, reps=2, seed=1, scenarios="neutral")
    store = ChunkStore(partial_dir(out))
    store.open({"design_hash": "something else", "asnsim_version": "0"})
    with pytest.raises(AsnsimError, match="--restart"):
        run_experiment(d1, out, progress=False, report=False)
    res = run_experiment(d1, out, progress=False, report=False, restart=True)
    assert res.manifest["design_hash"] == d1.hash()
    # the same design run by other code (an edited install) is refused too
    other_code = {**base_manifest(d1), "code_sha256": "0" * 64}
    ChunkStore(partial_dir(out)).open(other_code)
    with pytest.raises(AsnsimError, match="different asnsim code"):
        run_experiment(d1, out, progress=False, report=False)


def test_load_results_without_results(tmp_path):
    with pytest.raises(AsnsimError, match="no replicates.parquet"):
        load_results(tmp_path)


def test_manifest_records_provenance(tmp_path):
    d = make_design(BASE, n=60, reps=2, seed=5, scenarios="neutral", sweeps=["rater.favouritism=0,0.3"])
    run_experiment(d, tmp_path / "o", progress=False, report=False)
    man = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert man["seed"] == 5 and man["design"]["reps"] == 2 and man["design"]["n"] == 60
    assert man["design"]["policies"][0]["sha256"] == load_policy(BASE).content_hash()
    assert [s["overrides"] for s in man["design"]["scenarios"]] == [{"rater.favouritism": 0},
                                                                    {"rater.favouritism": 0.3}]
    assert man["asnsim_version"] and man["execution"]["tasks"] == 4
    rep = pd.read_parquet(tmp_path / "o" / "replicates.parquet")
    assert list(rep.columns) == REPLICATE_COLUMNS and rep["replicate"].nunique() == 2


def test_periods_all_gives_stability_metrics():
    res = run_experiment(make_design(BASE, n=120, reps=2, periods="all"), progress=False)
    s = res.summary.set_index("metric")
    assert 0 < s.loc["predikat_flip_rate", "estimate"] < 1
    assert 0 < s.loc["period_rank_correlation", "estimate"] <= 1
    annual = run_experiment(make_design(BASE, n=120, reps=2), progress=False).summary.set_index("metric")
    assert annual.loc["predikat_flip_rate", "n_reps"] == 0  # one round: nothing to compare


def test_paired_scenarios_with_common_streams(tmp_path):
    d = make_design(BASE, n=150, reps=4, scenarios="neutral", sweeps=["rater.favouritism=0,0.5"],
                    common_scenario_streams=True)
    res = run_experiment(d, tmp_path / "o", progress=False, report=False)
    p = res.paired_scenarios.set_index("metric")
    assert p.loc["favouritism_premium", "scenario"] == "neutral[rater.favouritism=0.5]"
    assert p.loc["favouritism_premium", "reference_scenario"] == "neutral[rater.favouritism=0]"
    assert p.loc["favouritism_premium", "difference"] > 5 * p.loc["favouritism_premium", "mcse"] > 0
    assert p.loc["rater_hours", "difference"] == 0  # same raters in both worlds
    # the same people and raters in both worlds: pairing makes the contrast more precise
    assert p.loc["favouritism_premium", "mcse"] < p.loc["favouritism_premium", "mcse_unpaired"]
    loaded = load_results(tmp_path / "o")
    assert loaded.paired_scenarios is not None and len(loaded.paired_scenarios) == len(res.paired_scenarios)
    # independent streams: no scenario pairing is claimed
    plain = run_experiment(make_design(BASE, n=60, reps=1, scenarios="neutral,default"), progress=False)
    assert plain.paired_scenarios is None
