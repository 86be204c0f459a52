"""PermenPAN-RB 6/2022: two three-level ratings and the 3x3 predikat matrix.

Hasil kerja: Di Atas Ekspektasi when more than ``rating.results_majority``
of the RHK are rated above expectation and no *utama* RHK (the first
``rating.utama_items`` items) is below; Di Bawah when more than that share
is below; otherwise Sesuai.  Perilaku kerja: the mean of the seven BerAKHLAK
item scores (1-3), Di Atas at >= ``behaviour_above``, Sesuai at >=
``behaviour_meets`` (one application's rule; UNCERTAIN in the regulation).
The predikat is read off ``predikat.matrix`` (DOMAIN.md s.2).

The final score (0-100, the weighted mean of the components' percent scores)
has no legal meaning in this regime: it orders employees for quota
enforcement and metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..policy import Policy
from . import component_percent, item_scores

ROW_KEYS = ("di_bawah", "sesuai", "di_atas")


def results_level(scores: np.ndarray, lo: float, hi: float, majority: float, utama: int) -> np.ndarray:
    """Hasil-kerja level 0/1/2 (Di Bawah/Sesuai/Di Atas) from a ratee x RHK score array."""
    above = (scores >= hi).mean(axis=1) > majority
    below = (scores <= lo).mean(axis=1) > majority
    utama_below = (scores[:, :utama] <= lo).any(axis=1) if utama else np.zeros(len(scores), bool)
    return np.where(above & ~utama_below, 2, np.where(below, 0, 1))


def behaviour_level(mean_score: np.ndarray, above: float, meets: float) -> np.ndarray:
    """Perilaku level 0/1/2 from the mean BerAKHLAK item score."""
    return np.where(mean_score >= above, 2, np.where(mean_score >= meets, 1, 0))


def predikat_from_matrix(policy: Policy, results: np.ndarray, behaviour: np.ndarray) -> np.ndarray:
    """Look up the predikat of each (hasil kerja level, perilaku level) pair in the policy's matrix."""
    table = np.array([policy.predikat.matrix[k] for k in ROW_KEYS], dtype=object)
    return table[results, behaviour]


def score_permenpan(policy: Policy, ratings: pd.DataFrame, employees: pd.DataFrame,
                    indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    res_name = policy.component_of_kind("results")
    beh_name = policy.component_of_kind("behaviour")
    ids = employees[C.EMPLOYEE_ID].to_numpy()
    out = pd.DataFrame({C.EMPLOYEE_ID: ids})
    final = np.zeros(len(ids))
    for cname, comp in policy.components.items():
        sc = item_scores(ratings, policy, cname).reindex(ids)
        pct = component_percent(sc, policy, cname).to_numpy()
        out[f"score_{cname}"] = pct
        final += comp.weight * pct
        if cname == res_name:
            r = results_level(sc.to_numpy(), comp.scale.min, comp.scale.max,
                              policy.rating.results_majority, policy.rating.utama_items)
        if cname == beh_name:
            b = behaviour_level(sc.mean(axis=1).to_numpy(), policy.rating.behaviour_above,
                                policy.rating.behaviour_meets)
    out.insert(1, C.FINAL_SCORE, final)
    levels = np.array(C.RATING_LEVELS, dtype=object)
    out.insert(2, C.RATING_RESULTS, levels[r])
    out.insert(3, C.RATING_BEHAVIOUR, levels[b])
    out.insert(4, C.PREDIKAT, predikat_from_matrix(policy, r, b))
    return out
