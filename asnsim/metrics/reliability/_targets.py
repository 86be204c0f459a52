"""Targets of ratings as integer codes: one column or a combination (a ratee, or a ratee-item pair)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError


def target_codes(ratings: pd.DataFrame, targets: str | list[str]) -> np.ndarray:
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


def multi_rated(ratings: pd.DataFrame, targets, score: str) -> tuple[np.ndarray, np.ndarray]:
    """(target code 0..u-1, score) of the ratings whose target has at least two scores."""
    y = ratings[score].to_numpy(dtype=float)
    u = target_codes(ratings, targets)
    ok = np.isfinite(y) & (u >= 0)
    y, u = y[ok], u[ok]
    m = np.bincount(u)
    keep = m[u] >= 2
    y, u = y[keep], u[keep]
    _, u = np.unique(u, return_inverse=True)
    return u, y
