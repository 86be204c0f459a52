"""Multi-objective search of designs: an optuna study, raced replicates, resumable.

The search is optuna's NSGA-II (Deb et al. 2002) through its ask-and-tell
interface, one generation (``population_size`` designs) at a time:

1. ask a generation of designs (lever values), recorded in the storage as
   running trials;
2. race them (:func:`asnsim.explore.racing.race`): every design gets
   ``min_reps`` replicates, designs clearly dominated by one already known
   stop there, the others get more, up to ``reps``;
3. tell the storage each design's losses (the per-replicate outcomes are kept
   in the trial as a user attribute, so the storage holds everything).

A design asked twice (NSGA-II often revisits a point of a discrete space)
reuses the replicates it already has; only missing ones are run.

The sampler works on an in-memory mirror of the study's finished trials,
refreshed from the storage at every generation: optuna's samplers read the
whole study several times per ask, which costs database round trips in RDB
storage (430-600 ms per design in SQLite for 96 designs of the toy problem,
growing with the generation; 50-120 ms with the mirror, at load 5 on 2 cores).  The storage is written three times
per design (created, result, state).

Reproducibility: the sampler of each ask is seeded from (``seed``, the ask's
position in the study: designs finished or running before it), and its other
state (generations, parents) follows from the finished trials, so the same
command gives the same designs and values.  A study interrupted while
evaluating (Ctrl-C, a crash) resumes with the same designs and values as one
never interrupted: the interrupted generation's trials are marked failed and
left out, so the rerun asks the same designs again at the same positions.
With an SQLite file the storage belongs to one process at a time, and trials
left running by a killed process are failed on the next run; on a shared
PostgreSQL server running trials may belong to another machine and are left
alone (they count in the positions, so two machines never ask the same
designs; a study shared by machines is not reproducible bit for bit, and may
overshoot ``budget`` by a generation per machine).

References
----------
Deb, K., Pratap, A., Agarwal, S. & Meyarivan, T. (2002). A fast and elitist
multiobjective genetic algorithm: NSGA-II. *IEEE Trans. Evolutionary
Computation* 6:182-197.
Akiba, T., Sano, S., Yanase, T., Ohta, T. & Koyama, M. (2019). Optuna: a
next-generation hyperparameter optimization framework. *KDD* 2623-2631.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import AsnsimError, DesignError
from .evaluation import Evaluator, Job, check_outcomes, run_jobs
from .levers import LeverSpace, design_key
from .objectives import Objective, directions_of
from .racing import race, schedule
from .storage import MEMORY, open_storage, redact

#: user attributes of a trial: RESULT holds {OUTCOMES: per-replicate values, EVALUATIONS: replicates run,
#: RACED_OUT: stopped early}, written at once (one storage write per trial)
RESULT, OUTCOMES, EVALUATIONS, RACED_OUT, INFEASIBLE = "explore", "outcomes", "evaluations", "raced_out", \
    "infeasible"


@dataclass(frozen=True)
class Settings:
    """How a study searches and spends replicates.

    Parameters
    ----------
    budget : int
        Designs to evaluate in the study (all runs of the command together).
    reps : int
        Replicates of a design that races to the end (a design near the front).
    seed : int
        The one seed: sampler seeds derive from it.
    population_size : int, optional
        NSGA-II generation size; default ``max(8, min(50, budget // 5))``.
    min_reps : int
        Replicates every design gets (the first racing rung; at least 2 for an SE).
    z : float
        Monte Carlo SEs a difference must exceed to count in racing and separability.
    """

    budget: int
    reps: int
    seed: int = 1
    population_size: int | None = None
    min_reps: int = 2
    z: float = 2.0

    def __post_init__(self) -> None:
        if int(self.budget) < 1:
            raise DesignError(f"--budget must be at least 1, got {self.budget}")
        if int(self.seed) < 0:
            raise DesignError(f"--seed must be a non-negative integer, got {self.seed}")
        if self.population_size is not None and int(self.population_size) < 2:
            raise DesignError(f"--population must be at least 2, got {self.population_size}")
        if not self.z > 0:
            raise DesignError(f"z must be positive, got {self.z}")
        schedule(int(self.reps), min(int(self.min_reps), int(self.reps)))  # raises for bad --reps / --min-reps

    @property
    def population(self) -> int:
        return int(self.population_size or max(8, min(50, int(self.budget) // 5)))

    @property
    def rungs(self) -> list[int]:
        return schedule(int(self.reps), min(int(self.min_reps), int(self.reps)))


def study_spec(space: LeverSpace, objectives: Sequence[Objective], settings: Settings, evaluator: Any) -> dict:
    """What fixes a study's designs and values (the budget is left out: a rerun with more extends the study)."""
    describe = getattr(evaluator, "describe", None)
    return {
        "levers": space.describe(),
        "objectives": [[o.name, o.direction] for o in objectives],
        "reps": int(settings.reps), "min_reps": int(settings.min_reps), "z": float(settings.z),
        "population_size": settings.population, "seed": int(settings.seed),
        "evaluator": describe() if callable(describe) else repr(evaluator),
    }


def study_name_for(spec: dict) -> str:
    blob = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return "explore-" + hashlib.sha256(blob.encode()).hexdigest()[:16]


def _sampler(settings: Settings, position: int):
    import optuna

    seed = int(np.random.SeedSequence([int(settings.seed), int(position)]).generate_state(1)[0])
    return optuna.samplers.NSGAIISampler(population_size=settings.population, seed=seed)


@contextlib.contextmanager
def _quiet_optuna():
    import optuna

    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(level)


def load_study(url: str, spec: dict, n_objectives: int, study_name: str | None = None):
    """Create the study, or load it when it exists; a study made by a different command is an error.

    Returns
    -------
    (optuna.Study, optuna.storages.BaseStorage)
        The study and the storage it lives in.
    """
    import optuna

    backend = open_storage(url)
    name = study_name or study_name_for(spec)
    study = optuna.create_study(storage=backend, study_name=name, directions=["minimize"] * n_objectives,
                                load_if_exists=True, sampler=optuna.samplers.RandomSampler(seed=0))
    wanted = json.loads(json.dumps(spec, default=str))
    old = study.user_attrs.get("spec")
    if old is None:
        study.set_user_attr("spec", wanted)
    elif old != wanted:
        raise AsnsimError(f"--storage {redact(url)}: study {name!r} was made by a different command "
                          f"(levers, objectives, replicates or seed differ); use another --out or --storage")
    return study, backend


def _finished(t) -> bool:
    """A design that counts: complete, or infeasible (an objective undefined for it)."""
    from optuna.trial import TrialState

    return t.state == TrialState.COMPLETE or (t.state == TrialState.FAIL and INFEASIBLE in t.user_attrs)


@dataclass
class Asked:
    """A design of the current generation: its mirror trial, and its trial in the storage."""

    mirror: Any
    trial_id: int
    number: int
    params: dict


class Search:
    """One process's work on a study (see the module notes).

    Parameters
    ----------
    study, backend
        From :func:`load_study`.
    url : str
        The storage URL (SQLite and memory storages belong to one process).
    space, objectives, settings
        The levers, the objectives and :class:`Settings`.
    """

    def __init__(self, study, backend, url: str, space: LeverSpace, objectives: Sequence[Objective],
                 settings: Settings):
        import optuna

        self.study, self.backend, self.url = study, backend, url
        self.space, self.objectives, self.settings = space, tuple(objectives), settings
        self.study_id = backend.get_study_id_from_name(study.study_name)
        self.mirror = optuna.create_study(directions=["minimize"] * len(self.objectives))
        self.mirrored: set[int] = set()

    def fail_stale(self) -> None:
        """Fail trials a killed process left running (SQLite and memory: one process per storage)."""
        from optuna.trial import TrialState

        if not (self.url in MEMORY or self.url.startswith("sqlite")):
            return
        for t in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            self.study.tell(t.number, state=TrialState.FAIL, skip_if_finished=True)

    def _sync(self) -> list:
        """All trials of the study; finished ones not in the mirror yet are added to it, in number order."""
        trials = self.study.get_trials(deepcopy=False)
        for t in trials:
            if t.number not in self.mirrored and _finished(t):
                self.mirror.add_trial(t)
                self.mirrored.add(t.number)
        return trials

    def done(self) -> int:
        return sum(_finished(t) for t in self.study.get_trials(deepcopy=False))

    def ask(self) -> tuple[list[Asked], list]:
        """The next generation's designs (recorded as running), and the study's trials before it."""
        import optuna
        from optuna.trial import TrialState

        trials = self._sync()
        done = sum(_finished(t) for t in trials)
        left = int(self.settings.budget) - done
        if left <= 0:
            return [], trials
        position = done + sum(t.state == TrialState.RUNNING for t in trials)
        dists = self.space.distributions()
        batch = []
        for i in range(min(self.settings.population, left)):
            self.mirror.sampler = _sampler(self.settings, position + i)
            mt = self.mirror.ask(dists)
            frozen = self.mirror.get_trials(deepcopy=False)[mt.number]
            template = optuna.trial.create_trial(state=TrialState.RUNNING, params=frozen.params,
                                                 distributions=frozen.distributions,
                                                 system_attrs=frozen.system_attrs)
            trial_id = self.backend.create_new_trial(self.study_id, template_trial=template)
            batch.append(Asked(mt, trial_id, self.backend.get_trial_number_from_id(trial_id), dict(frozen.params)))
        return batch, trials

    def archive(self, trials: list) -> dict[tuple, np.ndarray]:
        """Per-replicate outcomes of every completed design (the one with most replicates per lever values)."""
        from optuna.trial import TrialState

        best: dict[tuple, np.ndarray] = {}
        for t in trials:
            if t.state != TrialState.COMPLETE:
                continue
            key = design_key(t.params, self.space.keys)
            values = np.asarray(t.user_attrs[RESULT][OUTCOMES], float)
            if key not in best or len(values) > len(best[key]):
                best[key] = values
        return best

    def run_generation(self, batch: list[Asked], trials: list, evaluator: Evaluator, executor=None,
                       slots: int = 1) -> int:
        """Race and tell one generation; return the replicates evaluated."""
        names = [o.name for o in self.objectives]
        archive = self.archive(trials)
        keys = [design_key(a.params, self.space.keys) for a in batch]
        unique = list(dict.fromkeys(keys))
        designs = {key: a.params for key, a in zip(keys, batch)}
        infeasible: dict[tuple, str] = {}

        def evaluate(jobs: list[tuple[int, range]]) -> list[np.ndarray]:
            work = [Job(designs[unique[i]], tuple(reps)) for i, reps in jobs]
            out = []
            for (i, _), job, table in zip(jobs, work, run_jobs(evaluator, work, executor, slots)):
                values = check_outcomes(table, job, names)
                bad = [n for n, ok in zip(names, np.isfinite(values).all(axis=0)) if not ok]
                if bad:
                    infeasible[unique[i]] = f"{bad[0]} is not defined for this design (NaN)"
                out.append(values)
            return out

        start = [archive.get(key, np.zeros((0, len(names)))) for key in unique]
        results = dict(zip(unique, race(start, evaluate, list(archive.values()), directions_of(self.objectives),
                                        self.settings.rungs, self.settings.z)))
        self._tell(batch, keys, results, infeasible)
        return sum(r.new_evaluations for r in results.values())

    def _tell(self, batch: list[Asked], keys: list[tuple], results: dict, infeasible: dict) -> None:
        from optuna.trial import TrialState

        charged: set[tuple] = set()
        for a, key in zip(batch, keys):
            res = results[key]
            result = {EVALUATIONS: 0 if key in charged else int(res.new_evaluations), RACED_OUT: bool(res.dominated),
                      OUTCOMES: [] if key in infeasible else res.values.tolist()}
            charged.add(key)
            self.backend.set_trial_user_attr(a.trial_id, RESULT, result)
            if key in infeasible:
                self.backend.set_trial_user_attr(a.trial_id, INFEASIBLE, infeasible[key])
                self.backend.set_trial_state_values(a.trial_id, TrialState.FAIL)
                self.mirror.tell(a.mirror, state=TrialState.FAIL)
            else:
                losses = [float(o.loss(res.values[:, j])) for j, o in enumerate(self.objectives)]
                self.mirror.tell(a.mirror, losses)  # validates the values before they are stored
                self.backend.set_trial_state_values(a.trial_id, TrialState.COMPLETE, losses)
            self.mirrored.add(a.number)

    def run(self, evaluator: Evaluator, executor=None, slots: int = 1, progress: bool = False) -> int:
        """Run generations until ``budget`` designs are done; return the replicates evaluated now."""
        from optuna.trial import TrialState
        from tqdm.auto import tqdm

        self.fail_stale()
        bar = tqdm(total=int(self.settings.budget), initial=min(self.done(), int(self.settings.budget)),
                   unit="design", disable=not progress, desc="explore", file=sys.stderr)
        spent = 0
        try:
            while True:
                batch, trials = self.ask()
                if not batch:
                    break
                try:
                    spent += self.run_generation(batch, trials, evaluator, executor, slots)
                except BaseException:
                    for a in batch:  # leave nothing running: the next run asks these designs again
                        self.study.tell(a.number, state=TrialState.FAIL, skip_if_finished=True)
                    raise
                bar.update(len(batch))
        finally:
            bar.close()
        return spent


__all__ = ["EVALUATIONS", "INFEASIBLE", "OUTCOMES", "RACED_OUT", "RESULT", "Search", "Settings", "load_study",
           "study_name_for", "study_spec"]
