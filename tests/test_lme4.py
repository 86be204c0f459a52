"""Optional R tier: crossed() against lme4's lmer(score ~ 1 + (1|ratee) + (1|rater), REML).

Skipped when Rscript or the lme4 package is absent (Debian: apt-get install r-base-core r-cran-lme4).
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
