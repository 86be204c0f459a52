"""The design explorer's machinery on a toy problem with a known answer, against exhaustive enumeration.

Prints, for several seeds, the share of the exhaustive front's hypervolume the explorer reaches (judged on
noise-free values) and the share of the exhaustive replicate evaluations it spends; and the search's own
cost per design (sampler, racing, storage) with an evaluator that costs nothing, in memory and in SQLite,
so that it can be set beside the cost of one simulated evaluation.

    python benchmarks/bench_explore.py            # about a minute on 2 cores
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from asnsim.explore import explore, parse_objectives
from asnsim.explore.evaluation import Job, run_jobs
from asnsim.explore.pareto import hypervolume, nondominated, reference_point
from asnsim.explore.toy import ToyAppraisal

TOY = ToyAppraisal()
OBJECTIVES = parse_objectives("objectivity,burden,fairness_gap", TOY.DIRECTIONS)
REPS = 8


def known_answer() -> None:
    space = TOY.space()
    grid = space.grid()
    t0 = time.perf_counter()
    run_jobs(TOY, [Job(d, tuple(range(REPS))) for d in grid])  # the plain loop: every design, every replicate
    plain = time.perf_counter() - t0
    exhaustive = TOY.true_losses(grid)
    ref = reference_point(exhaustive)
    hv_all = hypervolume(exhaustive[nondominated(exhaustive)], ref)
    print(f"known answer: {len(grid)} designs x {REPS} replicates = {len(grid) * REPS} evaluations exhaustively "
          f"({plain:.2f} s for the plain loop over the toy)")
    print(f"{'seed':>4} {'budget':>6} {'designs %':>9} {'evals %':>8} {'HV %':>6} {'front':>5} {'raced out':>9} "
          f"{'time s':>6}")
    for seed in range(1, 6):
        for budget in (64, 96):
            t0 = time.perf_counter()
            res = explore(space, OBJECTIVES, TOY, budget=budget, reps=REPS, seed=seed, population_size=16)
            secs = time.perf_counter() - t0
            found = TOY.true_losses(res.pareto[list(space.keys)].to_dict("records"))
            print(f"{seed:>4} {budget:>6} {100 * budget / len(grid):>9.1f} "
                  f"{100 * res.evaluations / (len(grid) * REPS):>8.1f} {100 * hypervolume(found, ref) / hv_all:>6.1f} "
                  f"{len(res.pareto):>5} {int(res.trials['raced_out'].sum()):>9} {secs:>6.2f}")


class Free:
    """An evaluator that costs nothing: what is left is the search's own cost."""

    def describe(self) -> str:
        return "Free"

    def __call__(self, design, replicates, world=None):
        return TOY(design, replicates, world)


def overhead() -> None:
    print("\nsearch cost per design (NSGA-II ask, racing, tell; toy evaluations included):")
    for where in ("memory", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            storage = "memory" if where == "memory" else os.path.join(tmp, "explore.db")
            t0 = time.perf_counter()
            res = explore(TOY.space(), OBJECTIVES, Free(), budget=96, reps=4, seed=1, population_size=16,
                          storage=storage)
            secs = time.perf_counter() - t0
            print(f"  {where:>6}: {1000 * secs / len(res.trials):6.1f} ms per design "
                  f"({len(res.trials)} designs, {res.evaluations} replicate evaluations, {secs:.2f} s)")


if __name__ == "__main__":
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    known_answer()
    overhead()
