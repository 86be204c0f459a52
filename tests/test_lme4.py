"""Optional R tier: crossed() against lme4's lmer(score ~ 1 + (1|ratee) + (1|rater), REML), and its fixed-effect
tests against lmerTest's Satterthwaite degrees of freedom on real data (lme4's InstEval, exported by R at test time).

Skipped when Rscript or the lme4 package is absent (Debian: apt-get install r-base-core r-cran-lme4
r-cran-lmertest).
Data: about 52,000 ratings of an unbalanced, partly crossed 360-degree design (units of uneven size,
2-6 colleagues per ratee, stakeholders from neighbouring units; asnsim.correction.synthetic), 7 items per
rater-ratee pair, with 1,800 ratees.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from asnsim.correction import crossed
from asnsim.correction.synthetic import crossed_ratings

R_SCRIPT = r"""
suppressMessages(library(lme4))
d <- read.csv(commandArgs(TRUE)[1])
d$ratee_id <- factor(d$ratee_id); d$rater_id <- factor(d$rater_id)
m <- lmer(score ~ 1 + (1|ratee_id) + (1|rater_id), data = d, REML = TRUE)
vc <- as.data.frame(VarCorr(m))
write.csv(data.frame(component = c("ratee", "rater", "residual"),
                     variance = c(vc$vcov[vc$grp == "ratee_id"], vc$vcov[vc$grp == "rater_id"],
                                  vc$vcov[vc$grp == "Residual"])), commandArgs(TRUE)[2], row.names = FALSE)
re <- ranef(m)$rater_id
write.csv(data.frame(rater_id = rownames(re), effect = re[, 1]), commandArgs(TRUE)[3], row.names = FALSE)
"""


def _have_lme4() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "quit(status = !requireNamespace('lme4', quietly = TRUE))"],
                           capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _have_lme4(), reason="R tier skipped: Rscript or the R package lme4 is "
                                "not installed (apt-get install r-base-core r-cran-lme4)")


def test_crossed_matches_lme4(tmp_path):
    df = crossed_ratings(1800, np.random.default_rng(2024), n_items=7)
    assert len(df) >= 50_000
    data = tmp_path / "ratings.csv"
    df[["ratee_id", "rater_id", "score"]].to_csv(data, index=False)
    script = tmp_path / "fit.R"
    script.write_text(R_SCRIPT)
    subprocess.run(["Rscript", str(script), str(data), str(tmp_path / "vc.csv"), str(tmp_path / "re.csv")],
                   check=True, capture_output=True, timeout=300)
    ref_vc = pd.read_csv(tmp_path / "vc.csv")
    ref_re = pd.read_csv(tmp_path / "re.csv").set_index("rater_id")["effect"]
    res = crossed(df)
    # 3 significant digits on the variance components
    np.testing.assert_allclose(res.variance_components["variance"], ref_vc["variance"], rtol=5e-4)
    ours = res.rater_effects.set_index("rater_id")["effect"].reindex(ref_re.index)
    assert np.corrcoef(ours, ref_re)[0, 1] >= 0.9999


# ---- real data: lme4's InstEval (students rate lecturers), exported by R at test time (not shipped) ----

R_INSTEVAL = r"""
suppressMessages({library(lme4); library(lmerTest)})
args <- commandArgs(TRUE)
data(InstEval)
set.seed(as.integer(args[2]))
d <- InstEval[sample(nrow(InstEval), as.integer(args[3])), ]
out <- data.frame(s = as.character(d$s), d = as.character(d$d), y = d$y, service = as.integer(as.character(d$service)),
                  dept = as.character(d$dept))
write.csv(out, args[1], row.names = FALSE)
out$dept <- factor(out$dept)
m <- lmerTest::lmer(as.formula(args[4]), data = out, REML = TRUE)
vc <- as.data.frame(VarCorr(m))
write.csv(data.frame(component = c("ratee", "rater", "residual"),
                     variance = c(vc$vcov[vc$grp == "d"], vc$vcov[vc$grp == "s"], vc$vcov[vc$grp == "Residual"])),
          args[5], row.names = FALSE)
co <- summary(m)$coefficients
write.csv(data.frame(term = rownames(co), estimate = co[, 1], se = co[, 2], df = co[, 3]), args[6], row.names = FALSE)
"""


def _have_lmertest() -> bool:
    return subprocess.run(["Rscript", "-e", "quit(status = !requireNamespace('lmerTest', quietly = TRUE))"],
                          capture_output=True).returncode == 0


def _insteval(tmp_path, n: int, formula: str, seed: int = 14):
    script = tmp_path / "insteval.R"
    script.write_text(R_INSTEVAL)
    files = [tmp_path / f for f in ("d.csv", "vc.csv", "fe.csv")]
    subprocess.run(["Rscript", str(script), str(files[0]), str(seed), str(n), formula, str(files[1]), str(files[2])],
                   check=True, capture_output=True, timeout=600)
    return [pd.read_csv(f) for f in files]


@pytest.mark.skipif(not _have_lme4() or not _have_lmertest(),
                    reason="R tier skipped: lmerTest is not installed (apt-get install r-cran-lmertest)")
def test_covariates_match_lmertest_on_real_data(tmp_path):
    """InstEval, 10,000 ratings, score ~ service + dept + (1|lecturer) + (1|student): estimates, SEs and
    Satterthwaite df of lmerTest to 3 significant digits, and the same variance components."""
    data, ref_vc, ref_fe = _insteval(tmp_path, 10_000, "y ~ service + dept + (1|d) + (1|s)")
    res = crossed(data, ratee="d", rater="s", score="y", formula="service + C(dept)")
    np.testing.assert_allclose(res.variance_components["variance"], ref_vc["variance"], rtol=5e-4)
    fe = res.tables["fixed_effects"].set_index("term")
    # R sorts the dept codes as text ("1", "10", ...), formulaic as numbers: the reference level is dept 1 in both
    ref_fe["term"] = ref_fe["term"].str.replace(r"^dept(\w+)$", r"C(dept)[T.\1]", regex=True)
    ref_fe = ref_fe.set_index("term").rename(index={"(Intercept)": "(Intercept)"})
    assert sorted(fe.index) == sorted(ref_fe.index)
    for col, rtol in (("estimate", 5e-4), ("se", 5e-4), ("df", 5e-3)):
        np.testing.assert_allclose(fe.loc[ref_fe.index, col].to_numpy(), ref_fe[col].to_numpy(), rtol=rtol,
                                   atol=1e-6)


@pytest.mark.skipif(not _have_lmertest(), reason="R tier skipped: lmerTest is not installed")
def test_disconnected_real_sample_fitted_as_lme4_does(tmp_path):
    """A random 2,000-rating sample of InstEval is disconnected; crossed fits it (with a warning) as lme4 does."""
    import warnings

    from asnsim.correction import analyze, describe_design
    from asnsim.errors import DesignWarning

    data, ref_vc, _ = _insteval(tmp_path, 2_000, "y ~ 1 + (1|d) + (1|s)")
    assert describe_design(data, "d", "s").n_subsets > 1
    with pytest.warns(DesignWarning, match="disconnected"):
        res = analyze(data, "crossed", ratee="d", rater="s", score="y")
    # 3 significant digits; a component on the boundary is 0 here and ~1e-14 in lme4
    np.testing.assert_allclose(res.variance_components["variance"], ref_vc["variance"], rtol=5e-4, atol=1e-8)
    del warnings
