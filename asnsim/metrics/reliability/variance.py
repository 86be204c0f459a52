"""Variance components of a crossed ratee x rater model (unbalanced data) and the ICCs they imply.

References
----------
Searle, S. R., Casella, G. & McCulloch, C. E. (1992). Variance Components. Wiley.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import columns as C
from ...errors import DesignError
from .._table import ALL, NAN, tidy


VC_ROWS = ("var_ratee", "var_rater", "var_residual", "icc_vc_agreement", "icc_vc_consistency")
MIXEDLM_MAX_RATINGS = 20_000


def _crossed_backend():
    """asnsim.correction.crossed.crossed (sparse REML, lme4 parity) when that module is installed."""
    try:
        from ...correction.crossed import crossed
    except ImportError:
        return None
    return crossed


def variance_components(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID,
                        score: str = C.SCORE, method: str = "auto", fit=None) -> pd.DataFrame:
    """Ratee, rater and residual variance of a crossed random-effects model, and the ICCs they imply.

    Model: score = mu + u_ratee + v_rater + e, all random (REML), which
    handles any unbalanced, connected design.  ``icc_vc_agreement`` =
    s2_ratee / (s2_ratee + s2_rater + s2_e) is the single-rating reliability
    when raters' leniency counts as error; ``icc_vc_consistency`` =
    s2_ratee / (s2_ratee + s2_e) when it does not (e.g. after a leniency
    correction).  On balanced data they equal ICC(A,1) and ICC(C,1) whenever
    the ANOVA estimates are non-negative.  With one atasan per ratee and few
    ratees per atasan, rater and ratee variance are hard to tell apart: the
    estimates are then imprecise (read ``var_rater`` with care).

    Parameters
    ----------
    method : {"auto", "crossed", "mixedlm"}
        ``crossed``: asnsim.correction.crossed (sparse REML, large data);
        ``mixedlm``: statsmodels MixedLM with two variance components on one
        group, dense, so limited to ``MIXEDLM_MAX_RATINGS`` ratings;
        ``auto``: crossed when available, else mixedlm.
    fit : REMLFit, optional
        An already fitted ``score ~ 1 + (1|ratee) + (1|rater)`` on these ratings
        (:class:`asnsim.correction.reml.REMLFit`): its estimates are used, nothing is refitted.

    References
    ----------
    Searle, S. R., Casella, G. & McCulloch, C. E. (1992). Variance Components. Wiley.
    Bates, D. et al. (2015). J. Stat. Softw. 67(1) (lme4).
    """
    d = ratings[[ratee, rater, score]].dropna()
    if fit is not None:
        return _vc_table(*fit.variances())
    backend = _crossed_backend() if method in ("auto", "crossed") else None
    if method == "crossed" and backend is None:
        raise DesignError("variance_components: asnsim.correction.crossed is not available; use method='mixedlm'")
    if backend is not None:
        vc = backend(d, ratee=ratee, rater=rater, score=score).variance_components
        v = vc.set_index("component")["variance"].astype(float)
        s2p, s2r, s2e = float(v["ratee"]), float(v["rater"]), float(v["residual"])
    else:
        if len(d) > MIXEDLM_MAX_RATINGS:
            raise DesignError(f"ratings: {len(d)} ratings is too many for the dense statsmodels MixedLM "
                              f"(limit {MIXEDLM_MAX_RATINGS}); the sparse crossed model is needed")
        s2p, s2r, s2e = _mixedlm_vc(d, ratee, rater, score)
    return _vc_table(s2p, s2r, s2e)


def _vc_table(s2p: float, s2r: float, s2e: float) -> pd.DataFrame:
    tot = s2p + s2r + s2e
    rows = [("var_ratee", ALL, s2p), ("var_rater", ALL, s2r), ("var_residual", ALL, s2e),
            ("icc_vc_agreement", ALL, s2p / tot if tot > 0 else NAN),
            ("icc_vc_consistency", ALL, s2p / (s2p + s2e) if s2p + s2e > 0 else NAN)]
    return tidy(rows)


def _mixedlm_vc(d: pd.DataFrame, ratee: str, rater: str, score: str) -> tuple[float, float, float]:
    import warnings

    from statsmodels.regression.mixed_linear_model import MixedLM, VCSpec

    y = d[score].to_numpy(float)
    pi, _ = pd.factorize(d[ratee])
    ri, _ = pd.factorize(d[rater])
    if pi.max() < 1 or ri.max() < 1:
        raise DesignError("ratings: variance components need at least two ratees and two raters")
    Zp = np.zeros((len(y), pi.max() + 1))
    Zp[np.arange(len(y)), pi] = 1.0
    Zr = np.zeros((len(y), ri.max() + 1))
    Zr[np.arange(len(y)), ri] = 1.0
    spec = VCSpec(["ratee", "rater"],
                  [[[f"p{i}" for i in range(Zp.shape[1])]], [[f"r{i}" for i in range(Zr.shape[1])]]],
                  [[Zp], [Zr]])
    model = MixedLM(y, np.ones((len(y), 1)), groups=np.zeros(len(y)), exog_vc=spec)
    with warnings.catch_warnings():
        # statsmodels warns when a component sits on the boundary (estimate 0): a legitimate REML answer
        warnings.filterwarnings("ignore", module="statsmodels")
        fit = model.fit(reml=True, method=["lbfgs", "powell"])
    names = list(model.exog_vc.names)
    vc = dict(zip(names, np.asarray(fit.vcomp, float)))
    return vc["ratee"], vc["rater"], float(fit.scale)
