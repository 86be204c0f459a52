"""Intraclass correlations: the one-way ICC(1) for unbalanced data and the six Shrout-Fleiss forms for balanced data.

References
----------
Shrout, P. E. & Fleiss, J. L. (1979). Psychol. Bull. 86:420-428.
McGraw, K. O. & Wong, S. P. (1996). Psychol. Methods 1:30-46.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ... import columns as C
from ...errors import DesignError, InputError
from .._table import ALL, NAN, tidy
from ._targets import multi_rated


def icc_oneway(ratings: pd.DataFrame, targets: str | list[str] = (C.RATEE_ID, C.ITEM),
               score: str = C.SCORE) -> pd.DataFrame:
    """One-way random-effects ICC(1) for unbalanced data (each target its own raters).

    From the one-way ANOVA over targets with at least two ratings:
    ICC(1) = (MSB - MSW) / (MSB + (n0 - 1) MSW) with
    n0 = (N - sum m_i^2 / N) / (a - 1) the effective number of ratings per
    target (a targets, N ratings, m_i per target).  The interval follows
    Shrout & Fleiss (1979) with n0 in place of k.  For balanced data it equals
    ICC(1,1) of :func:`icc_forms`.  It treats rater differences (leniency)
    as error: use it when different raters rate different ratees, which is
    the rule in an appraisal.  Row ``icc1`` plus ``icc1_targets``, the number
    of targets used (NaN value when fewer than two targets have two ratings).

    References
    ----------
    Shrout, P. E. & Fleiss, J. L. (1979). Psychol. Bull. 86:420-428.
    Searle, S. R., Casella, G. & McCulloch, C. E. (1992). Variance Components, ch. 3.
    """
    u, y = multi_rated(ratings, list(targets) if not isinstance(targets, str) else targets, score)
    a = int(u.max()) + 1 if len(u) else 0
    N = len(y)
    if a < 2 or N <= a:
        return tidy([("icc1", ALL, NAN), ("icc1_targets", ALL, float(a))])
    m = np.bincount(u, minlength=a).astype(float)
    mu = np.bincount(u, weights=y, minlength=a) / m
    msb = float((m * (mu - y.mean()) ** 2).sum() / (a - 1))
    msw = float(((y - mu[u]) ** 2).sum() / (N - a))
    n0 = (N - (m**2).sum() / N) / (a - 1)
    if msb == 0 and msw == 0:
        return tidy([("icc1", ALL, NAN), ("icc1_targets", ALL, float(a))])
    icc = (msb - msw) / (msb + (n0 - 1) * msw)
    lo = hi = NAN
    if msw > 0:
        F = msb / msw
        fl = F / stats.f.ppf(0.975, a - 1, N - a)
        fu = F * stats.f.ppf(0.975, N - a, a - 1)
        lo, hi = (fl - 1) / (fl + n0 - 1), (fu - 1) / (fu + n0 - 1)
    return tidy([("icc1", ALL, icc, lo, hi), ("icc1_targets", ALL, float(a))])


ICC_FORMS = ("ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)")
ICC_EXTRA = ["F", "df1", "df2", "pval"]


def _balanced_matrix(ratings: pd.DataFrame, targets: str, raters: str, score: str) -> np.ndarray:
    """targets x raters matrix; DesignError unless every rater rates every target exactly once."""
    for c in (targets, raters, score):
        if c not in ratings.columns:
            raise InputError("ratings", f"no column {c!r}", column=c)
    d = ratings[[targets, raters, score]].dropna()
    ti, tl = pd.factorize(d[targets])
    ri, rl = pd.factorize(d[raters])
    n, k = len(tl), len(rl)
    cnt = np.bincount(ti * k + ri, minlength=n * k)
    if n < 2 or k < 2 or (cnt != 1).any():
        raise DesignError(
            f"ratings: the Shrout-Fleiss ICC forms need every {raters} to rate every {targets} exactly once "
            f"({n} targets x {k} raters, {int((cnt == 0).sum())} missing and {int((cnt > 1).sum())} repeated "
            "cells); use icc_oneway or variance_components for unbalanced data")
    Y = np.empty(n * k)
    Y[ti * k + ri] = d[score].to_numpy(float)
    return Y.reshape(n, k)


def icc_forms(ratings: pd.DataFrame, targets: str = C.RATEE_ID, raters: str = C.RATER_ID,
              score: str = C.SCORE, level: float = 0.95) -> pd.DataFrame:
    """The six Shrout & Fleiss (1979) / McGraw & Wong (1996) ICC forms, with F tests and intervals.

    From the two-way ANOVA of a balanced targets x raters table (n targets,
    k raters): MSB (targets), MSJ (raters), MSE (residual), MSW = within
    targets.  ICC(1,1) = (MSB - MSW)/(MSB + (k-1) MSW) (one-way: each target
    its own raters); ICC(A,1) = (MSB - MSE)/(MSB + (k-1) MSE + k (MSJ - MSE)/n)
    (absolute agreement: rater leniency counts as error); ICC(C,1) =
    (MSB - MSE)/(MSB + (k-1) MSE) (consistency: leniency ignored); the k-forms
    are the reliability of the mean of k raters.  F tests and exact or
    Satterthwaite-approximate intervals follow McGraw & Wong (1996) and equal
    ``pingouin.intraclass_corr``.  Balanced data only: a DesignError tells
    otherwise (appraisals rarely are; see :func:`icc_oneway`).

    Returns
    -------
    DataFrame
        ``metric`` = the six form names, ``group`` all, ``value, ci_low,
        ci_high, F, df1, df2, pval``.

    References
    ----------
    Shrout, P. E. & Fleiss, J. L. (1979). Psychol. Bull. 86:420-428.
    McGraw, K. O. & Wong, S. P. (1996). Psychol. Methods 1:30-46.
    """
    Y = _balanced_matrix(ratings, targets, raters, score)
    n, k = Y.shape
    grand = Y.mean()
    ssb = k * ((Y.mean(1) - grand) ** 2).sum()
    ssj = n * ((Y.mean(0) - grand) ** 2).sum()
    sst = ((Y - grand) ** 2).sum()
    sse = sst - ssb - ssj
    msb, msj = ssb / (n - 1), ssj / (k - 1)
    mse = sse / ((n - 1) * (k - 1))
    msw = (ssj + sse) / (n * (k - 1))
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    icc3 = (msb - mse) / (msb + (k - 1) * mse)
    icc1k = (msb - msw) / msb
    icc2k = (msb - mse) / (msb + (msj - mse) / n)
    icc3k = (msb - mse) / msb
    df1, df1w, df2e = n - 1, n * (k - 1), (n - 1) * (k - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1, f3 = msb / msw, msb / mse
        q = 0.5 + level / 2
        f1l, f1u = f1 / stats.f.ppf(q, df1, df1w), f1 * stats.f.ppf(q, df1w, df1)
        f3l, f3u = f3 / stats.f.ppf(q, df1, df2e), f3 * stats.f.ppf(q, df2e, df1)
        fj = msj / mse
        vn = df2e * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        vd = df1 * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        v = vn / vd
        f2u, f2l = stats.f.ppf(q, n - 1, v), stats.f.ppf(q, v, n - 1)
        l2 = n * (msb - f2u * mse) / (f2u * (k * msj + (k * n - k - n) * mse) + n * msb)
        u2 = n * (f2l * msb - mse) / (k * msj + (k * n - k - n) * mse + n * f2l * msb)
        p1, p3 = stats.f.sf(f1, df1, df1w), stats.f.sf(f3, df1, df2e)
        rows = [
            ("ICC(1,1)", ALL, icc1, (f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1), f1, df1, df1w, p1),
            ("ICC(A,1)", ALL, icc2, l2, u2, f3, df1, df2e, p3),
            ("ICC(C,1)", ALL, icc3, (f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1), f3, df1, df2e, p3),
            ("ICC(1,k)", ALL, icc1k, 1 - 1 / f1l, 1 - 1 / f1u, f1, df1, df1w, p1),
            ("ICC(A,k)", ALL, icc2k, l2 * k / (1 + l2 * (k - 1)), u2 * k / (1 + u2 * (k - 1)), f3, df1, df2e, p3),
            ("ICC(C,k)", ALL, icc3k, 1 - 1 / f3l, 1 - 1 / f3u, f3, df1, df2e, p3),
        ]
    return tidy(rows, extra=ICC_EXTRA)
