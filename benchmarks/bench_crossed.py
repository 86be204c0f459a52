"""The crossed model against lme4, and at province size.  Figures side by side, in one run.

Usage: python benchmarks/bench_crossed.py [--skip-statsmodels] [--skip-lme4] [--skip-province] [--runs K]

1. 2,000 ratings: asnsim crossed vs statsmodels MixedLM (crossed variance components), same REML model.
2. InstEval-shaped data vs lme4 (needs Rscript with lme4): lme4's real InstEval (73,421 ratings of 1,128
   lecturers by 2,972 students, exported by Rscript at run time; not shipped with asnsim) when R is present.
   Timed: the whole ``asnsim analyze --method crossed`` process (start-up, reading the CSV, the fit, conditional
   SDs, every table, reliability.csv and report.md; wall time of a fresh process, median of K runs) against
   lme4's ``lmer(y ~ 1 + (1|s) + (1|d))`` alone (``system.time`` inside R, after R has started and read the
   data; median of K runs).  Goal (issue 14): the CLI process at most 0.5x lmer's time.  Printed beside it:
   the variance components of both to 3 significant digits and the correlation of the conditional modes.
3. A province-sized synthetic design (about 1 million ratings, 50,000 raters, 250,000 ratees;
   asnsim.correction.synthetic.province_ratings): crossed() in a child process pinned to one core with one BLAS
   thread; wall time and peak resident memory.  Goal: under 60 s.
The machine may be shared: the load average is printed, and ratios measured in one run are the robust figure.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

R_EXPORT = r"""
suppressMessages(library(lme4))
data(InstEval)
write.csv(data.frame(s = InstEval$s, d = InstEval$d, y = InstEval$y), commandArgs(TRUE)[1], row.names = FALSE)
"""

R_FIT = r"""
suppressMessages(library(lme4))
args <- commandArgs(TRUE)
d <- read.csv(args[1]); d$s <- factor(d$s); d$d <- factor(d$d)
times <- numeric(0)
for (k in seq_len(as.integer(args[2]))) {
  times <- c(times, system.time(m <- lmer(y ~ 1 + (1|d) + (1|s), data = d, REML = TRUE))[["elapsed"]])
}
vc <- as.data.frame(VarCorr(m))
cat(sprintf("%.4f", median(times)), sprintf("%.10g", vc$vcov[vc$grp == "d"]), sprintf("%.10g", vc$vcov[vc$grp == "s"]),
    sprintf("%.10g", vc$vcov[vc$grp == "Residual"]), "\n")
re <- ranef(m)
write.csv(data.frame(id = rownames(re$s), mode = re$s[, 1]), args[3], row.names = FALSE)
write.csv(data.frame(id = rownames(re$d), mode = re$d[, 1]), args[4], row.names = FALSE)
"""

PROVINCE = r"""
import resource, sys, time
import numpy as np
from asnsim.correction import crossed
from asnsim.correction.synthetic import province_ratings
df = province_ratings(50_000, np.random.default_rng(2026), staff_per_rater=5.2, raters_per_ratee=4.6)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
res = crossed(df)
t = time.perf_counter() - t0
lj = df.groupby("rater_id")["true_leniency"].first()
eff = res.rater_effects.set_index("rater_id")["effect"].reindex(lj.index)
vc = res.variance_components.set_index("component")["variance"]
print(len(df), df["ratee_id"].nunique(), df["rater_id"].nunique(), f"{t:.2f}",
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, base // 1024, res.info["evaluations"],
      f"{np.corrcoef(eff, lj)[0, 1]:.4f}", f"{vc['ratee']:.4g}", f"{vc['rater']:.4g}", f"{vc['residual']:.4g}")
"""


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def timed(f, *a, **k):
    t0 = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t0


def vs_statsmodels() -> None:
    from asnsim.correction import crossed, mixedlm
    from asnsim.correction.synthetic import crossed_ratings

    df = crossed_ratings(470, np.random.default_rng(1))
    print(f"\n== 1. {len(df):,} ratings, {df.ratee_id.nunique()} ratees, {df.rater_id.nunique()} raters ==")
    ours, t_ours = timed(crossed, df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, t_ref = timed(mixedlm, df)
    print(f"{'':10s}{'asnsim crossed':>18s}{'statsmodels':>18s}")
    for comp, a, b in zip(ours.variance_components["component"], ours.variance_components["variance"],
                          ref.variance_components["variance"]):
        print(f"{comp:10s}{a:18.6f}{b:18.6f}")
    r = np.corrcoef(ours.rater_effects["effect"], ref.rater_effects["effect"])[0, 1]
    print(f"{'time (s)':10s}{t_ours:18.3f}{t_ref:18.3f}   speed-up {t_ref / t_ours:.0f}x; rater modes r = {r:.7f}")


def _have_lme4() -> bool:
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", "quit(status = !requireNamespace('lme4', quietly = TRUE))"],
                          capture_output=True).returncode == 0


def vs_lme4(runs: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    data = tmp / "insteval.csv"
    (tmp / "export.R").write_text(R_EXPORT)
    (tmp / "fit.R").write_text(R_FIT)
    subprocess.run(["Rscript", str(tmp / "export.R"), str(data)], check=True, capture_output=True)
    df = pd.read_csv(data)
    print(f"\n== 2. lme4's InstEval: {len(df):,} ratings, {df.d.nunique():,} lecturers (ratees), "
          f"{df.s.nunique():,} students (raters); load {load()} ==")
    out = subprocess.run(["Rscript", str(tmp / "fit.R"), str(data), str(runs), str(tmp / "re_s.csv"),
                          str(tmp / "re_d.csv")], check=True, capture_output=True, text=True)
    t_lmer, *vc_r = map(float, out.stdout.split())
    cmd = [sys.executable, "-m", "asnsim", "analyze", str(data), "--ratee", "d", "--rater", "s", "--score", "y",
           "--method", "crossed", "--out", str(tmp / "out")]
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    t_cli = statistics.median(walls)
    vc = pd.read_csv(tmp / "out" / "variance_components.csv").set_index("component")["variance"]
    print(f"{'':24s}{'asnsim (CLI)':>14s}{'lme4 lmer':>14s}")
    for comp, ref in zip(("ratee", "rater", "residual"), vc_r):
        print(f"{comp + ' variance':24s}{vc[comp]:14.3g}{ref:14.3g}   rel. diff {abs(vc[comp] - ref) / ref:.1e}")
    for label, ours_file, col, ref_file in (("rater (student) modes r", "rater_effects.csv", "rater_id", "re_s.csv"),
                                           ("ratee (lecturer) modes r", "ratee_scores.csv", "ratee_id", "re_d.csv")):
        ours = pd.read_csv(tmp / "out" / ours_file).set_index(col)["effect"]
        ref = pd.read_csv(tmp / ref_file).set_index("id")["mode"]
        print(f"{label:24s}{np.corrcoef(ours.reindex(ref.index), ref)[0, 1]:14.7f}")
    print(f"{'time, s (median of %d)' % runs:24s}{t_cli:14.2f}{t_lmer:14.2f}   "
          f"CLI process / lmer = {t_cli / t_lmer:.2f} (goal <= 0.5)")
    print("   asnsim: the whole `asnsim analyze` process (start-up, CSV, fit, SDs, reliability.csv, report.md);"
          "\n   lme4: system.time(lmer(...)) alone, inside a running R with the data read")
    shutil.rmtree(tmp, ignore_errors=True)


def province() -> None:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, "-c", PROVINCE]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout.split()
    n, ne, nr, t, peak, base, evals, r, v1, v2, v3 = out
    print(f"\n== 3. province-sized design: {int(n):,} ratings, {int(ne):,} ratees, {int(nr):,} raters; one core; "
          f"load {load()} ==")
    print(f"crossed(): {float(t):.1f} s (goal < 60 s), {evals} REML evaluations; peak resident memory {peak} MB "
          f"({base} MB before the fit, with the data)")
    print(f"variance components ratee {v1}, rater {v2}, residual {v3} (planted 1, 0.25, 0.49); "
          f"rater effects vs planted leniency r = {r}")


def main(argv: list[str]) -> None:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 3
    print(f"load average {load()} (2 cores, shared); ratios measured in one run are the robust figure")
    if "--skip-statsmodels" not in argv:
        vs_statsmodels()
    if "--skip-lme4" not in argv:
        if _have_lme4():
            vs_lme4(runs)
        else:
            print("\nlme4 comparison skipped: Rscript or lme4 not found (apt-get install r-base-core r-cran-lme4)")
    if "--skip-province" not in argv:
        province()


if __name__ == "__main__":
    main(sys.argv[1:])
