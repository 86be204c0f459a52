"""Running the simulations behind a decomposition or a sensitivity analysis, on one or many workers.

Both are many small simulations: the hybrids of a replicate (one population, one set of rater dispositions,
every hybrid appraising them: common random numbers, exactly as ``asnsim compare`` pairs policies) or the
points of a Sobol' design (one behaviour setting each, all on the same draws).  :func:`ordered_map` runs them
in chunks through the experiment runner's executors (in this process, local processes, or a Dask cluster),
at most two chunks per worker in flight, with a progress bar, and returns the results in submission order,
so the output never depends on the number of workers.
"""

from __future__ import annotations

import concurrent.futures as cf
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..outcomes import OUTCOMES, Outcome, headline_outcomes
from ..errors import AsnsimError

#: the stream index every simulation of a decomposition or sensitivity analysis uses (as compare's scenario 0)
STREAM = 0


def select_outcomes(names: str | Sequence[str] | None = None, *, ranked_only: bool = False) -> list[Outcome]:
    """Outcomes by name (``spearman``, ``share_predikat:Sangat Baik``), ``all``, or the headline ones by default.

    Raises
    ------
    AsnsimError
        For a name that is not an outcome, listing the names that are.

    Examples
    --------
    >>> [o.metric for o in select_outcomes("spearman,rater_hours")]
    ['spearman', 'rater_hours']
    """
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    if not names:
        chosen = list(headline_outcomes())
    elif list(names) == ["all"]:
        chosen = list(OUTCOMES)
    else:
        chosen = []
        for name in names:
            metric, _, group = name.partition(":")
            hits = [o for o in OUTCOMES if o.metric == metric and (not group or o.group == group)]
            if not hits:
                known = ", ".join(outcome_key(o) for o in OUTCOMES)
                raise AsnsimError(f"--outcomes: {name!r} is not an outcome; known: {known}")
            chosen += [o for o in hits if o not in chosen]
    return [o for o in chosen if o.direction is not None] if ranked_only else chosen


def outcome_key(o: Outcome) -> str:
    """``metric`` for the whole organisation, ``metric:group`` otherwise."""
    return o.metric if o.group == "all" else f"{o.metric}:{o.group}"


def measure(sim, outcomes: Sequence[Outcome]) -> np.ndarray:
    """The values of ``outcomes`` for one simulated round, each from its registry ``compute`` function.

    Only the outcomes asked for are computed (a :class:`asnsim.metrics.replicate.Round` computes what several
    share once), with the same top share as :func:`asnsim.metrics.replicate_metrics`, so a value equals the
    one ``asnsim compare`` reports for the same policy, scenario, seed and replicate.
    """
    from ..metrics.replicate import Round

    r = Round(sim)
    return np.array([float(o.compute(r)) for o in outcomes], dtype=float)


@dataclass(frozen=True)
class HybridChunk:
    """Some hybrids of one replicate: everything a worker needs (picklable)."""

    replicate: int
    policies: tuple[Any, ...]
    scenario: Any
    n: int | str
    seed: int
    outcomes: tuple[Outcome, ...]


def measure_hybrids(chunk: HybridChunk) -> np.ndarray:
    """Simulate each hybrid of the chunk on the replicate's common draws; ``(hybrids, outcomes)`` values."""
    from ..pipeline import simulate

    rows = [measure(simulate(p, n=chunk.n, seed=chunk.seed, scenario=chunk.scenario, replicate=chunk.replicate,
                             scenario_index=STREAM), chunk.outcomes)
            for p in chunk.policies]
    return np.array(rows).reshape(len(chunk.policies), len(chunk.outcomes))


@dataclass(frozen=True)
class PointChunk:
    """Some points of a Sobol' design for one policy (picklable)."""

    policy: Any
    scenario: Any
    keys: tuple[str, ...]
    points: np.ndarray
    n: int | str
    seed: int
    reps: int
    outcomes: tuple[Outcome, ...]


def measure_points(chunk: PointChunk) -> np.ndarray:
    """Each point's outcomes, averaged over the replicates, all on the same draws; ``(points, outcomes)``."""
    from ..overrides import apply_overrides
    from ..pipeline import simulate

    out = np.empty((len(chunk.points), len(chunk.outcomes)))
    for i, point in enumerate(chunk.points):
        scen = apply_overrides(chunk.scenario, dict(zip(chunk.keys, map(float, point))), chunk.scenario.name)
        runs = [measure(simulate(chunk.policy, n=chunk.n, seed=chunk.seed, scenario=scen, replicate=r,
                                 scenario_index=STREAM), chunk.outcomes)
                for r in range(chunk.reps)]
        out[i] = np.mean(runs, axis=0)
    return out


def ordered_map(fn: Callable[[Any], Any], items: Sequence[Any], workers: int = 1, scheduler: str | None = None,
                progress: bool = True, desc: str = "", unit: str = "chunk") -> list[Any]:
    """``[fn(item) for item in items]`` on the runner's executor, at most two items per worker in flight."""
    from tqdm.auto import tqdm

    from ..experiment.runner import POLL_SECONDS, executor

    results: list[Any] = [None] * len(items)
    running: dict[cf.Future, int] = {}
    queue = iter(enumerate(items))
    bar = tqdm(total=len(items), unit=unit, disable=not progress, desc=desc, file=sys.stderr)
    try:
        with executor(workers, scheduler) as (ex, slots, check):
            while True:
                while len(running) < slots:
                    nxt = next(queue, None)
                    if nxt is None:
                        break
                    running[ex.submit(fn, nxt[1])] = nxt[0]
                if not running:
                    break
                finished, _ = cf.wait(list(running), timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
                if not finished:
                    check()
                for fut in finished:
                    results[running.pop(fut)] = fut.result()
                    bar.update(1)
    except BaseException:
        for fut in running:
            fut.cancel()
        raise
    finally:
        bar.close()
    return results


def chunked(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items."""
    return [items[i:i + size] for i in range(0, len(items), max(1, int(size)))]


__all__ = ["HybridChunk", "PointChunk", "STREAM", "chunked", "measure_hybrids", "measure_points", "ordered_map",
           "measure", "outcome_key", "select_outcomes"]
