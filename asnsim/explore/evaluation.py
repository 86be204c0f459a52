"""The narrow interface between the explorer and whatever it evaluates.

An *evaluator* is a callable ``evaluator(design, replicates, world=None)``
returning a per-replicate outcome table: one row per requested replicate, a
``replicate`` column and one float column per outcome.  ``design`` maps lever
keys to values; ``world`` maps uncertainty keys to values (a rater behaviour
of the robustness ensemble), or is ``None`` for the base world.

Common random numbers are the evaluator's promise: replicate ``r`` of one
world is the same population and the same raters whatever the design, so two
designs' outcomes in replicate ``r`` are paired, and a result depends only on
(design, replicate, world), never on which worker computed it or when.  The
explorer relies on this to compare designs over shared replicates and to
resume an interrupted study with identical results.

For process or cluster execution the evaluator must be picklable (a
module-level function or an instance of a module-level class).
"""

from __future__ import annotations

import concurrent.futures as cf
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

import numpy as np
import pandas as pd

from ..errors import AsnsimError

REPLICATE = "replicate"


class Evaluator(Protocol):
    """``(design, replicates, world) -> DataFrame[replicate, outcome, ...]`` (see the module notes)."""

    def __call__(self, design: Mapping[str, Any], replicates: Sequence[int],
                 world: Mapping[str, Any] | None = None) -> pd.DataFrame: ...


@dataclass(frozen=True)
class Job:
    """One unit of work: a design on some replicates of one world."""

    design: Mapping[str, Any]
    replicates: tuple[int, ...]
    world: Mapping[str, Any] | None = None


def check_outcomes(table: pd.DataFrame, job: Job, outcomes: Sequence[str]) -> np.ndarray:
    """Check an evaluator's table and return the requested outcomes as ``(len(replicates), k)`` floats.

    Raises
    ------
    AsnsimError
        When the table lacks a requested replicate or outcome (a programming
        error in the evaluator, named so that it is found quickly).
    """
    if not isinstance(table, pd.DataFrame) or REPLICATE not in table:
        raise AsnsimError(f"evaluator returned {type(table).__name__} without a '{REPLICATE}' column")
    missing = [o for o in outcomes if o not in table]
    if missing:
        raise AsnsimError(f"evaluator's table has no outcome {missing[0]!r}; it has {', '.join(map(str, table))}")
    rows = table.set_index(REPLICATE)
    if rows.index.has_duplicates or set(rows.index) != set(job.replicates):
        raise AsnsimError(f"evaluator returned replicates {sorted(rows.index)}, asked for {list(job.replicates)}")
    return rows.loc[list(job.replicates), list(outcomes)].to_numpy(float)


def evaluate_job(evaluator: Evaluator, job: Job) -> pd.DataFrame:
    """Run one job (module level, so process pools can pickle it)."""
    return evaluator(job.design, job.replicates, job.world)


def run_jobs(evaluator: Evaluator, jobs: Sequence[Job], executor: cf.Executor | None = None,
             slots: int = 1) -> list[pd.DataFrame]:
    """Evaluate jobs, in this process or on ``executor``; tables come back in job order.

    At most ``slots`` jobs are in flight at once, so a large batch does not
    flood a cluster's memory; the order of results never depends on which
    finished first.
    """
    if executor is None:
        return [evaluate_job(evaluator, j) for j in jobs]
    results: list[pd.DataFrame | None] = [None] * len(jobs)
    pending: dict[cf.Future, int] = {}
    queue = iter(range(len(jobs)))
    try:
        while True:
            while len(pending) < max(1, slots):
                i = next(queue, None)
                if i is None:
                    break
                pending[executor.submit(evaluate_job, evaluator, jobs[i])] = i
            if not pending:
                break
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                results[pending.pop(fut)] = fut.result()
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    return results  # type: ignore[return-value]


__all__ = ["Evaluator", "Job", "REPLICATE", "check_outcomes", "evaluate_job", "run_jobs"]
