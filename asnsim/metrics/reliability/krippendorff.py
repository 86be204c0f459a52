"""Krippendorff's alpha (nominal, ordinal, interval) with a unit bootstrap interval.

References
----------
Krippendorff, K. (2004). Content analysis, 2nd ed., ch. 11.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import columns as C
from .._table import ALL, NAN, as_generator, cluster_weights, percentile_ci, tidy
from ._targets import multi_rated


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
    u, y = multi_rated(ratings, list(units) if not isinstance(units, str) else units, score)
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
