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
    codes, sizes = [], []
    for c in cols:
        col = ratings[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            k, n = col.cat.codes.to_numpy().astype(np.int64), len(col.cat.categories)
        else:
            k, uniq = pd.factorize(col, use_na_sentinel=True)
            k, n = k.astype(np.int64), len(uniq)
        codes.append(k)
        sizes.append(max(n, 1))
    if len(cols) == 1:
        return codes[0]
    missing = np.any([k < 0 for k in codes], axis=0)
    flat = np.ravel_multi_index([np.maximum(k, 0) for k in codes], sizes)
    _, inv = np.unique(flat, return_inverse=True)
    return np.where(missing, -1, inv)


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


# ------------------------------------------------------------------ Shrout-Fleiss ICC (balanced)

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


# ------------------------------------------------------------------ variance components (unbalanced)

VC_ROWS = ("var_ratee", "var_rater", "var_residual", "icc_vc_agreement", "icc_vc_consistency")
MIXEDLM_MAX_RATINGS = 20_000


def _crossed_backend():
    """asnsim.correction.crossed.crossed (sparse REML, lme4 parity) when that module is installed."""
    try:
        from ..correction.crossed import crossed
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


# ------------------------------------------------------------------ kappa and AC1 on categories

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
    u = _target_codes(d, targets)
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


# ------------------------------------------------------------------ rwg

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
