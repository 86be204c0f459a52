"""The tidy metric table every function in :mod:`asnsim.metrics` returns.

Columns ``metric, group, value, ci_low, ci_high`` in that order, always; a
metric without an interval has NaN in ``ci_low`` and ``ci_high``.  ``group``
is ``"all"`` for a metric of the whole population.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

METRIC = "metric"
GROUP = "group"
VALUE = "value"
CI_LOW = "ci_low"
CI_HIGH = "ci_high"
ALL = "all"
COLUMNS = [METRIC, GROUP, VALUE, CI_LOW, CI_HIGH]

NAN = float("nan")


def tidy(rows: Iterable[tuple], extra: list[str] | None = None) -> pd.DataFrame:
    """Build the tidy table from ``(metric, group, value[, ci_low, ci_high, *extra])`` tuples."""
    cols = COLUMNS + list(extra or [])
    full = []
    for r in rows:
        r = tuple(r)
        if len(r) == 3:
            r = r + (NAN, NAN)
        r = r + (NAN,) * (len(cols) - len(r))
        full.append(r)
    df = pd.DataFrame(full, columns=cols)
    df[METRIC] = df[METRIC].astype(object)
    df[GROUP] = df[GROUP].astype(object)
    for c in cols[2:]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return df


def percentile_ci(boot: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval along axis 0, ignoring NaN replicates."""
    a = (1.0 - level) / 2.0
    boot = np.asarray(boot, dtype=float)
    if boot.ndim == 1:
        boot = boot[:, None]
    ok = np.isfinite(boot)
    lo = np.full(boot.shape[1], NAN)
    hi = np.full(boot.shape[1], NAN)
    for j in range(boot.shape[1]):  # loop over statistics, not over employees
        col = boot[ok[:, j], j]
        if len(col):
            lo[j], hi[j] = np.quantile(col, [a, 1.0 - a])
    return lo, hi


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Accept a Generator or an integer seed (never the global random state)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        raise TypeError("a bootstrap needs an explicit numpy Generator or integer seed (rng=...)")
    return np.random.default_rng(int(rng))


def cluster_weights(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Multinomial resampling counts (n_boot x n): row b says how often each unit is drawn."""
    return rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)
