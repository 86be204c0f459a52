"""Correction strategies a policy can name besides the statistical models.

``forum``
    A forum calibration (the Serang evaluation forum): the panel reviews each
    rater's ratings and pulls the rater's mean part of the way toward the
    panel's mean: ``y' = y - w (m_j - m_panel)``, ``0 <= w <= 1``; ``w = 1``
    is per-rater centering, ``w = 0`` no change.  The panel is everyone in the
    same ``panel`` group (for example the unit), or the whole organisation.
``anchor``
    Anchoring subjective ratings on objective indicators: regress the ratings
    on the ratee's objective indicator (``y = a + b o + r``, pooled least
    squares), take each rater's mean residual ``r_j`` (how much higher the
    rater rates than the objective record predicts) and remove it:
    ``y' = y - w r_j``.  This keeps real differences between the ratees that
    the indicators confirm, which plain centering would remove (Murphy &
    Cleveland 1995, ch. 10).

References
----------
Murphy, K. R., Cleveland, J. N. (1995). Understanding Performance Appraisal. Sage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import InputError
from ._data import codes, encode, group_stats
from .result import RaterAnalysis, ratee_raw


def _tables(enc, adj, effect, method, info, extra=None) -> RaterAnalysis:
    n_r, _, sd_r = group_stats(enc.rater, enc.y, enc.n_rater)
    rater_effects = pd.DataFrame({"rater_id": enc.rater_ids, "n": n_r.astype(int), "effect": effect,
                                  "se": sd_r / np.sqrt(n_r), **(extra or {})})
    n_e, raw = ratee_raw(enc.ratee, enc.y, enc.n_ratee)
    _, m_adj, sd_adj = group_stats(enc.ratee, adj, enc.n_ratee)
    ratee_scores = pd.DataFrame({"ratee_id": enc.ratee_ids, "n": n_e.astype(int), "raw_mean": raw,
                                 "adjusted": m_adj, "se": sd_adj / np.sqrt(n_e)})
    return RaterAnalysis(method, rater_effects, ratee_scores, adj, None, info)


def forum(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID, score: str = C.SCORE,
          weight: float = 0.5, panel: str | None = None, source: str = "ratings") -> RaterAnalysis:
    """Forum calibration: shrink each rater's mean toward the panel mean by ``weight``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ratee_id": [1, 2, 3, 4], "rater_id": ["a", "a", "b", "b"],
    ...                    "score": [4.0, 4.0, 2.0, 2.0]})
    >>> forum(df, weight=0.5).adjusted.tolist()
    [3.5, 3.5, 2.5, 2.5]
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"forum weight must be in [0, 1], got {weight}")
    enc = encode(ratings, ratee, rater, score, source)
    _, m_r, _ = group_stats(enc.rater, enc.y, enc.n_rater)
    if panel is None:
        pan = np.zeros(len(enc.y), np.int64)
    else:
        if panel not in ratings.columns:
            raise InputError(source, "missing column (named as the forum panel)", column=panel)
        pan, _ = codes(ratings[panel])
    _, m_p, _ = group_stats(pan, enc.y, int(pan.max()) + 1)
    effect = m_r[enc.rater] - m_p[pan]
    adj = enc.y - weight * effect
    eff_r = np.bincount(enc.rater, weights=effect, minlength=enc.n_rater) / np.bincount(enc.rater)
    return _tables(enc, adj, eff_r, "forum", {"weight": weight, "panel": panel})


def anchor(ratings: pd.DataFrame, objective: pd.Series, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID,
           score: str = C.SCORE, weight: float = 1.0, source: str = "ratings") -> RaterAnalysis:
    """Anchor ratings on an objective indicator per ratee (``objective``: a Series indexed by ratee id).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ratee_id": [1, 2, 3, 4], "rater_id": ["a", "a", "b", "b"],
    ...                    "score": [2.0, 3.0, 3.0, 4.0]})
    >>> obj = pd.Series([1.0, 2.0, 1.0, 2.0], index=[1, 2, 3, 4])
    >>> anchor(df, obj).adjusted.round(6).tolist()
    [2.5, 3.5, 2.5, 3.5]
    """
    enc = encode(ratings, ratee, rater, score, source)
    o = pd.Series(objective).reindex(ratings[ratee].to_numpy()).to_numpy(dtype=float)
    if np.isnan(o).any():
        row = int(np.flatnonzero(np.isnan(o))[0]) + 1
        raise InputError(source, f"no objective indicator for ratee {ratings[ratee].iloc[row - 1]}", row=row,
                         column=ratee)
    X = np.column_stack([np.ones(len(o)), o])
    coef, *_ = np.linalg.lstsq(X, enc.y, rcond=None)
    resid = enc.y - X @ coef
    n_r = np.bincount(enc.rater, minlength=enc.n_rater)
    r_j = np.bincount(enc.rater, weights=resid, minlength=enc.n_rater) / n_r
    adj = enc.y - weight * r_j[enc.rater]
    return _tables(enc, adj, r_j, "anchor", {"weight": weight, "intercept": coef[0], "slope": coef[1]})
