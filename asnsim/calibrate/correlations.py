"""Bivariate normal probabilities and the polychoric correlation of pooled contingency tables.

The two-step estimator of Olsson (1979): thresholds from each item's margins (:func:`thresholds`), then the
correlation that maximizes the bivariate-normal likelihood of the stacked tables (:func:`polychoric`); the bivariate
normal CDF is written with Owen's T function (Owen 1956).  On a numeric scale the pooled Pearson correlation
(:func:`pearson_from_tables`) takes its place.

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
coefficient. Psychometrika 44:443-460.
Owen, D. B. (1956). Tables for computing bivariate normal probabilities.
Annals of Mathematical Statistics 27:1075-1090.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special


BOUND = 8.0  # +-infinity for thresholds, in SD units (Phi(8) = 1 - 6e-16)


# ---------------------------------------------------------------- bivariate normal and polychoric

def bvn_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """Bivariate standard normal CDF ``P(X <= h, Y <= k)`` with correlation ``rho``, vectorized.

    Uses Owen's T: ``Phi2 = (Phi(h) + Phi(k))/2 - T(h, a_h) - T(k, a_k) - beta`` with
    ``a_h = (k - rho h) / (h sqrt(1 - rho^2))``, ``a_k = (h - rho k)/(k sqrt(1 - rho^2))`` and
    ``beta = 1/2`` when ``h k < 0`` (or one is 0 and ``h + k < 0``), else 0 (Owen 1956).

    Examples
    --------
    >>> round(float(bvn_cdf(np.array(0.0), np.array(0.0), 0.5)), 6)  # 1/4 + asin(0.5)/(2 pi)
    0.333333
    """
    h = np.asarray(h, dtype=float)
    k = np.asarray(k, dtype=float)
    tiny = 1e-10
    h = np.where(h == 0, tiny, h)
    k = np.where(k == 0, tiny, k)
    r = np.sqrt(1.0 - rho * rho)
    a_h = (k - rho * h) / (h * r)
    a_k = (h - rho * k) / (k * r)
    beta = np.where(h * k < 0, 0.5, 0.0)
    out = 0.5 * (special.ndtr(h) + special.ndtr(k)) - special.owens_t(h, a_h) - special.owens_t(k, a_k) - beta
    return np.clip(out, 0.0, 1.0)


def thresholds(counts: np.ndarray) -> np.ndarray:
    """Normal thresholds from category counts (last axis): ``Phi^-1`` of the cumulative shares, clipped to +-8."""
    counts = np.asarray(counts, dtype=float)
    cum = np.cumsum(counts, axis=-1)[..., :-1] / counts.sum(axis=-1, keepdims=True)
    return np.clip(special.ndtri(cum), -BOUND, BOUND)


def _cell_probs(a: np.ndarray, b: np.ndarray, rho: float) -> np.ndarray:
    """Cell probabilities (m, K, K) of tables with row thresholds a (m, K-1) and column thresholds b."""
    m = a.shape[0]
    ea = np.concatenate([np.full((m, 1), -BOUND), a, np.full((m, 1), BOUND)], axis=1)
    eb = np.concatenate([np.full((m, 1), -BOUND), b, np.full((m, 1), BOUND)], axis=1)
    F = bvn_cdf(ea[:, :, None], eb[:, None, :], rho)
    p = F[:, 1:, 1:] - F[:, :-1, 1:] - F[:, 1:, :-1] + F[:, :-1, :-1]
    return np.maximum(p, 1e-300)


def polychoric(tables: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Polychoric correlation common to stacked contingency tables, thresholds given (two-step ML).

    Parameters
    ----------
    tables : ndarray (m, K, K)
        Counts; rows are the first rating's category, columns the second's.
    a, b : ndarray (m, K-1)
        Row and column thresholds of each table.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0], [[1, .6], [.6, 1]], size=20000)
    >>> x, y = np.digitize(z[:, 0], [-1, .5]), np.digitize(z[:, 1], [-.3, 1])
    >>> t = np.zeros((1, 3, 3)); np.add.at(t[0], (x, y), 1)
    >>> r = polychoric(t, thresholds(t.sum(2)), thresholds(t.sum(1)))
    >>> abs(r - 0.6) < 0.03
    True
    """
    tables = np.asarray(tables, dtype=float)
    if tables.sum() == 0:
        return float("nan")

    def nll(rho: float) -> float:
        return -float((tables * np.log(_cell_probs(a, b, rho))).sum())

    res = optimize.minimize_scalar(nll, bounds=(-0.995, 0.995), method="bounded", options={"xatol": 1e-6})
    return float(res.x)


def pearson_from_tables(tables: np.ndarray, values: np.ndarray) -> float:
    """Pearson correlation of the pooled pairs in stacked contingency tables with category values."""
    t = np.asarray(tables, dtype=float).sum(axis=0)
    n = t.sum()
    if n == 0:
        return float("nan")
    px, py = t.sum(1) / n, t.sum(0) / n
    mx, my = px @ values, py @ values
    vx, vy = px @ (values - mx) ** 2, py @ (values - my) ** 2
    cov = (values - mx) @ (t / n) @ (values - my)
    return float(cov / np.sqrt(vx * vy)) if vx > 0 and vy > 0 else float("nan")
