"""The one result type every rater-effect method returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RATER_EFFECT_COLUMNS = ["rater_id", "n", "effect", "se"]
RATEE_SCORE_COLUMNS = ["ratee_id", "n", "raw_mean", "adjusted", "se"]
VARIANCE_COLUMNS = ["component", "variance", "note"]


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
        ``component, variance, note`` (``ratee, rater, residual``) for the mixed models; ``note`` says
        when a component is not estimable.
    info : dict
        Method details (convergence, iterations, ...), for reports.
    tables : dict
        Further named tables (FACETS-style tables for ``mfrm``, ``fixed_effects`` for ``crossed``).
    design : RatingDesign or None
        Connectivity and nesting of the data (:func:`asnsim.correction.design.describe_design`), set by
        :func:`asnsim.correction.analyze`.
    messages : list of str
        What the user should know about this analysis (design warnings, iteration caps), in the report.
    fit : object or None
        The fitted model, for reuse without refitting (``crossed``: a
        :class:`~asnsim.correction.reml.REMLFit`).
    """

    method: str
    rater_effects: pd.DataFrame
    ratee_scores: pd.DataFrame
    adjusted: np.ndarray
    variance_components: pd.DataFrame | None = None
    info: dict = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    design: object | None = None
    messages: list[str] = field(default_factory=list)
    fit: object | None = field(default=None, repr=False)

    def to_markdown(self, source: str = "ratings") -> str:
        """This analysis as a readable Markdown report (:func:`asnsim.correction.report.render`)."""
        from .report import render

        return render(self, source)


def ratee_raw(ratee: np.ndarray, y: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Number of ratings and raw mean per ratee code."""
    n = np.bincount(ratee, minlength=size).astype(float)
    return n, np.bincount(ratee, weights=y, minlength=size) / n
