"""Capaian (achievement against target) per indicator, shared by PP 30/2019 and
the PermenPAN-RB 6/2022 models that measure hasil kerja by indicators.

For an aspect where more is better (kuantitas, kualitas)
``capaian = 100 * realisasi / target``; where less is better (waktu in
months, biaya in money) ``capaian = 100 * target / realisasi``.  Each is capped
at the component's ``capaian_cap`` (PP 30/2019: 120).  An indicator's capaian
is the mean over its aspects and periods; an indicator whose kuantitas
realisation is zero scores 0 on every aspect (nothing was delivered, so
neither time nor cost can earn credit).  The less-is-better direction and the
zero rule are assumptions recorded in the policy files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C

LESS_IS_BETTER = ("waktu", "biaya")


def row_capaian(ind: pd.DataFrame, cap: float | None) -> np.ndarray:
    """Capped capaian of every indicators row (vectorized)."""
    t = ind[C.TARGET].to_numpy(dtype=float)
    r = ind[C.REALISASI].to_numpy(dtype=float)
    less = ind[C.ASPECT].isin(LESS_IS_BETTER).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        cap_ = np.inf if cap is None else cap
        more = 100.0 * r / t
        fewer = np.where(r > 0, 100.0 * t / r, cap_)
        out = np.where(less, fewer, more)
    out = np.where(t > 0, out, np.nan)  # no target: the aspect is not appraised
    return np.minimum(out, cap_) if cap is not None else out


def zero_output(ind: pd.DataFrame) -> pd.Series:
    """Boolean per row: the row's (employee, indicator, period) has kuantitas realisasi 0."""
    kq = ind[C.ASPECT].to_numpy() == "kuantitas"
    zero = kq & (ind[C.REALISASI].to_numpy(dtype=float) == 0)
    key = [C.EMPLOYEE_ID, C.INDICATOR, C.PERIOD]
    flag = pd.Series(zero, index=ind.index).groupby([ind[k] for k in key], observed=True).transform("max")
    return flag.astype(bool)


def indicator_capaian(ind: pd.DataFrame, cap: float | None) -> pd.DataFrame:
    """Employee x indicator table of mean capped capaian (over aspects and periods)."""
    cp = row_capaian(ind, cap)
    cp = np.where(zero_output(ind).to_numpy(), 0.0, cp)
    frame = pd.DataFrame({C.EMPLOYEE_ID: ind[C.EMPLOYEE_ID].to_numpy(),
                          C.INDICATOR: ind[C.INDICATOR].astype(str).to_numpy(), C.CAPAIAN: cp})
    return frame.groupby([C.EMPLOYEE_ID, C.INDICATOR])[C.CAPAIAN].mean().unstack(C.INDICATOR)


def ordered_indicators(table: pd.DataFrame, items: tuple[str, ...]) -> pd.DataFrame:
    """Columns in the component's item order (utama RHK first), other indicators after, sorted."""
    first = [i for i in items if i in table.columns]
    rest = sorted(c for c in table.columns if c not in first)
    return table[first + rest]
