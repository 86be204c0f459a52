"""The design explorer's machinery on a toy problem with a known answer, against exhaustive enumeration.

Prints, for several seeds, the share of the exhaustive front's hypervolume the explorer reaches (judged on
noise-free values) and the share of the exhaustive replicate evaluations it spends; and the search's own
cost per design (sampler, racing, storage) with an evaluator that costs nothing, in memory and in SQLite,
so that it can be set beside the cost of one simulated evaluation; and the simulator behind ``asnsim
explore`` on a 2,000-ASN city (permenpan-6-2022, peers' weight x correction method), in replicate evaluations
per second per core, beside a plain loop over ``compare`` (``run_experiment``, one design at a time) that
evaluates the same designs with the same replicates.

    python benchmarks/bench_explore.py            # a few minutes on 2 cores
    python benchmarks/bench_explore.py simulated  # only the simulator part
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


def simulated(n: int = 2000, budget: int = 12, reps: int = 4) -> None:
    """The simulator's evaluations per second, beside a plain loop over compare on the same designs."""
    from asnsim.experiment import make_design, run_experiment
    from asnsim.explore.simulator import SimulatorEvaluator, lever_space, registry_objectives
    from asnsim.overrides import apply_design
    from asnsim.policy import load_policy
    from asnsim.scenario import load_scenario

    base, world = load_policy("permenpan-6-2022"), load_scenario("default")
    space = lever_space(["components.perilaku_kerja.raters.rekan=0:0.5", "correction.method=none,standardize"],
                        base, world)
    objectives = registry_objectives("spearman,rater_hours,sex_gap_conditional")
    ev = SimulatorEvaluator(base, world, tuple(o.name for o in objectives), n=n, seed=1)
    t0 = time.perf_counter()
    res = explore(space, objectives, ev, budget=budget, reps=reps, seed=1, population_size=6)
    secs = time.perf_counter() - t0
    print(f"\nsimulated ({n:,} ASN, permenpan-6-2022, 2 levers, 3 objectives, load {os.getloadavg()[0]:.1f}):")
    print(f"  asnsim explore : {res.evaluations} replicate evaluations of {len(res.trials)} designs in {secs:.1f} s "
          f"= {res.evaluations / secs:.2f} evaluations/s on one core")
    designs = res.trials[list(space.keys)].to_dict("records")
    t0 = time.perf_counter()
    for d in designs:   # the plain loop: compare each design on every replicate (no racing, every outcome)
        policy, _ = apply_design(base, world, d)
        run_experiment(make_design([policy], n=n, reps=reps, seed=1), progress=False, report=False)
    plain = time.perf_counter() - t0
    print(f"  compare loop   : {len(designs) * reps} replicate evaluations of {len(designs)} designs in {plain:.1f} s "
          f"= {len(designs) * reps / plain:.2f} evaluations/s on one core")
    print(f"  same designs, same replicates: explore takes {secs / plain:.2f} x the loop's time "
          f"({res.evaluations / (len(designs) * reps):.0%} of its evaluations, racing)")


if __name__ == "__main__":
    import sys

    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    if sys.argv[1:] != ["simulated"]:
        known_answer()
        overhead()
    simulated()
