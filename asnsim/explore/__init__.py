"""The policy design explorer: search many levers at once for the best trade-offs, robustly.

The pieces, each usable on its own:

- :mod:`~asnsim.explore.levers`: levers and uncertainties (``KEY=LO:HI``, ``KEY=A,B,C``);
- :mod:`~asnsim.explore.objectives`: objectives with their directions, and their losses;
- :mod:`~asnsim.explore.evaluation`: the narrow interface to what is evaluated
  (design, replicates, world -> per-replicate outcome table);
- :mod:`~asnsim.explore.racing`: paired comparisons over common random
  numbers, and racing replicates on a successive-halving schedule;
- :mod:`~asnsim.explore.study`: optuna's NSGA-II with persistent, resumable storage;
- :mod:`~asnsim.explore.pareto`, :mod:`~asnsim.explore.tables`: the front,
  its hypervolume and its Monte Carlo separability;
- :mod:`~asnsim.explore.robustness`: Latin-hypercube ensembles of worlds,
  regret and shares of worlds meeting requirements;
- :mod:`~asnsim.explore.prim`: scenario discovery (PRIM boxes);
- :mod:`~asnsim.explore.toy`: toy problems with known answers.

:func:`explore` runs a whole search.  Nothing heavy is imported with this
package (optuna and moocore load when a search runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .evaluation import Evaluator, Job
from .levers import Lever, LeverSpace
from .objectives import Objective, parse_objectives


@dataclass
class Exploration:
    """The result of :func:`explore`: every design tried, the front, and where the study lives."""

    space: LeverSpace
    objectives: tuple[Objective, ...]
    trials: pd.DataFrame
    values: list[np.ndarray]
    pareto: pd.DataFrame
    study_name: str
    storage: str
    evaluations: int
    settings: Any = field(repr=False, default=None)

    @property
    def evaluations_total(self) -> int:
        """Replicate evaluations the whole study ran (all runs of the command)."""
        return int(self.trials["evaluations"].sum())

    def design_values(self, design: str) -> np.ndarray:
        """Per-replicate outcomes ``(n_reps, k)`` of a design (``"D007"``)."""
        return self.values[int(np.flatnonzero(self.trials["design"] == design)[0])]


def explore(space: LeverSpace | Sequence[str | Lever], objectives: Sequence[Objective], evaluator: Evaluator, *,
            budget: int, reps: int, seed: int = 1, storage: str | Path | None = None,
            out: str | Path | None = None, study_name: str | None = None, population_size: int | None = None,
            min_reps: int = 2, z: float = 2.0, workers: int = 1, scheduler: str | None = None,
            progress: bool = False) -> Exploration:
    """Search designs for the best trade-offs between objectives (multi-objective, raced, resumable).

    Parameters
    ----------
    space : LeverSpace or sequence of str
        The levers (``KEY=LO:HI``, ``KEY=LO:HI:STEP``, ``KEY=A,B,C``).
    objectives : sequence of Objective
        At least two, with their directions (:func:`parse_objectives`).
    evaluator : Evaluator
        ``(design, replicates, world) -> DataFrame[replicate, outcome...]`` with common random numbers.
    budget : int
        Designs to evaluate in the study; rerunning with a larger budget extends the study.
    reps : int
        Replicates of a design that races to the end.
    seed : int
        The one seed.
    storage : str or Path, optional
        ``sqlite:///FILE``, a file path, ``postgresql://...`` or ``memory``; default
        ``OUT/explore.db`` when ``out`` is given, else memory.
    out : str or Path, optional
        The folder of the default SQLite study.
    study_name : str, optional
        Default: derived from the levers, objectives, replicates, seed and evaluator, so the same
        command finds its study again and a different one does not mix with it.
    population_size, min_reps, z
        See :class:`asnsim.explore.study.Settings`.
    workers : int
        Local processes evaluating designs in parallel (the evaluator must be picklable).
    scheduler : str, optional
        A Dask scheduler address instead of local processes.
    progress : bool
        A progress bar on stderr.

    Returns
    -------
    Exploration

    Examples
    --------
    >>> from asnsim.explore.toy import ToyBiObjective
    >>> toy = ToyBiObjective()
    >>> res = explore(["x=-1:3"], parse_objectives("f1,f2", toy.DIRECTIONS), toy, budget=16, reps=4,
    ...               population_size=8)
    >>> len(res.trials), bool(res.pareto["x"].between(-0.5, 2.5).all())
    (16, True)
    """
    from .storage import storage_url
    from .study import Search, Settings, _quiet_optuna, load_study, study_spec
    from .tables import pareto_table, trial_table

    space = space if isinstance(space, LeverSpace) else LeverSpace.parse(space)
    objectives = tuple(objectives)
    if len(objectives) < 2:
        from ..errors import DesignError
        raise DesignError("--objectives: name at least two outcomes (a trade-off)")
    settings = Settings(int(budget), int(reps), int(seed), population_size, int(min_reps), float(z))
    url = storage_url(storage, out)
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
    spec = study_spec(space, objectives, settings, evaluator)
    with _quiet_optuna():
        study, backend = load_study(url, spec, len(objectives), study_name)
        try:
            run = Search(study, backend, url, space, objectives, settings)
            if workers > 1 or scheduler:
                from ..experiment.runner import executor as make_executor

                with make_executor(workers, scheduler) as (ex, slots, *_):
                    spent = run.run(evaluator, ex, slots, progress)
            else:
                spent = run.run(evaluator, None, 1, progress)
            trials, values = trial_table(study, space, objectives)
        finally:
            engine = getattr(backend, "engine", None)
            if engine is not None:   # close the database (SQLite folds its write-ahead log back in)
                engine.dispose()
    from .storage import redact
    return Exploration(space, objectives, trials, values, pareto_table(trials, values, space, objectives, settings.z),
                       study.study_name, redact(url), spent, settings)


__all__ = ["Evaluator", "Exploration", "Job", "Lever", "LeverSpace", "Objective", "explore", "parse_objectives"]
