"""The explorer's search on toy problems with known answers: hypervolume vs exhaustive enumeration,
reproducibility, resuming an interrupted study, and bad storage named before any work."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from asnsim.errors import AsnsimError, DesignError
from asnsim.explore import explore, parse_objectives
from asnsim.explore.pareto import hypervolume, nondominated, reference_point
from asnsim.explore.toy import ToyAppraisal, ToyBiObjective

TOY = ToyAppraisal()
OBJECTIVES = parse_objectives("objectivity,burden,fairness_gap", TOY.DIRECTIONS)
REPS = 8


def test_known_answer_hypervolume_vs_exhaustive():
    """>= 95% of the exhaustive front's hypervolume with <= 30% of its evaluations (true, noise-free values)."""
    space = TOY.space()
    grid = space.grid()
    exhaustive = TOY.true_losses(grid)
    ref = reference_point(exhaustive)
    hv_exhaustive = hypervolume(exhaustive[nondominated(exhaustive)], ref)
    res = explore(space, OBJECTIVES, TOY, budget=96, reps=REPS, seed=1, population_size=16)
    found = TOY.true_losses(res.pareto[list(space.keys)].to_dict("records"))
    share_hv = hypervolume(found, ref) / hv_exhaustive
    share_evals = res.evaluations / (len(grid) * REPS)
    assert share_hv >= 0.95, share_hv
    assert share_evals <= 0.30, share_evals
    assert len(res.trials) == 96 and res.evaluations == res.evaluations_total
    # racing spent few replicates on clearly dominated designs and all of them near the front
    raced = res.trials[res.trials["raced_out"]]
    assert len(raced) > 0 and (raced["evaluations"] < REPS).all() and (raced["n_reps"] == 2).mean() > 0.5
    assert (res.pareto["n_reps"] == REPS).all()  # the front is judged on the same replicates
    # estimates carry Monte Carlo SEs; burden is exact, so its SE is 0
    assert (res.pareto["objectivity_mcse"] > 0).all() and (res.pareto["burden_mcse"] == 0).all()


def test_noisy_schaffer_front_lies_on_the_pareto_set():
    toy = ToyBiObjective()
    res = explore(["x=-1.0:3.0"], parse_objectives("f1,f2", toy.DIRECTIONS), toy, budget=48, reps=8, seed=3,
                  population_size=12)
    x = res.pareto["x"].to_numpy()
    assert len(x) >= 5 and np.all((x > -0.15) & (x < 2.15)), sorted(x)
    assert x.min() < 0.5 and x.max() > 1.5  # spread along the front, not one corner


def test_same_seed_same_trials_other_seed_other_trials():
    kw = dict(budget=24, reps=4, population_size=8)
    a = explore(TOY.space(), OBJECTIVES, TOY, seed=7, **kw).trials
    b = explore(TOY.space(), OBJECTIVES, TOY, seed=7, **kw).trials
    c = explore(TOY.space(), OBJECTIVES, TOY, seed=8, **kw).trials
    pd.testing.assert_frame_equal(a, b)
    assert not a[list(TOY.space().keys)].equals(c[list(TOY.space().keys)])


@dataclasses.dataclass(frozen=True)
class Interrupting:
    """The toy, but Ctrl-C arrives on the ``after``-th call (as a user interrupting a long study)."""

    toy: ToyAppraisal
    after: int
    calls: list = dataclasses.field(default_factory=list, compare=False)

    def describe(self) -> str:
        return self.toy.describe()  # the same command: the study must be found again

    def __call__(self, design, replicates, world=None):
        self.calls.append(1)
        if len(self.calls) == self.after:
            raise KeyboardInterrupt
        return self.toy(design, replicates, world)


def test_interrupted_study_resumes_to_the_same_result(tmp_path):
    kw = dict(budget=18, reps=4, seed=2, population_size=6)
    whole = explore(TOY.space(), OBJECTIVES, TOY, storage=tmp_path / "explore.db", study_name="whole", **kw)
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C in the second generation
        explore(TOY.space(), OBJECTIVES, Interrupting(TOY, after=16), out=tmp_path, **kw)
    resumed = explore(TOY.space(), OBJECTIVES, TOY, out=tmp_path, **kw)
    assert resumed.evaluations < whole.evaluations  # the first generation was kept, not run again
    pd.testing.assert_frame_equal(resumed.trials, whole.trials)
    pd.testing.assert_frame_equal(resumed.pareto, whole.pareto)
    again = explore(TOY.space(), OBJECTIVES, TOY, out=tmp_path, **kw)  # nothing left to do
    assert again.evaluations == 0 and len(again.trials) == 18
    more = explore(TOY.space(), OBJECTIVES, TOY, out=tmp_path, **{**kw, "budget": 24})
    assert len(more.trials) == 24 and more.trials.iloc[:18].equals(whole.trials)


def test_a_different_command_does_not_mix_with_a_study(tmp_path):
    kw = dict(budget=8, reps=2, seed=1, population_size=4, out=tmp_path)
    a = explore(TOY.space(), OBJECTIVES, TOY, **kw)
    b = explore(TOY.space(), OBJECTIVES, TOY, **{**kw, "seed": 2})  # another study in the same file
    assert a.study_name != b.study_name and len(b.trials) == 8
    with pytest.raises(AsnsimError, match="made by a different command"):
        explore(TOY.space(), OBJECTIVES, TOY, **{**kw, "seed": 3}, study_name=a.study_name)


class Never:
    def __call__(self, *a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("evaluated before the storage was checked")


@pytest.mark.parametrize("storage, words", [
    ("postgresql://asnsim:secret@127.0.0.1:1/study", ["--storage", "postgresql://asnsim:***@127.0.0.1:1/study",
                                                      "cannot open"]),
    ("sqlite:////no/such/folder/x.db", ["--storage", "does not exist"]),
    ("mysql+nodriver://h/db", ["--storage", "sqlite:///"]),
])
def test_bad_storage_fails_before_any_work(storage, words):
    with pytest.raises(AsnsimError) as err:
        explore(TOY.space(), OBJECTIVES, Never(), budget=4, reps=2, storage=storage)
    assert all(w in str(err.value) for w in words) and "secret" not in str(err.value)


@pytest.mark.parametrize("kw, words", [
    (dict(budget=0), "--budget"), (dict(reps=0), "--reps"), (dict(reps=4, min_reps=1), "--min-reps"),
    (dict(population_size=1), "--population"), (dict(seed=-1), "--seed"),
])
def test_bad_settings(kw, words):
    with pytest.raises(DesignError, match=words):
        explore(TOY.space(), OBJECTIVES, Never(), **{"budget": 4, "reps": 2, **kw})


@dataclasses.dataclass(frozen=True)
class NoPeersNoAgreement:
    """Agreement between raters is undefined without peers: those designs are infeasible, not crashes."""

    def describe(self) -> str:
        return "NoPeersNoAgreement"

    def __call__(self, design, replicates, world=None):
        t = TOY(design, replicates, world)
        if design["peers"] == 0:
            t["objectivity"] = np.nan
        return t


def test_designs_with_undefined_objectives_are_infeasible():
    res = explore(TOY.space(), OBJECTIVES, NoPeersNoAgreement(), budget=24, reps=2, population_size=8)
    bad = res.trials[res.trials["status"] == "infeasible"]
    assert len(bad) > 0 and (bad["peers"] == 0).all() and bad["objectivity"].isna().all()
    assert (res.pareto["peers"] > 0).all() and len(res.trials) == 24


def test_results_do_not_depend_on_which_worker_finishes_first():
    """Jobs finish out of order on a pool; tables, verdicts and the study are the same as in one process."""
    from asnsim.explore.study import Search, Settings, load_study, study_spec
    from asnsim.explore.tables import trial_table

    settings = Settings(budget=16, reps=4, seed=5, population_size=8)
    one = explore(TOY.space(), OBJECTIVES, TOY, budget=16, reps=4, seed=5, population_size=8)
    study, backend = load_study("memory", study_spec(TOY.space(), OBJECTIVES, settings, TOY), 3)
    with ThreadPoolExecutor(3) as pool:
        Search(study, backend, "memory", TOY.space(), OBJECTIVES, settings).run(Shuffled(), pool, slots=6)
    pd.testing.assert_frame_equal(trial_table(study, TOY.space(), OBJECTIVES)[0], one.trials)


class Shuffled:
    """The toy with a random delay per job, so that a pool finishes them in another order."""

    def __init__(self):
        self.rng = np.random.default_rng()

    def __call__(self, design, replicates, world=None):
        time.sleep(float(self.rng.uniform(0, 0.004)))
        return TOY(design, replicates, world)
