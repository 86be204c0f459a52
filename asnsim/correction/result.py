"""The one result type every rater-effect method returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RATER_EFFECT_COLUMNS = ["rater_id", "n", "effect", "se"]
RATEE_SCORE_COLUMNS = ["ratee_id", "n", "raw_mean", "adjusted", "se"]
VARIANCE_COLUMNS = ["component", "variance"]


@dataclass
class RaterAnalysis:
    """Rater effects, adjusted ratee scores and per-rating adjusted scores.

    Attributes
    ----------
    method : str
        The method's name (``standardize``, ``crossed``, ``mfrm``, ...).
    rater_effects : DataFrame
        ``rater_id, n, effect, se`` plus method columns.  ``effect`` is how much
        higher this rater rates than the average rater (score units; logits
        for ``mfrm``).
    ratee_scores : DataFrame
        ``ratee_id, n, raw_mean, adjusted, se`` plus method columns.
    adjusted : ndarray
        The adjusted score of every rating, in the input's row order.
    variance_components : DataFrame or None
        ``component, variance`` (``ratee, rater, residual``) for the mixed models.
    info : dict
        Method details (convergence, iterations, ...), for reports.
    tables : dict
        Further named tables (FACETS-style tables for ``mfrm``).
    """

    method: str
    rater_effects: pd.DataFrame
    ratee_scores: pd.DataFrame
    adjusted: np.ndarray
    variance_components: pd.DataFrame | None = None
    info: dict = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def ratee_raw(ratee: np.ndarray, y: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Number of ratings and raw mean per ratee code."""
    n = np.bincount(ratee, minlength=size).astype(float)
    return n, np.bincount(ratee, weights=y, minlength=size) / n
