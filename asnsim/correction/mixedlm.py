"""The statsmodels MixedLM path for the crossed model: slow, for small data, kept as a cross-check.

Fits the same REML model as :func:`asnsim.correction.crossed` with
``statsmodels.regression.mixed_linear_model.MixedLM`` (one group, crossed
variance components ``0 + C(ratee)`` and ``0 + C(rater)``).  statsmodels
takes seconds to minutes on a few thousand ratings (see benchmarks/bench_crossed.py).

References
----------
Seabold, S., Perktold, J. (2010). statsmodels: Econometric and statistical modeling with Python.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .. import columns as cols  # not "C": patsy formulas below use C()
from ._data import encode
from .result import RaterAnalysis, ratee_raw


def mixedlm(ratings: pd.DataFrame, ratee: str = cols.RATEE_ID, rater: str = cols.RATER_ID, score: str = cols.SCORE,
            source: str = "ratings") -> RaterAnalysis:
    """Fit ``score ~ 1 + (1|ratee) + (1|rater)`` by REML with statsmodels MixedLM.

    Returns the same tables as :func:`asnsim.correction.crossed`, with conditional modes from
    ``random_effects`` and standard errors from ``random_effects_cov``.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    enc = encode(ratings, ratee, rater, score, source)
    df = pd.DataFrame({"y": enc.y, "e": enc.ratee, "r": enc.rater, "g": 0})
    model = sm.MixedLM.from_formula("y ~ 1", groups="g", re_formula="0", data=df,
                                    vc_formula={"ratee": "0 + C(e)", "rater": "0 + C(r)"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit(reml=True)
    notes = [str(w.message) for w in caught if issubclass(w.category, (ConvergenceWarning, UserWarning))]
    names = list(model.exog_vc.names)
    vcomp = dict(zip(names, np.asarray(fit.vcomp, float)))
    re = fit.random_effects[0]
    cov = fit.random_effects_cov[0]
    sd = np.sqrt(np.diag(np.asarray(cov)))

    def pick(prefix: str, size: int) -> tuple[np.ndarray, np.ndarray]:
        mode, se = np.zeros(size), np.zeros(size)
        for j, key in enumerate(re.index):
            if key.startswith(prefix + "[C("):
                level = int(key.split("[")[-1].rstrip("]").lstrip("T."))
                mode[level], se[level] = re.iloc[j], sd[j]
        return mode, se

    u, se_u = pick("ratee", enc.n_ratee)
    v, se_v = pick("rater", enc.n_rater)
    n_r = np.bincount(enc.rater, minlength=enc.n_rater)
    rater_effects = pd.DataFrame({"rater_id": enc.rater_ids, "n": n_r, "effect": v, "se": se_v})
    n_e, raw = ratee_raw(enc.ratee, enc.y, enc.n_ratee)
    mu = float(fit.fe_params.iloc[0])
    ratee_scores = pd.DataFrame({"ratee_id": enc.ratee_ids, "n": n_e.astype(int), "raw_mean": raw,
                                 "adjusted": mu + u, "se": se_u})
    vc = pd.DataFrame({"component": ["ratee", "rater", "residual"],
                       "variance": [vcomp["ratee"], vcomp["rater"], float(fit.scale)], "note": ""})
    info = {"converged": bool(fit.converged), "warnings": notes, "intercept": mu}
    return RaterAnalysis("mixedlm", rater_effects, ratee_scores, enc.y - v[enc.rater], vc, info)
