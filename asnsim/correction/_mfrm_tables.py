"""FACETS-style tables of a fitted many-facet Rasch model (see :mod:`asnsim.correction.mfrm` for the formulas).

Measurement tables per facet (measure, SE, infit and outfit with ZStd, fair
average), the separation summary, category statistics with thresholds, the
rater x group bias table and unexpected responses.  Scores are reported on the
file's scale: category ``k`` stands for the observed score ``values[k]``
(:class:`Scale`), so a scale whose unused categories were renumbered still
reads in its own units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ._data import codes
from ._mfrm_fit import _Data, _moments, _newton, _probs, _targets, _threshold_info


@dataclass(frozen=True)
class Scale:
    """The observed score of each category ``0..m``."""

    values: np.ndarray

    @property
    def consecutive(self) -> bool:
        v = self.values
        return bool(np.array_equal(v, v[0] + np.arange(len(v))))

    def score(self, P: np.ndarray, E: np.ndarray | None = None) -> np.ndarray:
        """Expected score from category probabilities (m+1, n); ``E`` the expected category, if known."""
        if self.consecutive:
            return self.values[0] + (_moments(P)[0] if E is None else E)
        return self.values @ P

    def slope(self, P: np.ndarray, W: np.ndarray) -> np.ndarray:
        """d E[score] / d eta = Cov(score, category); ``W`` (the category variance) on a consecutive scale."""
        if self.consecutive:
            return W
        k = np.arange(len(self.values))[:, None]
        E = (k * P).sum(axis=0)
        return (self.values[:, None] * (k - E) * P).sum(axis=0)


def fit_stats(idx, size, y, W, K):
    """Count, information, infit, infit ZStd, outfit, outfit ZStd per element."""
    n = np.bincount(idx, minlength=size).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z2 = y * y / W
        outfit = np.bincount(idx, weights=z2, minlength=size) / n
        sw = np.bincount(idx, weights=W, minlength=size)
        infit = np.bincount(idx, weights=y * y, minlength=size) / sw
        q_out = np.sqrt(np.maximum(np.bincount(idx, weights=K / (W * W), minlength=size) / n ** 2 - 1 / n, 1e-12))
        q_in = np.sqrt(np.maximum(np.bincount(idx, weights=K - W * W, minlength=size) / sw ** 2, 1e-12))
    zstd = lambda ms, q: (np.cbrt(ms) - 1.0) * (3.0 / q) + q / 3.0  # noqa: E731
    return n, sw, infit, zstd(infit, q_in), outfit, zstd(outfit, q_out)


def separation(measure: np.ndarray, se: np.ndarray) -> dict:
    """Separation G, strata H = (4G+1)/3 and reliability G^2/(1+G^2) of one facet's measures."""
    ok = np.isfinite(measure) & np.isfinite(se)
    if ok.sum() < 2:
        return {"sd_observed": np.nan, "rmse": np.nan, "sd_true": np.nan, "separation": np.nan,
                "strata": np.nan, "reliability": np.nan}
    obs_var = float(np.var(measure[ok], ddof=1))
    mse = float(np.mean(se[ok] ** 2))
    true_var = max(obs_var - mse, 0.0)
    G = np.sqrt(true_var / mse)
    return {"sd_observed": np.sqrt(obs_var), "rmse": np.sqrt(mse), "sd_true": np.sqrt(true_var),
            "separation": G, "strata": (4 * G + 1) / 3, "reliability": true_var / obs_var if obs_var else np.nan}


def facet_table(d: _Data, scale: Scale, idx, size, ids, measure, fair_eta, tau, y, W, K, factor,
                separated: np.ndarray | None = None) -> pd.DataFrame:
    """One facet's measurement table (FACETS table 7)."""
    n, sw, infit, inz, outfit, outz = fit_stats(idx, size, y, W, K)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = 1.0 / np.sqrt(sw)
        obs = np.bincount(idx, weights=d.x, minlength=size)
        observed = (scale.values[0] + obs / n if scale.consecutive
                    else np.bincount(idx, weights=scale.values[d.x], minlength=size) / n)
    fair = scale.score(_probs(fair_eta, tau.mean(axis=0, keepdims=True), np.zeros(size, np.int64)))
    out = pd.DataFrame({"element": ids, "n": n.astype(int), "observed_average": observed,
                        "fair_average": fair, "measure": measure * factor, "se": se * factor,
                        "infit_mnsq": infit, "infit_zstd": inz, "outfit_mnsq": outfit, "outfit_zstd": outz,
                        "extreme": (obs == 0) | (obs == n * d.m)})
    if separated is not None:         # with the ridge on: elements the prior holds, not the data
        out["separated"] = separated & ~out["extreme"].to_numpy()
    return out


def category_table(d: _Data, scale: Scale, P, eta, y, W, tau, factor) -> pd.DataFrame:
    """Category statistics and Rasch-Andrich thresholds (FACETS table 8)."""
    count = np.bincount(d.x, minlength=d.m + 1)
    avg = np.bincount(d.x, weights=eta, minlength=d.m + 1) / count
    exp_avg = (P @ eta) / P.sum(axis=1)
    outfit = np.bincount(d.x, weights=y * y / W, minlength=d.m + 1) / count
    info = _threshold_info(d, P)
    thr = np.concatenate([[np.nan], tau.mean(axis=0) * factor])
    thr_se = np.concatenate([[np.nan], (1 / np.sqrt(info.sum(axis=0))) * factor])
    ordered = np.concatenate([[True], np.diff(np.concatenate([[-np.inf], thr[1:]])) > 0])
    return pd.DataFrame({"category": scale.values, "count": count, "percent": 100 * count / count.sum(),
                         "average_measure": avg, "expected_measure": exp_avg, "outfit_mnsq": outfit,
                         "threshold": thr, "threshold_se": thr_se, "ordered": ordered})


def unexpected(z: np.ndarray, obs: np.ndarray, exp: np.ndarray, rows: np.ndarray | None = None,
               limit: float = 3.0, max_rows: int = 200) -> pd.DataFrame:
    """Ratings with ``|standardized residual| >= limit``, worst first; ``rows`` maps positions to row numbers."""
    hit = np.flatnonzero(np.abs(z) >= limit)
    hit = hit[np.argsort(-np.abs(z[hit]), kind="stable")][:max_rows]
    label = hit + 1 if rows is None else rows[hit]
    return pd.DataFrame({"row": label, "observed": obs[hit], "expected": exp[hit], "std_residual": z[hit]})


def bias_table(ratings: pd.DataFrame, group: str, d: _Data, eta: np.ndarray, tau: np.ndarray,
               rater_ids: pd.Index, source: str = "ratings", n_iter: int = 25) -> pd.DataFrame:
    """Rater x group bias/interaction: the shift ``b`` (logits) that fits each cell, with t and p.

    Holding all measures fixed, ``b_jg`` solves ``sum_cell (x - E(eta + b)) = 0`` (Newton, extreme
    cells moved 0.3 points inward); ``se = 1/sqrt(sum W)``, ``t = b / se`` with ``n - 1`` degrees of
    freedom; ``flag`` marks ``|t| >= 2``.  Positive ``bias`` = the rater rates this group higher than
    the measures predict.
    """
    if group not in ratings.columns:
        raise InputError(source, "missing column (named as --group)", column=group)
    gc, g_ids = codes(ratings[group].astype(str))
    cell = d.r * len(g_ids) + gc
    cc, cell_ids = pd.factorize(cell, sort=True)
    nc = len(cell_ids)
    t = _targets(d.x, cc, nc, d.m)
    b = np.zeros(nc)
    for _ in range(n_iter):
        E, W, _ = _moments(_probs(eta + b[cc], tau, d.g))
        step = _newton(t, cc, nc, E, W)
        b += step
        if np.abs(step).max() < 1e-8:
            break
    E, W, _ = _moments(_probs(eta + b[cc], tau, d.g))
    n = np.bincount(cc, minlength=nc)
    se = 1.0 / np.sqrt(np.bincount(cc, weights=W, minlength=nc))
    obs = np.bincount(cc, weights=d.x, minlength=nc)
    exp0 = np.bincount(cc, weights=_moments(_probs(eta, tau, d.g))[0], minlength=nc)
    tstat = b / se
    with np.errstate(invalid="ignore"):
        pval = 2 * stats.t.sf(np.abs(tstat), np.maximum(n - 1, 1))
    return pd.DataFrame({"rater_id": rater_ids[cell_ids // len(g_ids)], "group": g_ids[cell_ids % len(g_ids)],
                         "n": n, "observed": obs, "expected": exp0, "bias": b, "se": se, "t": tstat, "df": n - 1,
                         "p": pval, "flag": np.abs(tstat) >= 2})
