"""The rater-cluster bootstrap of the calibration's standard errors.

Raters are resampled with replacement, each copy a new rater with its own ratees, and the table fitting
(:func:`asnsim.calibrate.tables.fit_tables`) is run on each replicate; the standard errors are the replicates' SDs
of the pooled parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DesignError
from ..policy import Policy
from .tables import fit_tables


def bootstrap_se(r: pd.DataFrame, pol: Policy, source: str, reps: int, rng: np.random.Generator) -> dict[str, float]:
    """Rater-cluster bootstrap SEs: raters resampled with replacement, each copy a new rater."""
    codes, uniq = pd.factorize(r[C.RATER_ID])
    ratee_codes, ratee_uniq = pd.factorize(r[C.RATEE_ID])
    base = r.drop(columns=[C.RATER_ID, C.RATEE_ID])
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(uniq)))
    sizes = np.bincount(codes, minlength=len(uniq))
    draws = []
    for b in range(reps):  # loop over replicates; each is vectorized
        pick = rng.integers(0, len(uniq), size=len(uniq))
        idx = np.concatenate([order[starts[p]:starts[p] + sizes[p]] for p in pick]) if len(pick) else order
        copy = np.repeat(np.arange(len(pick)), sizes[pick])
        rb = base.iloc[idx].assign(**{C.RATER_ID: copy,  # integer ids: each copy of a rater is a new rater
                                      C.RATEE_ID: ratee_codes[idx].astype(np.int64) + len(ratee_uniq) * copy})
        try:
            t, _, _ = fit_tables(rb, pol, source)
        except DesignError:
            continue
        w = t["n_ratings"].to_numpy(float)
        draws.append({"leniency_sd": np.sqrt(np.average(t["leniency_sd"] ** 2, weights=w)),
                      "noise_sd": np.sqrt(np.average(t["noise_sd"] ** 2, weights=w)),
                      "leniency_mean": np.average(t["leniency_mean"], weights=w),
                      "scale_use_mean": np.average(t["scale_use_mean"], weights=w)})
    if len(draws) < 2:
        return {}
    return {k: float(v) for k, v in pd.DataFrame(draws).std(ddof=1).items()}
