"""Agreement on categories (Fleiss' kappa, Gwet's AC1) and within-group agreement on scores (rwg).

References
----------
Gwet, K. L. (2008). Br. J. Math. Stat. Psychol. 61:29-48.
James, L. R., Demaree, R. G. & Wolf, G. (1984). J. Appl. Psychol. 69:85-98.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import columns as C
from ...errors import InputError
from .._table import ALL, NAN, as_generator, cluster_weights, percentile_ci, tidy
from ._targets import target_codes


def _category_counts(ratings: pd.DataFrame, targets, category: str, categories) -> tuple[np.ndarray, list]:
    d = ratings.dropna(subset=[category])
    if categories is None:
        vals = d[category]
        if vals.astype(str).isin(list(C.PREDIKAT_ORDER)).all():
            categories = list(C.PREDIKAT_ORDER)
        else:
            categories = sorted(pd.unique(vals).tolist())
    cat_index = {c: i for i, c in enumerate(categories)}
    ci = d[category].map(cat_index)
    if ci.isna().any():
        bad = d[category][ci.isna()].iloc[0]
        raise InputError("ratings", f"category {bad!r} is not among {categories}", column=category)
    u = target_codes(d, targets)
    counts = np.zeros((int(u.max()) + 1 if len(u) else 0, len(categories)))
    np.add.at(counts, (u, ci.to_numpy(int)), 1.0)
    return counts, list(categories)


def _fleiss_parts(counts: np.ndarray) -> np.ndarray:
    m = counts.sum(1)
    return np.column_stack([(counts * (counts - 1)).sum(1) / (m * (m - 1)), counts / m[:, None]])


def _kappa_ac1(parts: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fleiss' kappa and Gwet's AC1 from per-target parts, weights w (B x units) -> (B,), (B,)."""
    tot = w.sum(-1)
    pa = (w @ parts[:, 0]) / tot
    pk = (w @ parts[:, 1:]) / tot[..., None]
    q = parts.shape[1] - 1
    pe_k = (pk**2).sum(-1)
    pe_g = (pk * (1 - pk)).sum(-1) / (q - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (pa - pe_k) / (1 - pe_k), (pa - pe_g) / (1 - pe_g)


def category_agreement(ratings: pd.DataFrame, targets: str | list[str] = C.RATEE_ID,
                       category: str = C.PREDIKAT, categories: list | None = None, n_boot: int = 0,
                       rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """Fleiss' kappa and Gwet's AC1 for categorical ratings (predikat, or a 3-level rating).

    With m raters per target and r_ik of them choosing category k:
    p_a = mean over targets of sum_k r_ik (r_ik - 1) / (m (m - 1)); pi_k the
    overall share of category k.  Fleiss: p_e = sum_k pi_k^2; Gwet's AC1:
    p_e = sum_k pi_k (1 - pi_k) / (q - 1) with q the number of *possible*
    categories (default: the five predikat).  Both are (p_a - p_e)/(1 - p_e).
    When nearly everyone is Baik, kappa's p_e approaches 1 and kappa falls
    toward 0 or below even when raters almost always agree (the kappa
    paradox); AC1 does not, so read AC1 for appraisal data.  Targets with a
    single rating are dropped; Fleiss' kappa equals
    ``statsmodels.stats.inter_rater.fleiss_kappa`` for a constant number of
    raters (for varying m it is the usual generalization with per-target m).
    Intervals: percentile bootstrap over targets.

    References
    ----------
    Fleiss, J. L. (1971). Psychol. Bull. 76:378-382.
    Gwet, K. L. (2008). Br. J. Math. Stat. Psychol. 61:29-48.
    Feinstein, A. R. & Cicchetti, D. V. (1990). J. Clin. Epidemiol. 43:543-549 (the paradox).
    """
    counts, cats = _category_counts(ratings, targets, category, categories)
    counts = counts[counts.sum(1) >= 2]
    if len(counts) < 1 or len(cats) < 2:
        return tidy([("fleiss_kappa", ALL, NAN), ("gwet_ac1", ALL, NAN)])
    parts = _fleiss_parts(counts)
    kappa, ac1 = (float(x) for x in _kappa_ac1(parts, np.ones(len(parts))))
    ci_k = ci_a = (NAN, NAN)
    if n_boot:
        W = cluster_weights(len(parts), n_boot, as_generator(rng))
        bk, ba = _kappa_ac1(parts, W)
        ci_k = tuple(x[0] for x in percentile_ci(bk))
        ci_a = tuple(x[0] for x in percentile_ci(ba))
    return tidy([("fleiss_kappa", ALL, kappa, *ci_k), ("gwet_ac1", ALL, ac1, *ci_a)])


def rwg(ratings: pd.DataFrame, targets: str = C.RATEE_ID, score: str = C.SCORE, n_categories: int = 3,
        items: str | None = None) -> pd.DataFrame:
    """Within-group agreement rwg (James, Demaree & Wolf 1984) against a uniform null.

    For one item: rwg = 1 - s2_x / s2_EU, s2_x the variance (n-1) of the
    target's ratings and s2_EU = (A^2 - 1)/12 the variance of a uniform
    answer over A categories.  With ``items``, rwg(J) = J (1 - s2/s2_EU) /
    (J (1 - s2/s2_EU) + s2/s2_EU) with s2 the mean item variance.  Values
    outside [0, 1] (more disagreement than random) are set to 0 (LeBreton &
    Senter 2008).  Rows: ``rwg_mean``, ``rwg_median`` and ``rwg_share_070``
    (share of targets at or above the 0.70 convention).  A uniform null
    overstates agreement when raters are lenient (responses bunch at the top
    anyway): compare designs, do not certify one.

    References
    ----------
    James, L. R., Demaree, R. G. & Wolf, G. (1984). J. Appl. Psychol. 69:85-98.
    LeBreton, J. M. & Senter, J. L. (2008). Organ. Res. Methods 11:815-852.
    """
    s2_eu = (n_categories**2 - 1) / 12.0
    cols = [targets] + ([items] if items else [])
    d = ratings[cols + [score]].dropna()
    g = d.groupby(cols, observed=True)[score]
    var = g.var(ddof=1)[g.size() >= 2]
    if items:
        s2 = var.groupby(level=0, observed=True).mean()
        J = var.groupby(level=0, observed=True).size().astype(float)
        x = 1 - s2 / s2_eu
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (J * x / (J * x + s2 / s2_eu)).to_numpy(float)
    else:
        r = (1 - var / s2_eu).to_numpy(float)
    r = np.where((r < 0) | (r > 1) | ~np.isfinite(r), 0.0, r)
    if len(r) == 0:
        return tidy([("rwg_mean", ALL, NAN), ("rwg_median", ALL, NAN), ("rwg_share_070", ALL, NAN)])
    return tidy([("rwg_mean", ALL, float(r.mean())), ("rwg_median", ALL, float(np.median(r))),
                 ("rwg_share_070", ALL, float((r >= 0.70).mean()))])
