"""Real-data path at size: read + validate, anonymize, calibrate; calibrate beside the crossed mixed model.

Run: .venv/bin/python benchmarks/bench_io_calibrate.py [--n 100000]

Prints, for a simulated city of N employees (PermenPAN-RB 6/2022, 11 supervisor ratings each):
* read_table on the ratings CSV (rows/s), on a Parquet copy, and the pandas read_csv floor in the same run;
* anonymize_table on an employees table with made-up NIPs;
* calibrate (point estimates; and with a 20-replicate rater bootstrap) against the planted parameters;
* on a 1,500-employee subsample of a numeric-scale policy (pp-46-2011 perilaku, 0-100), the variance ratios
  from calibrate and from asnsim.correction.crossed (REML, lme4 parity), measured in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from asnsim import columns as C
from asnsim.calibrate import calibrate
from asnsim.io import read_table
from asnsim.io.anonymize import anonymize_table
from asnsim.pipeline import simulate
from asnsim.scenario import load_scenario


def timed(label, fn):
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    print(f"  {label:54s} {dt:8.2f} s")
    return out, dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args()
    base = load_scenario("neutral")
    truth = dict(leniency_sd=0.45, noise_sd=0.65, leniency_mean=0.25, scale_use_mean=float(np.log(0.8)))
    scen = base.model_copy(update={"rater": base.rater.model_copy(update=truth)})
    print(f"simulate {args.n} employees (permenpan-6-2022), planted {truth}")
    sim, _ = timed("simulate", lambda: simulate("permenpan-6-2022", n=args.n, seed=3, scenario=scen))
    r = sim.ratings[[C.RATEE_ID, C.RATER_ID, C.RATER_ROLE, C.ITEM, C.PERIOD, C.SCORE]]
    with tempfile.TemporaryDirectory() as tmp:
        csv, pq = Path(tmp) / "r.csv", Path(tmp) / "r.parquet"
        r.to_csv(csv, index=False)
        r.to_parquet(pq, index=False)
        print(f"ratings: {len(r):,} rows, CSV {csv.stat().st_size / 1e6:.0f} MB")
        _, t_floor = timed("pandas.read_csv(dtype=str) (floor)", lambda: pd.read_csv(csv, dtype=str))
        v, t_read = timed("read_table(csv): read + validate + ledger", lambda: read_table(csv, "ratings",
                                                                                         score_range=(1, 3)))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        print(f"    {len(r) / t_read:,.0f} rows/s, {t_read / t_floor:.1f}x the read_csv floor; process peak RSS so "
              f"far {peak:,.0f} MB")
        timed("read_table(parquet)", lambda: read_table(pq, "ratings", score_range=(1, 3)))
    emp = sim.employees
    nips = pd.Series(np.char.add(np.char.add("19800101", "2005011"), np.char.zfill(
        (np.arange(len(emp)) % 1000).astype(str), 3)))
    raw = pd.DataFrame({"NIP": nips, "Nama": "Pegawai " + emp[C.EMPLOYEE_ID].astype(str),
                        "NIP Atasan": nips.shift(1).fillna(""), "unit": emp[C.UNIT].astype(str)})
    timed(f"anonymize_table ({len(raw):,} employees, NIP + name + supervisor)",
          lambda: anonymize_table(raw, b"k" * 32))
    cal, _ = timed("calibrate (point estimates)", lambda: calibrate(v.data))
    print("    " + ", ".join(f"{k} {getattr(cal, k):.3f} (planted {truth[k]:.3f})" for k in truth))
    cal_b, _ = timed("calibrate with a 20-replicate rater bootstrap",
                     lambda: calibrate(v.data, bootstrap=20, rng=np.random.default_rng(1)))
    print("    bootstrap SEs: " + ", ".join(f"{k} {s:.3f}" for k, s in cal_b.se.items()))

    print("cross-check on a numeric scale (pp-46-2011 perilaku 0-100), 1,500 employees:")
    scen2 = base.model_copy(update={"rater": base.rater.model_copy(update=dict(leniency_sd=0.5, noise_sd=0.6))})
    from asnsim.correction.crossed import crossed
    for seed in (1, 2, 3):
        s2 = simulate("pp-46-2011", n=1500, seed=seed, scenario=scen2)
        rr = s2.ratings[s2.ratings[C.RATER_ROLE] == C.ATASAN].reset_index(drop=True)
        c2, t_cal = timed(f"seed {seed}: calibrate", lambda: calibrate(rr, "pp-46-2011"))
        res, t_cr = timed(f"seed {seed}: crossed REML (score ~ item + (1|ratee) + (1|rater))",
                          lambda: crossed(rr, fixed=["item"]))
        vc = res.variance_components.set_index("component")["variance"]
        k = float(c2.by_component["scale_factor"].iloc[0])
        print(f"    rater/ratee variance: calibrate {c2.leniency_sd ** 2:.3f}, crossed {vc['rater'] / vc['ratee']:.3f}"
              f" (planted 0.25); residual/ratee: calibrate {(c2.noise_sd / k) ** 2:.3f}, crossed "
              f"{vc['residual'] / vc['ratee']:.3f} (planted 0.36)")


if __name__ == "__main__":
    main()
