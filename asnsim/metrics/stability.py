"""Stability: does the same employee keep the same predikat and rank from period to period?

Works from a per-period scores table ``employee_id, period, final_score,
predikat``.  Periods are compared in their order of appearance (or the order of
a categorical ``period`` column), consecutive pairs only.  In a simulation
where true performance does not change between periods, every flip is
measurement error; with real data, flips mix real change and error, so read
them as an upper bound on instability.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .. import columns as C
from ._predikat import predikat_codes
from ._table import ALL, NAN, tidy


def _period_order(periods: pd.Series, exclude: tuple[str, ...]) -> list:
    if isinstance(periods.dtype, pd.CategoricalDtype):
        order = [p for p in periods.cat.categories if (periods == p).any()]
    else:
        order = list(pd.unique(periods))
    return [p for p in order if str(p) not in exclude]


def stability(period_scores: pd.DataFrame, exclude: tuple[str, ...] = ("annual",)) -> pd.DataFrame:
    """Predikat flip rate and rank correlation between consecutive periods.

    ``predikat_flip_rate``: among employees scored in both periods of a pair,
    the share whose predikat differs.  ``period_rank_correlation``: Spearman's
    rho of their final scores.  One row per consecutive pair (group
    ``"P1->P2"``) and a group ``all`` row pooling the pairs (flips over all
    compared employee-pairs; the mean of the pairs' rho).  NaN with fewer than
    two periods.  The period named ``annual`` is a summary of the year, not a
    period in sequence, and is left out by default.

    Rank correlation on a coarse scale (3x3 matrix, many ties) is low even when
    few predikat change; read it with the flip rate.

    Examples
    --------
    Three employees over three quarters; employee 1 goes Baik, Baik, Sangat
    Baik, the others stay Baik: one flip in 2 x 3 comparisons = 1/6.  Scores
    keep their order from Q1 to Q2 (rho 1); from Q2 to Q3 the ranks go
    (3, 2, 1) -> (3, 1, 2), rho = 1 - 6 * 2 / (3 * 8) = 0.5; the mean is 0.75.

    >>> ps = pd.DataFrame({"employee_id": [1, 2, 3] * 3, "period": ["Q1"] * 3 + ["Q2"] * 3 + ["Q3"] * 3,
    ...                    "final_score": [60, 50, 40, 70, 50, 40, 80, 40, 50],
    ...                    "predikat": ["Baik"] * 6 + ["Sangat Baik", "Baik", "Baik"]})
    >>> [round(v, 4) for v in stability(ps).query("group == 'all'").value]
    [0.1667, 0.75]
    """
    order = _period_order(period_scores[C.PERIOD], exclude)
    rows_flip, rows_rho = [], []
    flips = pairs = 0
    rhos = []
    for a, b in zip(order, order[1:]):  # loop over periods, not employees
        cols = [C.EMPLOYEE_ID, C.FINAL_SCORE, C.PREDIKAT]
        pa = period_scores.loc[period_scores[C.PERIOD] == a, cols]
        pb = period_scores.loc[period_scores[C.PERIOD] == b, cols]
        j = pa.merge(pb, on=C.EMPLOYEE_ID, how="inner", suffixes=("", "_b"))
        ca, cb = predikat_codes(j[C.PREDIKAT]), predikat_codes(j[C.PREDIKAT + "_b"])
        ok = (ca >= 0) & (cb >= 0)
        f = int((ca[ok] != cb[ok]).sum())
        flips, pairs = flips + f, pairs + int(ok.sum())
        label = f"{a}->{b}"
        rows_flip.append(("predikat_flip_rate", label, f / ok.sum() if ok.any() else NAN))
        x, y = j[C.FINAL_SCORE].to_numpy(float), j[C.FINAL_SCORE + "_b"].to_numpy(float)
        good = np.isfinite(x) & np.isfinite(y)
        rho = (float(stats.spearmanr(x[good], y[good]).statistic)
               if good.sum() > 2 and np.ptp(x[good]) > 0 and np.ptp(y[good]) > 0 else NAN)
        rhos.append(rho)
        rows_rho.append(("period_rank_correlation", label, rho))
    rows = [("predikat_flip_rate", ALL, flips / pairs if pairs else NAN)] + rows_flip
    rows += [("period_rank_correlation", ALL, float(np.nanmean(rhos)) if np.isfinite(rhos).any() else NAN)]
    rows += rows_rho
    return tidy(rows)


def period_scores(policy, ratings: pd.DataFrame, employees: pd.DataFrame,
                  indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score each period of a ratings table separately under ``policy``.

    Returns ``employee_id, period, final_score, predikat`` (long), the input
    of :func:`stability`.  Indicators, when the policy scores a component from
    them, are taken from the same period (all of them for a period such as
    ``annual`` that has no indicator rows of its own).  The predikat is the
    scoring rule's, before any kurva distribusi enforcement.  A loop over
    periods; scoring itself is vectorized.
    """
    from ..scoring import score

    parts = []
    ind_period = None
    if indicators is not None and C.PERIOD in indicators.columns:
        ind_period = indicators[C.PERIOD].astype(str).to_numpy()
    for p in _period_order(ratings[C.PERIOD], ()):
        ind = indicators
        if ind_period is not None and (ind_period == str(p)).any():
            ind = indicators[ind_period == str(p)]
        sc = score(policy, ratings[ratings[C.PERIOD] == p], employees, ind)
        parts.append(pd.DataFrame({C.EMPLOYEE_ID: sc[C.EMPLOYEE_ID], C.PERIOD: p,
                                   C.FINAL_SCORE: sc[C.FINAL_SCORE], C.PREDIKAT: sc[C.PREDIKAT]}))
    if not parts:
        return pd.DataFrame(columns=[C.EMPLOYEE_ID, C.PERIOD, C.FINAL_SCORE, C.PREDIKAT])
    return pd.concat(parts, ignore_index=True)
