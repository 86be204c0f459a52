"""crossed (sparse REML) against statsmodels MixedLM and R's lme4, side by side.

Usage: python benchmarks/bench_crossed.py [--skip-statsmodels] [--skip-lme4]

1. 2,000 ratings: asnsim crossed vs statsmodels MixedLM (crossed variance components), same REML model.
2. >= 50,000 ratings, when Rscript and lme4 are installed: asnsim crossed vs lme4::lmer, timed inside R
   (system.time around lmer, excluding R start-up and reading the CSV) and as wall time of the Rscript call.
   Two designs: (a) 1,800 ratees x 7 items per rater-ratee pair (few levels, many ratings per level);
   (b) 12,000 ratees with one rating per pair (many levels).
Data: asnsim.correction.synthetic.crossed_ratings (unbalanced, partly crossed 360-degree panels).
The machine may be shared with other jobs: timings are indicative.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from asnsim.correction import crossed
from asnsim.correction.crossed import CrossedREML
from asnsim.correction.synthetic import crossed_ratings

R_SCRIPT = r"""
suppressMessages(library(lme4))
d <- read.csv(commandArgs(TRUE)[1])
d$ratee_id <- factor(d$ratee_id); d$rater_id <- factor(d$rater_id)
t <- system.time(m <- lmer(score ~ 1 + (1|ratee_id) + (1|rater_id), data = d, REML = TRUE))
t2 <- system.time(r <- ranef(m, condVar = TRUE))
vc <- as.data.frame(VarCorr(m))
cat(sprintf("%.6f %.6f %.10g %.10g %.10g\n", t[["elapsed"]], t2[["elapsed"]],
            vc$vcov[vc$grp == "ratee_id"], vc$vcov[vc$grp == "rater_id"], vc$vcov[vc$grp == "Residual"]))
"""


def timed(f, *a, **k):
    t0 = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t0


def vs_statsmodels() -> None:
    from asnsim.correction import mixedlm

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
    print(f"{'time (s)':10s}{t_ours:18.3f}{t_ref:18.3f}   speed-up {t_ref / t_ours:.0f}x; "
          f"rater modes r = {r:.7f}")


def vs_lme4(label: str, df: pd.DataFrame) -> None:
    print(f"\n== 2{label}. {len(df):,} ratings, {df.ratee_id.nunique():,} ratees, {df.rater_id.nunique():,} raters ==")
    tmp = Path(tempfile.mkdtemp())
    df[["ratee_id", "rater_id", "score"]].to_csv(tmp / "d.csv", index=False)
    (tmp / "fit.R").write_text(R_SCRIPT)
    t0 = time.perf_counter()
    out = subprocess.run(["Rscript", str(tmp / "fit.R"), str(tmp / "d.csv")], capture_output=True, text=True,
                         check=True)
    wall = time.perf_counter() - t0
    t_lmer, t_ranef, *vc_r = map(float, out.stdout.split())
    y, X = df["score"].to_numpy(float), np.ones((len(df), 1))
    e = pd.factorize(df["ratee_id"], sort=True)[0]
    r = pd.factorize(df["rater_id"], sort=True)[0]
    _, t_fit = timed(CrossedREML(y, X, e, r).fit)
    ours, t_all = timed(crossed, df)
    print(f"{'':28s}{'asnsim crossed':>18s}{'lme4':>18s}")
    for comp, a, b in zip(ours.variance_components["component"], ours.variance_components["variance"], vc_r):
        print(f"{comp:28s}{a:18.6f}{b:18.6f}")
    print(f"{'fit (REML estimates), s':28s}{t_fit:18.2f}{t_lmer:18.2f}   (lme4: system.time(lmer) inside R)")
    print(f"{'fit + conditional SDs, s':28s}{t_all:18.2f}{t_lmer + t_ranef:18.2f}   (lme4: + ranef(condVar=TRUE))")
    print(f"{'lme4 wall time incl. R start-up and CSV read, s':46s}{wall:18.2f}")


def main(argv: list[str]) -> None:
    print("machine: 2 cores shared with other engineers' jobs; timings are indicative")
    if "--skip-statsmodels" not in argv:
        vs_statsmodels()
    if "--skip-lme4" in argv:
        return
    if shutil.which("Rscript") is None:
        print("\nlme4 comparison skipped: Rscript not found (apt-get install r-base-core r-cran-lme4)")
        return
    vs_lme4("a", crossed_ratings(1800, np.random.default_rng(2024), n_items=7))
    vs_lme4("b", crossed_ratings(12000, np.random.default_rng(2)))


if __name__ == "__main__":
    main(sys.argv[1:])
