"""Fixed-effect tests of the crossed model with Satterthwaite degrees of freedom, as lmerTest reports them.

For a coefficient ``beta_k`` with variance ``v(psi) = sigma^2 [(R_X' R_X)^-1]_kk``
as a function of the variance parameters ``psi = (theta, sigma)``, the
Satterthwaite (1946) approximation gives::

    df = 2 v^2 / (g' A g),   g = d v / d psi,   A = 2 H^-1

where ``H`` is the Hessian of the REML deviance ``d(theta, sigma)`` (not
profiled) at the estimate, so ``A`` is the asymptotic covariance of ``psi``.
This is lmerTest's computation (Kuznetsova, Brockhoff & Christensen 2017,
section 3.2), in lmerTest's parameters.  With
``d = log|M| + log|R_X' R_X| + r2 / sigma^2 + (n - p) log(2 pi sigma^2)``
every derivative in ``sigma`` is taken analytically; those in ``theta`` by
central differences of the profiled pieces (``log|M| + log|R_X'R_X|``, ``r2``,
``(R_X'R_X)^-1``) at 8 points around the estimate (lmerTest uses numDeriv's
Richardson extrapolation on the whole function).  ``t = beta / se`` is referred
to Student's t with ``df`` degrees of freedom.

References
----------
Kuznetsova, A., Brockhoff, P. B., Christensen, R. H. B. (2017). lmerTest package: tests in linear mixed
effects models. Journal of Statistical Software 82(13), 1-26.
Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance components.
Biometrics Bulletin 2(6), 110-114.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .reml import REMLFit

FIXED_EFFECT_COLUMNS = ["term", "estimate", "se", "df", "t", "p", "ci_low", "ci_high"]


def _pieces(fit: REMLFit, theta: np.ndarray) -> tuple[float, float, np.ndarray]:
    ev = fit.model.evaluate(theta)
    return ev.logdet_m + ev.logdet_rx, ev.r2, np.linalg.inv(ev.rxtrx)


def _theta_derivatives(fit: REMLFit, free: np.ndarray, rel_step: float):
    """First and second derivatives in the free thetas of (log-dets, r2) and first of (R_X'R_X)^-1."""
    th = fit.theta.astype(float)
    k = len(free)
    h = np.maximum(np.abs(th[free]) * rel_step, rel_step * 0.1)
    a0, r0, c0 = _pieces(fit, th)
    plus, minus = [], []
    for i, j in enumerate(free):
        for sign, store in ((1.0, plus), (-1.0, minus)):
            t = th.copy()
            t[j] += sign * h[i]
            store.append(_pieces(fit, t))
    grad_r = np.array([(plus[i][1] - minus[i][1]) / (2 * h[i]) for i in range(k)])
    grad_c = [(plus[i][2] - minus[i][2]) / (2 * h[i]) for i in range(k)]
    hess_a, hess_r = np.zeros((k, k)), np.zeros((k, k))
    for i in range(k):
        hess_a[i, i] = (plus[i][0] - 2 * a0 + minus[i][0]) / h[i] ** 2
        hess_r[i, i] = (plus[i][1] - 2 * r0 + minus[i][1]) / h[i] ** 2
        for j in range(i + 1, k):
            corner = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                t = th.copy()
                t[free[i]] += si * h[i]
                t[free[j]] += sj * h[j]
                corner.append(_pieces(fit, t))
            for m, out in ((0, hess_a), (1, hess_r)):
                out[i, j] = out[j, i] = (corner[0][m] - corner[1][m] - corner[2][m] + corner[3][m]) / (
                    4 * h[i] * h[j])
    return r0, c0, grad_r, grad_c, hess_a, hess_r


def fixed_effects_table(fit: REMLFit, names: list[str], level: float = 0.95,
                        rel_step: float = 1e-3) -> pd.DataFrame:
    """``term, estimate, se, df, t, p, ci_low, ci_high`` for every fixed-effect coefficient.

    Parameters
    ----------
    fit : REMLFit
        The fitted crossed model (:meth:`asnsim.correction.reml.CrossedREML.fit`).
    names : list of str
        One name per column of the fixed-effects design.
    level : float
        Confidence level of the interval ``estimate +- t_(df) se``.

    Returns
    -------
    DataFrame
        Columns :data:`FIXED_EFFECT_COLUMNS`; ``df`` is Satterthwaite's (lmerTest's ``summary``).
    """
    free = np.flatnonzero(fit.model.free)
    n, p = fit.model.n, fit.model.p
    sigma = float(np.sqrt(fit.sigma2))
    r0, c0, grad_r, grad_c, hess_a, hess_r = _theta_derivatives(fit, free, rel_step)
    k = len(free)
    H = np.zeros((k + 1, k + 1))                       # Hessian of d(theta, sigma) at the estimate
    H[:k, :k] = hess_a + hess_r / sigma ** 2
    H[:k, k] = H[k, :k] = -2.0 * grad_r / sigma ** 3
    H[k, k] = 6.0 * r0 / sigma ** 4 - 2.0 * (n - p) / sigma ** 2
    A = 2.0 * np.linalg.pinv(H)
    beta = fit.best.beta
    var = sigma ** 2 * np.diag(c0)
    g = np.column_stack([sigma ** 2 * np.diag(gc) for gc in grad_c] + [2.0 * sigma * np.diag(c0)])
    denom = np.einsum("ij,jk,ik->i", g, A, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(denom > 0, 2.0 * var ** 2 / denom, np.inf)
    se = np.sqrt(var)
    t = beta / se
    q = stats.t.ppf(0.5 + level / 2, df)
    return pd.DataFrame({"term": names, "estimate": beta, "se": se, "df": df, "t": t,
                         "p": 2.0 * stats.t.sf(np.abs(t), df), "ci_low": beta - q * se, "ci_high": beta + q * se},
                        columns=FIXED_EFFECT_COLUMNS)
