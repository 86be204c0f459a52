"""Per-rater standardization: centering and z-scoring each rater's ratings.

For rater ``j`` with ratings ``y_jk``, mean ``m_j`` and SD ``s_j``::

    center:  y'_jk = y_jk - m_j + g
    z:       y'_jk = (y_jk - m_j) / s_j * s_pooled + g

where ``g`` is the grand mean of all ratings and ``s_pooled`` the root mean
within-rater variance (over raters with at least two ratings and non-zero
variance), so the adjusted scores stay on the score scale.  Centering removes
any additive leniency exactly (``y = t + l_j`` gives ``y' = t - mean_j(t) + g``);
it assumes raters see comparable ratees (random assignment), otherwise it
also removes real differences between the groups raters rate (Wolfe 2004;
Guilford 1954, ch. 11).  Rules for awkward raters:

* a rater with fewer than ``min_ratees`` distinct ratees is left unadjusted
  (``status = "too_few_ratees"``): centering a supervisor of one employee would
  erase that employee's standing;
* a rater whose ratings do not vary (``s_j = 0``) is centered but not scaled
  (``status = "no_variance"``).

References
----------
Guilford, J. P. (1954). Psychometric Methods, 2nd ed. McGraw-Hill.
Wolfe, E. W. (2004). Identifying rater effects using latent trait models.
Psychology Science 46, 35-51.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .. import columns as C
from ._data import encode, group_stats
from .result import RaterAnalysis, ratee_raw


def standardize(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID, score: str = C.SCORE,
                scale: Literal["center", "z"] = "center", min_ratees: int = 2,
                source: str = "ratings") -> RaterAnalysis:
    """Center (or z-score) each rater's ratings; return rater effects and adjusted scores.

    Parameters
    ----------
    ratings : DataFrame
        Long ratings table.
    ratee, rater, score : str
        Column names.
    scale : {"center", "z"}
        ``center`` subtracts each rater's mean; ``z`` also divides by the rater's SD.
    min_ratees : int
        Raters with fewer distinct ratees are left unadjusted.
    source : str
        Name of the data for error messages.

    Returns
    -------
    RaterAnalysis
        ``rater_effects``: ``effect = m_j - g`` with ``se = s_j / sqrt(n_j)``, plus ``n_ratees``,
        ``raw_mean``, ``sd``, ``status``; ``ratee_scores``: mean adjusted score and its SE.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ratee_id": [1, 2, 1, 2], "rater_id": ["a", "a", "b", "b"],
    ...                    "score": [3.0, 2.0, 4.0, 3.0]})
    >>> standardize(df).ratee_scores["adjusted"].tolist()
    [3.5, 2.5]
    """
    if scale not in ("center", "z"):
        raise ValueError(f"scale must be 'center' or 'z', got {scale!r}")
    enc = encode(ratings, ratee, rater, score, source)
    y, r = enc.y, enc.rater
    n, m, s = group_stats(r, y, enc.n_rater)
    pairs = pd.DataFrame({"r": r, "e": enc.ratee}).drop_duplicates()
    n_ratees = np.bincount(pairs["r"].to_numpy(), minlength=enc.n_rater)
    g = float(y.mean())
    ok = n_ratees >= min_ratees
    novar = ok & ~(s > 0)
    status = np.where(~ok, "too_few_ratees", np.where(novar, "no_variance", "adjusted"))
    shift = np.where(ok, m - g, 0.0)
    factor = np.ones(enc.n_rater)
    if scale == "z":
        good = ok & (s > 0)
        s_pooled = float(np.sqrt(np.mean(s[good] ** 2))) if good.any() else 1.0
        factor = np.where(good, s_pooled / np.where(good, s, 1.0), 1.0)
    adj = np.where(ok[r], (y - m[r]) * factor[r] + g, y)
    with np.errstate(invalid="ignore"):
        se = s / np.sqrt(n)
    rater_effects = pd.DataFrame({"rater_id": enc.rater_ids, "n": n.astype(int), "effect": m - g, "se": se,
                                  "n_ratees": n_ratees, "raw_mean": m, "sd": s, "status": status,
                                  "applied_shift": shift})
    n_e, raw = ratee_raw(enc.ratee, y, enc.n_ratee)
    _, adj_mean, adj_sd = group_stats(enc.ratee, adj, enc.n_ratee)
    ratee_scores = pd.DataFrame({"ratee_id": enc.ratee_ids, "n": n_e.astype(int), "raw_mean": raw,
                                 "adjusted": adj_mean, "se": adj_sd / np.sqrt(n_e)})
    info = {"scale": scale, "grand_mean": g, "min_ratees": min_ratees,
            "unadjusted_raters": int((~ok).sum()), "no_variance_raters": int(novar.sum())}
    return RaterAnalysis("standardize", rater_effects, ratee_scores, adj, None, info)
