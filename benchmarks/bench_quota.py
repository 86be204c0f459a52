"""Kurva distribusi enforcement at scale: time and outcome figures.

Usage: ``python benchmarks/bench_quota.py [N ...]`` (default 100000 1000000).
Draws N employees in units of 2-150 (mean about 25) with a lenient raw predikat
distribution and unit predikat in the PermenPAN default shares, then times
``enforce_quotas`` in each compliance mode (``down-first``, ``up-first``,
``nearest``) and ``check_quotas``, and verifies every feasible unit meets its
quotas afterwards.  Prints one line per size and mode; every mode must move the
same number of employees.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from asnsim import columns as C
from asnsim.policy import load_policy
from asnsim.quota import check_quotas, enforce_quotas


def run(n: int, seed: int = 1, mode: str = "down-first") -> None:
    rng = np.random.default_rng(seed)
    sizes = np.clip(rng.geometric(1 / 25, size=n // 10 + 10), 2, 150)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n) + 1]
    sizes[-1] -= sizes.sum() - n
    sizes = sizes[sizes > 0]
    unit = np.repeat(np.arange(len(sizes)), sizes).astype(str)
    raw = np.array(C.PREDIKAT_ORDER, dtype=object)[rng.choice(5, size=n, p=[0.02, 0.03, 0.10, 0.65, 0.20])]
    ups = pd.Series(np.array(C.UNIT_PREDIKAT_ORDER, dtype=object)[rng.choice(5, size=len(sizes),
                                                                              p=[0.05, 0.05, 0.2, 0.5, 0.2])],
                    index=np.arange(len(sizes)).astype(str))
    scores = pd.DataFrame({C.EMPLOYEE_ID: np.arange(n), C.FINAL_SCORE: rng.normal(size=n), C.PREDIKAT: raw})
    quota = load_policy("permenpan-6-2022").quota
    t0 = time.perf_counter()
    res = enforce_quotas(scores, pd.Series(unit), ups, quota, mode=mode)
    t1 = time.perf_counter()
    ok = res.units.loc[res.units[C.QUOTA_STATUS] != "infeasible", C.UNIT]
    keep = pd.Series(unit).isin(set(ok)).to_numpy()
    left = check_quotas(res.predikat[keep], pd.Series(unit[keep]), ups, quota)
    t2 = time.perf_counter()
    st = res.units[C.QUOTA_STATUS].value_counts()
    print(f"n={n:>9,} units={len(sizes):>7,} {mode:>10}  enforce {t1 - t0:6.2f}s  check {t2 - t1:6.2f}s  "
          f"moved {int(res.units[C.N_MOVED].sum()):,} ({res.units[C.N_MOVED].sum() / n:.1%})  "
          f"met {int(st.get('met', 0)):,} enforced {int(st.get('enforced', 0)):,} "
          f"infeasible {int(st.get('infeasible', 0)):,}  violations left {len(left)}")


if __name__ == "__main__":
    from asnsim.quota import MODES
    for arg in sys.argv[1:] or ["100000", "1000000"]:
        for m in MODES:
            run(int(arg), mode=m)
