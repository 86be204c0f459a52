"""Scoring engines: from ratings (and indicators) to final score, ratings and predikat.

One module per regime; :func:`score` dispatches on ``policy.regime``.  Scoring
is deterministic: it draws no random numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..policy import Policy


def item_scores(ratings: pd.DataFrame, policy: Policy, component: str) -> pd.DataFrame:
    """Ratee x item table of one component's scores, pooled over rater roles.

    Within a role, scores are averaged over raters; roles are combined with the
    component's ``raters`` weights (renormalized over the roles present for a
    ratee).  Ordinal items are rounded back to the scale after pooling.
    """
    comp = policy.components[component]
    sub = ratings[ratings[C.COMPONENT] == component]
    by_role = sub.groupby([C.RATEE_ID, C.ITEM, C.RATER_ROLE], observed=True)[C.SCORE].mean()
    roles = pd.Series(by_role.index.get_level_values(C.RATER_ROLE).astype(str))
    weights = roles.map(comp.raters).fillna(0.0).to_numpy(float)
    num = (by_role * weights).groupby(level=[0, 1], observed=True).sum()
    den = pd.Series(weights, index=by_role.index).groupby(level=[0, 1], observed=True).sum()
    pooled = (num / den).unstack(C.ITEM)
    pooled = pooled.reindex(columns=list(comp.items))
    if comp.scale.kind == "ordinal":
        s = comp.scale
        pooled = (s.min + s.step * np.round((pooled - s.min) / s.step)).clip(s.min, s.max)
    return pooled


def component_percent(scores: pd.DataFrame, policy: Policy, component: str) -> pd.Series:
    """A component's mean item score rescaled to 0-100 of its scale."""
    s = policy.components[component].scale
    return 100.0 * (scores.mean(axis=1) - s.min) / (s.max - s.min)


def score(policy: Policy, ratings: pd.DataFrame, employees: pd.DataFrame,
          indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score every employee under ``policy``.

    Returns
    -------
    DataFrame
        ``employee_id, final_score, rating_results, rating_behaviour, predikat``
        plus one ``score_<component>`` column (0-100) per component.
    """
    if policy.regime == "permenpan-6-2022":
        from .permenpan import score_permenpan
        return score_permenpan(policy, ratings, employees, indicators)
    raise NotImplementedError(f"no scoring engine for regime {policy.regime!r} yet")
