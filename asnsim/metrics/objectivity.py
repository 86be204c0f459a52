"""Objectivity: how well the final score and the predikat recover true performance.

These metrics need the truth, so they apply to simulated data only (the
``true_performance`` column of a simulated employees table).  Each function
returns the tidy table of :mod:`asnsim.metrics._table`.

The *truth-based predikat* gives the same number of employees each predikat as
the observed distribution, assigned by true rank: if 17% were rated Sangat
Baik, the 17% with the highest true performance are "truly" Sangat Baik, the
next block "truly" Baik, and so on.  It separates *ordering* errors from the
*level* of the distribution (leniency), which the share metrics show.

The Sangat Baik errors use a fixed reference instead: the truly top
``top_share`` (default 10%) *deserve* Sangat Baik.  With the same-shares
reference, wrongly given and wrongly denied would be equal by construction;
against a fixed top 10% a lenient design gives more undeserved Sangat Baik
and denies fewer, which is the trade-off users ask about.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .. import columns as C
from ._predikat import LEVELS, SB, predikat_codes
from ._table import ALL, NAN, tidy

_Z975 = 1.959963984540054


def _clean(score, truth) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(score, dtype=float)
    t = np.asarray(truth, dtype=float)
    ok = np.isfinite(s) & np.isfinite(t)
    return s[ok], t[ok]


def truly_top(truth: np.ndarray, share: float) -> np.ndarray:
    """Boolean mask of the ``round(share * n)`` (at least 1) employees with the highest truth.

    Ties in truth (a continuous variable, so rare) are broken by position.
    """
    truth = np.asarray(truth, dtype=float)
    n = len(truth)
    k = max(1, int(round(share * n))) if n else 0
    order = np.argsort(-truth, kind="stable")
    mask = np.zeros(n, dtype=bool)
    mask[order[:k]] = True
    return mask


def truth_predikat(predikat, truth) -> np.ndarray:
    """The truth-based predikat: the observed counts of each level, assigned by true rank.

    Parameters
    ----------
    predikat : array-like of str
        Observed predikat (PermenPAN-RB 6/2022 names or known synonyms).
    truth : array-like of float
        True performance, higher is better.

    Returns
    -------
    numpy.ndarray of int
        Codes 0 (Sangat Kurang) .. 4 (Sangat Baik); -1 where the observed
        predikat is missing.

    Examples
    --------
    >>> truth_predikat(["Baik", "Sangat Baik", "Baik"], [3.0, 1.0, 2.0]).tolist()
    [4, 3, 3]
    """
    codes = predikat_codes(predikat)
    truth = np.asarray(truth, dtype=float)
    out = np.full(len(codes), -1, dtype=np.int64)
    ok = np.flatnonzero(codes >= 0)
    counts = np.bincount(codes[ok], minlength=len(LEVELS))[::-1]
    order = ok[np.argsort(-truth[ok], kind="stable")]
    out[order] = np.repeat(np.arange(len(LEVELS))[::-1], counts)
    return out


def predikat_confusion(predikat, truth) -> pd.DataFrame:
    """Counts of truth-based predikat (rows) against observed predikat (columns).

    Both axes list the five PermenPAN-RB 6/2022 levels from Sangat Kurang to
    Sangat Baik; the diagonal holds the employees whose predikat matches their
    true rank.  See :func:`truth_predikat` for the reference.
    """
    obs = predikat_codes(predikat)
    ref = truth_predikat(predikat, truth)
    ok = obs >= 0
    m = len(LEVELS)
    cells = np.bincount(ref[ok] * m + obs[ok], minlength=m * m).reshape(m, m)
    return pd.DataFrame(cells, index=pd.Index(LEVELS, name="truth_predikat"),
                        columns=pd.Index(LEVELS, name="observed_predikat"))


def rank_correlations(score, truth, ci: bool = True) -> pd.DataFrame:
    """Spearman's rho and Kendall's tau-b between final score and true performance.

    Intervals use Fisher's z with the standard errors of Bonett & Wright (2000)
    for rho, sqrt((1 + rho^2/2)/(n - 3)), and Fieller, Hartley & Pearson (1957)
    for tau, sqrt(0.437/(n - 4)).  Rank correlations ignore the scale and any
    monotone distortion; they do not see leniency (a shift of everyone).
    Do not use them alone for coarse scores with many ties (a 3-level scale):
    tau-b then stays well below 1 even for a perfect design.

    References
    ----------
    Bonett, D. G. & Wright, T. A. (2000). Psychometrika 65:23-28.
    Fieller, E. C., Hartley, H. O. & Pearson, E. S. (1957). Biometrika 44:470-481.
    """
    s, t = _clean(score, truth)
    n = len(s)
    rows = []
    if n < 3 or np.ptp(s) == 0 or np.ptp(t) == 0:
        return tidy([("spearman", ALL, NAN), ("kendall", ALL, NAN)])
    rho = float(stats.spearmanr(s, t).statistic)
    tau = float(stats.kendalltau(s, t).statistic)
    for name, r, se in (("spearman", rho, np.sqrt((1 + rho**2 / 2) / (n - 3)) if n > 3 else NAN),
                        ("kendall", tau, np.sqrt(0.437 / (n - 4)) if n > 4 else NAN)):
        lo = hi = NAN
        if ci and np.isfinite(se) and abs(r) < 1:
            z = np.arctanh(r)
            lo, hi = float(np.tanh(z - _Z975 * se)), float(np.tanh(z + _Z975 * se))
        rows.append((name, ALL, r, lo, hi))
    return tidy(rows)


def topk_precision(score, truth, top_share: float = 0.10) -> float:
    """Share of the k best-scored employees who are truly among the top k (k = top_share * n).

    Ties at the k-th score are shared out: each tied employee counts with
    weight (free places)/(number tied), the expected precision under a random
    tie-break, so coarse scales are not flattered or punished by sort order.

    Examples
    --------
    Scores 3, 2, 2, 1 and truth 4, 3, 1, 2 with k = 2: the top scorer is truly
    top-2 (weight 1); the two tied at 2 share one place (0.5 each) and one of
    them is truly top-2: (1 + 0.5) / 2 = 0.75.

    >>> topk_precision([3, 2, 2, 1], [4, 3, 1, 2], top_share=0.5)
    0.75
    """
    s, t = _clean(score, truth)
    n = len(s)
    if n == 0:
        return NAN
    k = max(1, int(round(top_share * n)))
    kth = np.partition(s, n - k)[n - k]
    above = s > kth
    tied = s == kth
    w = above + tied * (k - above.sum()) / tied.sum()
    return float((w * truly_top(t, top_share)).sum() / k)


def sangat_baik_errors(predikat, truth, top_share: float = 0.10) -> tuple[float, float]:
    """(wrongly given, wrongly denied) Sangat Baik against the truly top ``top_share``.

    Wrongly given: among those rated Sangat Baik, the share not truly in the
    top ``top_share`` (1 - precision; NaN when nobody is Sangat Baik).
    Wrongly denied: among the truly top, the share not rated Sangat Baik
    (1 - recall).  A design that gives Sangat Baik to more than ``top_share``
    necessarily has wrongly given >= 1 - top_share/share given.

    Examples
    --------
    >>> sangat_baik_errors(["Sangat Baik", "Sangat Baik", "Baik", "Baik"], [1, 4, 3, 2], 0.5)
    (0.5, 0.5)
    """
    codes = predikat_codes(predikat)
    truth = np.asarray(truth, dtype=float)
    ok = (codes >= 0) & np.isfinite(truth)
    given = codes[ok] == SB
    deserving = truly_top(truth[ok], top_share)
    wg = float((given & ~deserving).sum() / given.sum()) if given.any() else NAN
    wd = float((deserving & ~given).sum() / deserving.sum()) if deserving.any() else NAN
    return wg, wd


def standardized_error(score, truth) -> tuple[float, float]:
    """(RMSE, MAE) between the z-scored final score and the z-scored truth.

    A common scale for designs whose scores live on different ranges (0-100,
    0-120, a 3x3 matrix).  For z-scores RMSE^2 = 2(1 - r) with r the Pearson
    correlation, so it adds no information beyond r for one design; use it to
    compare designs on one scale, not as a test.
    """
    s, t = _clean(score, truth)
    if len(s) < 2 or np.std(s) == 0 or np.std(t) == 0:
        return NAN, NAN
    d = (s - s.mean()) / s.std(ddof=1) - (t - t.mean()) / t.std(ddof=1)
    return float(np.sqrt(np.mean(d**2))), float(np.mean(np.abs(d)))


def predikat_agreement(predikat, truth) -> tuple[float, float, float]:
    """Shares of employees whose predikat equals, exceeds or falls short of the truth-based one."""
    obs = predikat_codes(predikat)
    ref = truth_predikat(predikat, truth)
    ok = obs >= 0
    if not ok.any():
        return NAN, NAN, NAN
    o, r = obs[ok], ref[ok]
    return float(np.mean(o == r)), float(np.mean(o > r)), float(np.mean(o < r))


def objectivity(scores: pd.DataFrame, employees: pd.DataFrame, top_share: float = 0.10,
                ci: bool = True) -> pd.DataFrame:
    """All objectivity metrics of one appraisal round, as one tidy table.

    Parameters
    ----------
    scores : DataFrame
        ``employee_id, final_score, predikat``.
    employees : DataFrame
        ``employee_id, true_performance`` (simulated data).
    top_share : float
        The truly top share that deserves Sangat Baik (also k of top-k precision).
    ci : bool
        Whether to compute the rank-correlation intervals.

    Returns
    -------
    DataFrame
        Rows ``spearman, kendall, topk_precision, share_sb_wrongly_given,
        share_sb_wrongly_denied, predikat_agreement, predikat_too_high,
        predikat_too_low, rmse_standardized, mae_standardized`` (group ``all``).

    Examples
    --------
    >>> from asnsim.pipeline import simulate
    >>> sim = simulate("permenpan-6-2022", n=200, seed=1)
    >>> objectivity(sim.scores, sim.employees).metric.tolist()[:3]
    ['spearman', 'kendall', 'topk_precision']
    """
    m = scores[[C.EMPLOYEE_ID, C.FINAL_SCORE, C.PREDIKAT]].merge(
        employees[[C.EMPLOYEE_ID, C.TRUE_PERFORMANCE]], on=C.EMPLOYEE_ID, how="inner")
    s = m[C.FINAL_SCORE].to_numpy(float)
    t = m[C.TRUE_PERFORMANCE].to_numpy(float)
    p = m[C.PREDIKAT]
    out = [rank_correlations(s, t, ci=ci)]
    wg, wd = sangat_baik_errors(p, t, top_share)
    agree, high, low = predikat_agreement(p, t)
    rmse, mae = standardized_error(s, t)
    out.append(tidy([
        ("topk_precision", ALL, topk_precision(s, t, top_share)),
        ("share_sb_wrongly_given", ALL, wg),
        ("share_sb_wrongly_denied", ALL, wd),
        ("predikat_agreement", ALL, agree),
        ("predikat_too_high", ALL, high),
        ("predikat_too_low", ALL, low),
        ("rmse_standardized", ALL, rmse),
        ("mae_standardized", ALL, mae),
    ]))
    return pd.concat(out, ignore_index=True)
