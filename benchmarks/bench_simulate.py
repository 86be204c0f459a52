"""Benchmark: one simulated appraisal round at national scale, against numpy's floor.

Prints the wall time of each stage, the peak memory (max RSS) of the process,
and, measured in the same run, the time numpy needs to draw as many normal
variates as the simulation drew (float64 ``Generator.standard_normal``, in
chunks).  The target is a simulation (population to scores: the sum of the
stages, quotas included) within 3x that floor.  Writing the tables is timed
separately, table by table.

Usage::

    python benchmarks/bench_simulate.py                       # national: 4,282,429 ASN, parquet
    python benchmarks/bench_simulate.py --n 100000 --format csv
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


class CountingGenerator(np.random.Generator):
    """A numpy Generator that counts the variates it draws, by kind."""

    counts = {"normal": 0, "uniform": 0, "other": 0}

    @staticmethod
    def _size(size) -> int:
        return 1 if size is None else int(np.prod(size))

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        self.counts["normal"] += self._size(size if out is None else out.shape)
        return super().standard_normal(size, dtype=dtype, out=out)

    def normal(self, loc=0.0, scale=1.0, size=None):
        self.counts["normal"] += self._size(size)
        return super().normal(loc, scale, size)

    def random(self, size=None, dtype=np.float64, out=None):
        self.counts["uniform"] += self._size(size if out is None else out.shape)
        return super().random(size, dtype=dtype, out=out)

    def gamma(self, shape, scale=1.0, size=None):
        self.counts["other"] += self._size(size)
        return super().gamma(shape, scale, size)

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        self.counts["other"] += self._size(size)
        return super().choice(a, size, replace, p, axis, shuffle)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        self.counts["other"] += self._size(size)
        return super().integers(low, high, size, dtype, endpoint)


def counting_stage_rng(seed, stage, replicate=0, scenario=0):
    from asnsim.rng import STAGES
    ss = np.random.SeedSequence(int(seed), spawn_key=(int(scenario), int(replicate), STAGES[stage]))
    return CountingGenerator(np.random.PCG64(ss))


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20  # KiB -> GiB


def numpy_floor(count: int, dtype=np.float64, chunk: int = 20_000_000) -> float:
    """Seconds to draw ``count`` standard normal variates with numpy, in chunks."""
    rng = np.random.default_rng(12345)
    buf = np.empty(min(chunk, max(count, 1)), dtype=dtype)
    t = time.perf_counter()
    left = count
    while left > 0:
        k = min(chunk, left)
        rng.standard_normal(out=buf[:k], dtype=dtype)
        left -= k
    return time.perf_counter() - t


def _timed(fn, name: str, times: dict):
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            times[name] = times.get(name, 0.0) + time.perf_counter() - t
    return wrapper


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="national")
    ap.add_argument("--policy", default="permenpan-6-2022")
    ap.add_argument("--scenario", default="default")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", default="parquet", choices=["csv", "parquet", "none"])
    ap.add_argument("--out", default=None, help="output folder (default: a temporary folder, removed)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    import asnsim.pipeline as pipeline
    from asnsim.output import atomic_output_dir, write_json, write_table
    pipeline.stage_rng = counting_stage_rng  # same streams, counted
    stage_times: dict[str, float] = {}
    for name in ("generate_population", "monthly_deviations", "draw_dispositions", "simulate_indicators",
                 "simulate_ratings", "score", "apply_organisation"):
        setattr(pipeline, name, _timed(getattr(pipeline, name), name, stage_times))
    t_import = time.perf_counter() - t0

    floor_before = numpy_floor(10_000_000) * 10  # per 100 M normals, before the run (load drifts)
    t = time.perf_counter()
    sim = pipeline.simulate(args.policy, n=args.n, seed=args.seed, scenario=args.scenario)
    t_sim = time.perf_counter() - t
    peak_sim = peak_gib()
    counts = dict(CountingGenerator.counts)

    t_write, write_times = 0.0, {}
    if args.format != "none":
        out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="asnsim-bench-"))
        t = time.perf_counter()
        with atomic_output_dir(out) as tmp:
            for stem, table in sim.tables().items():
                tt = time.perf_counter()
                write_table(table, tmp, stem, args.format)
                write_times[stem] = time.perf_counter() - tt
            write_json(sim.manifest(), tmp / "manifest.json")
        t_write = time.perf_counter() - t
        size = sum(f.stat().st_size for f in out.iterdir()) / 2 ** 30
        if not args.out:
            import shutil
            shutil.rmtree(out)
    floor64 = numpy_floor(counts["normal"])
    floor32 = numpy_floor(counts["normal"], np.float32)

    print(f"asnsim simulate --n {args.n} --policy {args.policy} --scenario {args.scenario} --seed {args.seed}")
    print(f"  employees                 {len(sim.employees):>14,}")
    print(f"  rating rows               {len(sim.ratings):>14,}")
    print(f"  ratings in memory         {sim.ratings.memory_usage(deep=True).sum() / 2**30:>14.2f} GiB")
    print(f"  normal variates drawn     {counts['normal']:>14,}   (uniform {counts['uniform']:,}, "
          f"other {counts['other']:,})")
    print(f"  import                    {t_import:>14.1f} s")
    print(f"  simulate (to scores)      {t_sim:>14.1f} s")
    for name, sec in stage_times.items():
        print(f"    {name:<23} {sec:>14.1f} s")
    if args.format != "none":
        print(f"  write {args.format:<8}            {t_write:>14.1f} s   ({size:.2f} GiB on disk)")
        for stem, sec in write_times.items():
            print(f"    {stem:<23} {sec:>14.1f} s")
    print(f"  peak memory (max RSS)     {max(peak_sim, peak_gib()):>14.2f} GiB   (after simulate: {peak_sim:.2f})")
    stages = sum(stage_times.values())
    engine = sum(v for k, v in stage_times.items() if k not in ("score", "apply_organisation"))
    print(f"  numpy floor, float64      {floor64:>14.1f} s   (before the run: "
          f"{floor_before * counts['normal'] / 1e8:.1f} s)")
    print(f"  population to scores      {stages:>14.1f} s   -> / floor = {stages / floor64:.1f}x (target <= 3x); "
          f"simulate / floor = {t_sim / floor64:.1f}x")
    print(f"    engine stages (population to ratings) / floor = {engine / floor64:.1f}x; "
          f"with scoring {(engine + stage_times.get('score', 0)) / floor64:.1f}x")
    print(f"  numpy floor, float32      {floor32:>14.1f} s   -> population to scores / floor = {stages / floor32:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
