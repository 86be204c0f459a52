"""Reliability and agreement of ratings: ICC, Krippendorff's alpha, kappa, AC1, rwg, G theory.

Long tables in (one row per rating: a target such as a ratee or a
ratee-item pair, a rater, a score), tidy tables out.  Which to use:

- balanced data (every rater rates every target): the six Shrout-Fleiss ICC
  forms (:func:`icc_forms`); ICC(A,1) when raters' levels matter (absolute
  agreement), ICC(C,1) when only their ordering does, the k-forms for the
  mean of k raters;
- unbalanced data (each ratee has their own atasan, panels of different
  sizes): the one-way ICC (:func:`icc_oneway`) or variance components of a
  crossed ratee x rater model (:func:`variance_components`);
- ordinal categories with missing data: Krippendorff's alpha
  (:func:`krippendorff_alpha`);
- predikat agreement: Fleiss' kappa and Gwet's AC1 (:func:`predikat_agreement`);
  kappa collapses when nearly everyone is Baik, AC1 does not;
- within-group agreement: rwg (:func:`rwg`);
- design questions (how many raters or indicators for a target reliability):
  G and Phi coefficients and the D-study (:func:`g_study`, :func:`d_study`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .. import columns as C
from ..errors import DesignError, InputError
from ._table import ALL, NAN, as_generator, cluster_weights, percentile_ci, tidy


def _target_codes(ratings: pd.DataFrame, targets: str | list[str]) -> np.ndarray:
    cols = [targets] if isinstance(targets, str) else list(targets)
    for c in cols:
        if c not in ratings.columns:
            raise InputError("ratings", f"no column {c!r}", column=c)
    if len(cols) == 1:
        return pd.factorize(ratings[cols[0]], use_na_sentinel=True)[0]
    return ratings.groupby(cols, observed=True, sort=False, dropna=False).ngroup().to_numpy()


def _multi_rated(ratings: pd.DataFrame, targets, score: str) -> tuple[np.ndarray, np.ndarray]:
    """(target code 0..u-1, score) of the ratings whose target has at least two scores."""
    y = ratings[score].to_numpy(dtype=float)
    u = _target_codes(ratings, targets)
    ok = np.isfinite(y) & (u >= 0)
    y, u = y[ok], u[ok]
    m = np.bincount(u)
    keep = m[u] >= 2
    y, u = y[keep], u[keep]
    _, u = np.unique(u, return_inverse=True)
    return u, y


# ------------------------------------------------------------------ one-way ICC (unbalanced)

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
    u, y = _multi_rated(ratings, list(targets) if not isinstance(targets, str) else targets, score)
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


# ------------------------------------------------------------------ Krippendorff's alpha

def _coincidence_parts(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-unit pair counts (units x V*V), value counts (units x V) and the sorted values."""
    vals, vi = np.unique(v, return_inverse=True)
    V = len(vals)
    a = int(u.max()) + 1
    cnt = np.zeros((a, V))
    np.add.at(cnt, (u, vi), 1.0)
    m = cnt.sum(1)
    pairs = (cnt[:, :, None] * cnt[:, None, :])
    idx = np.arange(V)
    pairs[:, idx, idx] -= cnt
    pairs /= (m - 1)[:, None, None]
    return pairs.reshape(a, V * V), cnt, vals


def _delta(level: str, vals: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Krippendorff's squared distance between values, (..., V, V); ordinal uses the marginals n_c (..., V)."""
    V = len(vals)
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(V), n_c.shape[:-1] + (V, V))
    if level == "interval":
        d = (vals[:, None] - vals[None, :]) ** 2
        return np.broadcast_to(d, n_c.shape[:-1] + (V, V))
    if level == "ordinal":
        cs = np.cumsum(n_c, -1)
        # sum_{g=c..k} n_g - (n_c + n_k)/2 for c <= k
        between = cs[..., None, :] - cs[..., :, None] + n_c[..., :, None]
        d = between - (n_c[..., :, None] + n_c[..., None, :]) / 2
        d = np.where(np.arange(V)[:, None] <= np.arange(V)[None, :], d, np.swapaxes(d, -1, -2))
        return d**2
    raise ValueError(f"level must be nominal, ordinal or interval, got {level!r}")


def _alpha_from(o: np.ndarray, n_c: np.ndarray, vals: np.ndarray, level: str) -> np.ndarray:
    """alpha from coincidences o (..., V*V) and marginals n_c (..., V)."""
    V = len(vals)
    o = o.reshape(o.shape[:-1] + (V, V))
    n = n_c.sum(-1)
    d = _delta(level, vals, n_c)
    e = n_c[..., :, None] * n_c[..., None, :]
    do = (o * d).sum((-1, -2))
    de = (e * d).sum((-1, -2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(de > 0, 1.0 - (n - 1) * do / de, NAN)


def krippendorff_alpha(ratings: pd.DataFrame, units: str | list[str] = (C.RATEE_ID, C.ITEM),
                       score: str = C.SCORE, level: str = "interval", n_boot: int = 0,
                       rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """Krippendorff's alpha = 1 - D_o / D_e, with a unit bootstrap interval.

    D_o is the disagreement observed within units (ratee, or ratee-item
    pairs), D_e the disagreement expected by chance from all pairable values;
    the distance is (c - k)^2 for ``interval``, the rank-based distance of
    Krippendorff (2004) for ``ordinal``, and 0/1 for ``nominal``.  Missing
    ratings are allowed; units with a single rating do not count.  Equals the
    ``krippendorff`` package (Castro 2017).  The interval resamples units
    (clusters) with replacement, a percentile bootstrap; Krippendorff's own
    bootstrap (Hayes & Krippendorff 2007) resamples pairable values and
    gives similar widths.  It needs at least two ratings per unit somewhere:
    an appraisal where only the atasan rates has no alpha (NaN).

    Returns
    -------
    DataFrame
        One row ``krippendorff_alpha_<level>``.

    References
    ----------
    Krippendorff, K. (2004). Content analysis, 2nd ed., ch. 11.
    Hayes, A. F. & Krippendorff, K. (2007). Commun. Methods Meas. 1:77-89.
    """
    name = f"krippendorff_alpha_{level}"
    u, y = _multi_rated(ratings, list(units) if not isinstance(units, str) else units, score)
    if len(u) == 0:
        return tidy([(name, ALL, NAN)])
    if level == "interval":
        a = int(u.max()) + 1
        m = np.bincount(u, minlength=a).astype(float)
        s1 = np.bincount(u, weights=y, minlength=a)
        s2 = np.bincount(u, weights=y * y, minlength=a)
        within = (s2 - s1**2 / m) * m / (m - 1)          # m_u W_u / (m_u - 1)
        parts = np.column_stack([m, s1, s2, within])

        def alpha_of(p: np.ndarray) -> np.ndarray:
            n, S1, S2, wthn = p[..., 0], p[..., 1], p[..., 2], p[..., 3]
            T = S2 - S1**2 / n
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(T > 1e-12 * np.maximum(S2, 1), 1.0 - (n - 1) * wthn / (n * T), NAN)

        est = float(alpha_of(parts.sum(0)))
        boot = (lambda W: alpha_of(W @ parts))
    else:
        pairs, cnt, vals = _coincidence_parts(u, y)
        est = float(_alpha_from(pairs.sum(0), cnt.sum(0), vals, level))
        boot = (lambda W: _alpha_from(W @ pairs, W @ cnt, vals, level))
    lo = hi = NAN
    if n_boot:
        gen = as_generator(rng)
        a = int(u.max()) + 1
        draws = []
        chunk = max(1, int(2e6 // a))
        for start in range(0, n_boot, chunk):  # loop over bootstrap chunks (memory), not units
            draws.append(boot(cluster_weights(a, min(chunk, n_boot - start), gen)))
        lo, hi = (x[0] for x in percentile_ci(np.concatenate(draws)))
    return tidy([(name, ALL, est, lo, hi)])
