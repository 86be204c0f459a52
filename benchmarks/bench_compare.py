"""Benchmark: Monte Carlo replicates per second, per policy, and the 1 -> 2 worker speed-up.

For a synthetic city of ``--n`` employees (default 2,000):

1. per built-in policy, replicates per second through ``run_experiment`` with
   one worker, next to a plain loop of ``simulate`` + ``replicate_metrics``
   (the reference: what the runner costs on top of the work itself);
2. one design (every built-in policy, ``--reps`` replicates) with 1 and with 2
   worker processes: wall time and speed-up, and whether summary.csv is
   byte-identical.

The machine's load average is printed with the figures, and CPU seconds per
replicate beside wall seconds: on a shared machine the speed-up understates
what 2 free cores give.

Usage: ``python benchmarks/bench_compare.py [--n 2000] [--reps 6] [--policies all]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=6)
    ap.add_argument("--policies", default="all")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    from asnsim.experiment import make_design, run_experiment
    from asnsim.experiment.design import expand_policies
    from asnsim.metrics import replicate_metrics
    from asnsim.pipeline import simulate

    policies = [p.name for p in expand_policies(args.policies)]
    print(f"asnsim compare benchmark: city of {args.n} ASN, {args.reps} replicates; {_load()}")
    print(f"{'policy':<28}{'runner rep/s':>14}{'plain loop rep/s':>18}{'wall s/rep':>12}{'CPU s/rep':>11}")
    for name in policies:
        t, cpu = time.perf_counter(), time.process_time()
        for r in range(args.reps):
            replicate_metrics(simulate(name, n=args.n, seed=args.seed, scenario="default", replicate=r))
        plain = args.reps / (time.perf_counter() - t)
        cpu = (time.process_time() - cpu) / args.reps
        d = make_design(name, n=args.n, reps=args.reps, seed=args.seed)
        t = time.perf_counter()
        run_experiment(d, progress=False)
        runner = args.reps / (time.perf_counter() - t)
        print(f"{name:<28}{runner:>14.2f}{plain:>18.2f}{1 / runner:>12.2f}{cpu:>11.2f}")

    # start the worker machinery once (forkserver with asnsim preloaded), and time that one-off cost
    tiny = make_design(policies[0], n=50, reps=1, seed=args.seed)
    t = time.perf_counter()
    run_experiment(tiny, workers=1, progress=False)
    one = time.perf_counter() - t
    t = time.perf_counter()
    run_experiment(tiny, workers=2, progress=False)
    startup = max(0.0, time.perf_counter() - t - one)

    d = make_design(policies, n=args.n, reps=args.reps, seed=args.seed)
    n_sims = len(policies) * args.reps
    walls, files = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for w in (1, 2):
            out = Path(tmp) / f"w{w}"
            t = time.perf_counter()
            run_experiment(d, out, workers=w, progress=False, report=False)
            walls[w] = time.perf_counter() - t
            files[w] = (out / "summary.csv").read_bytes()
    print(f"\nall {len(policies)} policies x {args.reps} replicates ({n_sims} simulated rounds of {args.n}):")
    for w in (1, 2):
        print(f"  workers={w}: {walls[w]:.1f} s wall, {n_sims / walls[w]:.2f} policy-replicates/s")
    print(f"  speed-up 1 -> 2 workers: {walls[1] / walls[2]:.2f}x (the forkserver that starts workers was "
          f"started beforehand, in {startup:.1f} s: a one-off cost per Python process)")
    print("  (CPU s/rep above vs wall s/rep shows how much of the machine other processes took)")
    print(f"  summary.csv identical for 1 and 2 workers: {files[1] == files[2]}")
    print(f"  {_load()}")


if __name__ == "__main__":
    main()
