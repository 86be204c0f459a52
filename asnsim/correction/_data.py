"""Shared helpers: encode the long ratings table into integer codes, check it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DesignError, InputError


@dataclass(frozen=True)
class Encoded:
    """Integer codes of one ratings table (one row per rating)."""

    y: np.ndarray             # float scores
    ratee: np.ndarray         # codes 0..n_ratee-1
    rater: np.ndarray         # codes 0..n_rater-1
    ratee_ids: pd.Index       # code -> original id
    rater_ids: pd.Index
    source: str

    @property
    def n_ratee(self) -> int:
        return len(self.ratee_ids)

    @property
    def n_rater(self) -> int:
        return len(self.rater_ids)


def codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Factorize a column into 0-based codes (sorted ids) and the id index."""
    c, uniq = pd.factorize(values, sort=True)
    return c.astype(np.int64), pd.Index(uniq, name=values.name)


def encode(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID, score: str = C.SCORE,
           source: str = "ratings", min_raters: int = 2) -> Encoded:
    """Check the columns of a ratings table and encode them.

    Raises
    ------
    InputError
        A column is missing, a score is not numeric, or a value is missing.
    DesignError
        Fewer than ``min_raters`` distinct raters.
    """
    for col in (ratee, rater, score):
        if col not in ratings.columns:
            raise InputError(source, f"missing column (columns are: {', '.join(map(str, ratings.columns))})",
                             column=col)
    y = ratings[score]
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        bad = pd.to_numeric(y, errors="coerce").isna() & y.notna()
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1 if bad.any() else None
        val = f": {y.iloc[row - 1]!r}" if row else ""
        raise InputError(source, f"score is not numeric{val}", row=row, column=score)
    for col in (ratee, rater, score):
        na = ratings[col].isna().to_numpy()
        if na.any():
            raise InputError(source, "missing value", row=int(np.flatnonzero(na)[0]) + 1, column=col)
    yv = y.to_numpy(dtype=float)
    if not np.isfinite(yv).all():
        raise InputError(source, "score is not finite", row=int(np.flatnonzero(~np.isfinite(yv))[0]) + 1,
                         column=score)
    ce, ids_e = codes(ratings[ratee])
    cr, ids_r = codes(ratings[rater])
    if len(ids_r) < min_raters:
        raise DesignError(f"{source}: only {len(ids_r)} rater(s) in column '{rater}'; rater effects need "
                          f"at least {min_raters} raters")
    return Encoded(yv, ce, cr, ids_e, ids_r, source)


def group_stats(codes_: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and (ddof=1) SD of ``values`` per code (NaN where undefined)."""
    n = np.bincount(codes_, minlength=size).astype(float)
    s = np.bincount(codes_, weights=values, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
        dev = values - mean[codes_]
        ss = np.bincount(codes_, weights=dev * dev, minlength=size)
        sd = np.sqrt(ss / (n - 1))
    sd[n < 2] = np.nan
    return n, mean, sd
